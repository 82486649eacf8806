"""EPCIS 2.0 query subscriptions (REST binding `/queries/{name}/subscriptions`): webhooks fed
with a named query's new events.

A subscription belongs to its named query, so to the query's owner (`epcis_named_queries`):
only the owner lists, reads and deletes it; deleting the query deletes its subscriptions. It
sees what its owner may see now (`subscriber_filter`): a buyer the events of lots it bought,
an inspector all, a producer its own lots, a carrier the lots it carries; an owner whose
account is disabled gets nothing delivered (its subscriptions wait, position unchanged).

`dest` is an http or https URL (anything else is refused; any host, private ones too, so a
production deployment restricts where the workers may connect: README, EPCIS). `stream: true`
delivers after each commit that stores events (EPCIS capture or a platform event: the session
hooks below hand one delivery job per stream subscription to `subscription_delivery`); a
`schedule` (`epcis_schedule`) delivers when `flask deliver-epcis-subscriptions` finds it due,
an empty report too when `reportIfEmpty`. Either way a delivery sends the query's events
recorded after the subscription's position (from `initialRecordTime`, default now), oldest
first, and moves the position only once the webhook answers 2xx (`subscription_delivery`).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, event, or_, select
from sqlalchemy.orm import Session

from freshcircle.platform.core.services.errors import InvalidInput, NotFound
from freshcircle.platform.ledger.services import epcis_named_queries, subscription_delivery
from freshcircle.platform.ledger.services.epcis_query_values import (
    QueryParameterException,
    time_of,
)
from freshcircle.platform.ledger.services.epcis_schedule import next_run
from freshcircle.platform.models import EpcisEventRecord, EpcisSubscription, User

MAX_SUBSCRIPTIONS = 20  # per query
RETRY_LEASE = dt.timedelta(minutes=15)  # longer than a delivery job may run (600 s)
_NEW_EVENTS = "freshcircle_epcis_new_events"


def _dest(value: Any) -> str:
    parts = urlsplit(value) if isinstance(value, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname \
            or len(value) > 2000:
        raise InvalidInput.field("dest", _l("Give the webhook as an http or https URL."))
    return value


def subscribe(session: Session, owner: User, name: str, data: dict[str, Any],
              now: dt.datetime) -> EpcisSubscription:
    """Subscribe a webhook to the caller's named query; InvalidInput (per field) for a `dest`
    that is not http(s), neither or both of `stream` and `schedule`, a schedule that cannot
    be read or never comes, an `initialRecordTime` that is not a date-time."""
    named = epcis_named_queries.get_query(session, owner, name)
    errors: dict[str, list] = {}
    try:
        dest = _dest(data.get("dest"))
    except InvalidInput as error:
        errors.update(error.errors)
    stream, schedule = bool(data.get("stream")), data.get("schedule")
    first_run = None
    if stream == (schedule is not None):
        errors["stream"] = [_l("Either set stream to true or give a schedule, not both.")]
    elif schedule is not None:
        try:
            first_run = next_run(schedule, now)
            if first_run is None:
                errors["schedule"] = [_l("This schedule never comes.")]
        except InvalidInput as error:
            errors.update(error.errors)
    initial = now
    if data.get("initialRecordTime") is not None:
        try:
            initial = time_of("initialRecordTime", str(data["initialRecordTime"]))
        except QueryParameterException:
            errors["initialRecordTime"] = [_l("Use a date-time with a time zone.")]
    if len(named.subscriptions) >= MAX_SUBSCRIPTIONS:
        errors["dest"] = [_l("This query has %(count)s subscriptions, the most allowed.",
                             count=MAX_SUBSCRIPTIONS)]
    if errors:
        raise InvalidInput(errors=errors)
    subscription = EpcisSubscription(
        subscription_id=str(uuid.uuid4()), query_id=named.id, dest=dest,
        signature_token=data.get("signatureToken") or None,
        report_if_empty=bool(data.get("reportIfEmpty")), stream=stream,
        schedule=json.dumps(schedule) if schedule is not None else None,
        initial_record_time=initial, position_time=initial, position_id=0,
        next_run_at=first_run, created_at=now)
    named.subscriptions.append(subscription)
    session.flush()
    return subscription


def get_subscription(session: Session, owner: User, name: str,
                     subscription_id: str) -> EpcisSubscription:
    named = epcis_named_queries.get_query(session, owner, name)
    for subscription in named.subscriptions:
        if subscription.subscription_id == subscription_id:
            return subscription
    raise NotFound(_l("This query has no subscription with this ID."))


def list_subscriptions(session: Session, owner: User, name: str) -> list[EpcisSubscription]:
    return list(epcis_named_queries.get_query(session, owner, name).subscriptions)


def unsubscribe(session: Session, owner: User, name: str, subscription_id: str) -> None:
    subscription = get_subscription(session, owner, name, subscription_id)
    subscription.query.subscriptions.remove(subscription)
    session.flush()


def describe(subscription: EpcisSubscription) -> dict[str, Any]:
    """The binding's subscription response (never the signature token)."""
    body: dict[str, Any] = {
        "subscriptionID": subscription.subscription_id, "queryName": subscription.query.name,
        "dest": subscription.dest,
        "createdAt": subscription.created_at.isoformat(),
        "initialRecordTime": subscription.initial_record_time.isoformat(),
        "minRecordTime": subscription.position_time.isoformat(),
        "lastNotifiedAt": subscription.last_notified_at and
        subscription.last_notified_at.isoformat(),
        "reportIfEmpty": subscription.report_if_empty}
    if subscription.stream:
        body["stream"] = True
    else:
        body["schedule"] = json.loads(subscription.schedule or "{}")
    if subscription.failures:
        body["failedDeliveries"] = subscription.failures
        body["retryAt"] = subscription.retry_at and subscription.retry_at.isoformat()
    return body


def due(session: Session, now: dt.datetime) -> list[int]:
    """Subscriptions to deliver now (their ids), each marked `report_due`: scheduled ones whose
    time has come (their next time set) and failed deliveries whose retry time has come. A
    scheduled run that comes while its subscription backs off waits for the retry. A retry
    handed over is leased for `RETRY_LEASE`: a job lost with Redis is handed over again."""
    rows = session.scalars(select(EpcisSubscription).where(or_(
        and_(EpcisSubscription.stream.is_(False), EpcisSubscription.next_run_at <= now),
        EpcisSubscription.retry_at <= now)).with_for_update(skip_locked=True))
    ids = []
    for subscription in rows:
        if not subscription.stream and subscription.next_run_at is not None \
                and subscription.next_run_at <= now:
            subscription.next_run_at = next_run(json.loads(subscription.schedule or "{}"), now)
            subscription.report_due = True
        if subscription.retry_at is not None:
            if subscription.retry_at > now:
                continue
            subscription.retry_at = now + RETRY_LEASE
            subscription.report_due = True
        ids.append(subscription.id)
    session.flush()
    return sorted(ids)


def stream_subscription_ids(session: Session) -> list[int]:
    return list(session.scalars(select(EpcisSubscription.id).where(
        EpcisSubscription.stream.is_(True), EpcisSubscription.failures == 0)))


# After a commit that stored events, a delivery job per stream subscription (the job finds
# whether the query has new events for it). Nothing happens while no one subscribes.
@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context) -> None:
    if any(isinstance(obj, EpcisEventRecord) for obj in session.new):
        session.info[_NEW_EVENTS] = True


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    if session.new:
        session.flush()
    if not session.info.pop(_NEW_EVENTS, False) or not has_app_context():
        return
    app = current_app._get_current_object()
    for subscription_id in stream_subscription_ids(session):
        subscription_delivery.enqueue(app, session, subscription_id)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_NEW_EVENTS, None)

"""Delivering EPCIS subscriptions to their webhooks: an RQ job when FRESHCIRCLE_REDIS_URL is
set, else a thread in the process that stored the events (platform/background.py hands it
over once the session has committed, as for dispatch plans and label runs).

One delivery: the named query's events that the owner may see now and that the subscription
has not delivered, recorded since its position (the latest event delivered; at first
`initialRecordTime`) less `LOOK_BACK_SECONDS` (EPCIS_SUBSCRIPTION_LOOK_BACK_SECONDS), oldest
first, `BATCH` to an `EPCISQueryDocument` POSTed to `dest` with `GS1-Signature: <hex
HMAC-SHA256 of the body, keyed with the signatureToken>` (no header without a token). The
look-back is there because an event's recordTime is when its transaction wrote it: one that
commits after a later-recorded one was delivered lies below the position, and is sent then
(`epcis_delivered_events` keeps what was sent within the window, so nothing goes twice after
a 2xx). The position and that record move only after a 2xx answer, in the same commit, so
delivery is at least once: a failure (no answer in `TIMEOUT` seconds, a redirect, any other
status) keeps them, counts the failure and sets `retry_at` = now +
EPCIS_SUBSCRIPTION_RETRY_SECONDS (30) doubled per failure up to an hour;
`flask deliver-epcis-subscriptions` hands the retry over when due and nothing else delivers
that subscription meanwhile. Nothing is ever skipped. A disabled owner's subscriptions deliver
nothing. The subscription row is locked (FOR UPDATE on PostgreSQL) for the delivery, so two
jobs for it take turns.

A delivery applies the query's filters; its `orderBy`, `orderDirection`, `eventCountLimit` and
`maxEventCount` shape `GET /queries/{name}/events` only (a delivery goes by recordTime, in
documents of `BATCH`). A stream subscription gets a job after every commit that stored events,
whether or not they match its query (the job finds out, and sends nothing when none do).

The job's state is the subscription row, so a job lost with Redis is made good by the next
event, schedule tick or (for a retry) the command a quarter of an hour later.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import urllib.request
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit

from flask import Flask
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from freshcircle.platform import background
from freshcircle.platform.ledger.services import epcis_named_queries
from freshcircle.platform.ledger.services.capture_jobs import CBV_VERSION, EPCIS_VERSION
from freshcircle.platform.ledger.services.epcis_events import epcis_config
from freshcircle.platform.ledger.services.epcis_store import event_body, merged_context
from freshcircle.platform.models import (
    EpcisDeliveredEvent,
    EpcisEventRecord,
    EpcisSubscription,
    User,
)
from freshcircle.traceability.epcis import EpcisConfig, build_document

log = logging.getLogger(__name__)
QUEUE = "freshcircle-epcis-subscriptions"
BATCH = 500
TIMEOUT = 10
MAX_BACK_OFF = 3600
# An event's recordTime is set when its transaction writes it, not when it commits: one that
# commits after a later-recorded event was delivered lies below the position. Events are looked
# for this far back (ten times a request's 60 s limit, where events are recorded).
LOOK_BACK_SECONDS = 600
SIGNATURE_HEADER = "GS1-Signature"


def enqueue(app: Flask, session: Session, subscription_id: int) -> None:
    """Deliver subscription `subscription_id` once `session` has committed."""
    HANDOFF.after_commit(session, subscription_id)


def signature(token: str, body: bytes) -> str:
    """The `GS1-Signature` of a delivery: hex HMAC-SHA256 of the body with the token."""
    return hmac.new(token.encode(), body, hashlib.sha256).hexdigest()


def query_document(config: EpcisConfig, subscription: EpcisSubscription,
                   rows: list[EpcisEventRecord]) -> dict:
    """The binding's EPCISQueryDocument of a subscription's events."""
    bodies = [event_body(row) for row in rows]
    document = build_document(bodies, config)
    return {"@context": merged_context(config, bodies), "type": "EPCISQueryDocument",
            "schemaVersion": document["schemaVersion"],
            "creationDate": document["creationDate"],
            "epcisBody": {"queryResults": {
                "queryName": subscription.query.name,
                "subscriptionID": subscription.subscription_id,
                "resultsBody": {"eventList": document["epcisBody"]["eventList"]}}}}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args, **_kwargs):  # a redirect is a failed delivery
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def post(dest: str, body: bytes, token: str | None) -> str | None:
    """POST `body` to the webhook: None on 2xx, else what went wrong."""
    if urlsplit(dest).scheme not in ("http", "https"):
        return "not an http(s) URL"
    headers = {"Content-Type": "application/ld+json", "GS1-EPCIS-Version": EPCIS_VERSION,
               "GS1-CBV-Version": CBV_VERSION}
    if token:
        headers[SIGNATURE_HEADER] = signature(token, body)
    request = urllib.request.Request(dest, data=body, headers=headers, method="POST")
    try:
        with _OPENER.open(request, timeout=TIMEOUT) as response:
            status = response.status
    except HTTPError as error:
        return f"HTTP {error.code}"
    except (URLError, OSError, ValueError) as error:
        return str(error)[:400] or type(error).__name__
    return None if 200 <= status < 300 else f"HTTP {status}"


def _next_events(session: Session, subscription: EpcisSubscription, owner: User,
                 config: EpcisConfig, look_back: dt.timedelta) -> list[EpcisEventRecord]:
    """The next batch: matching events recorded since the position less the look-back window
    (never before initialRecordTime) that this subscription has not delivered, oldest first."""
    record = EpcisEventRecord
    query = epcis_named_queries.parsed(subscription.query, config)
    since = max(subscription.initial_record_time, subscription.position_time - look_back)
    sent = select(EpcisDeliveredEvent.event_record_id).where(
        EpcisDeliveredEvent.subscription_id == subscription.id)
    return list(session.scalars(
        select(record).where(epcis_named_queries.subscriber_filter(owner), *query.filters,
                             record.recorded_at >= since, record.id.not_in(sent))
        .order_by(record.recorded_at, record.id).limit(BATCH)))


def _delivered(session: Session, subscription: EpcisSubscription,
               rows: list[EpcisEventRecord], look_back: dt.timedelta) -> None:
    """After a 2xx: remember the events sent, move the position to the latest of them, and
    forget those that fell out of the look-back window."""
    session.add_all(EpcisDeliveredEvent(subscription_id=subscription.id, event_record_id=row.id,
                                        recorded_at=row.recorded_at) for row in rows)
    latest = max((row.recorded_at, row.id) for row in rows)
    if latest > (subscription.position_time, subscription.position_id):
        subscription.position_time, subscription.position_id = latest
    session.flush()
    session.execute(delete(EpcisDeliveredEvent).where(
        EpcisDeliveredEvent.subscription_id == subscription.id,
        EpcisDeliveredEvent.recorded_at < subscription.position_time - look_back))


def _lock(session: Session, subscription_id: int) -> EpcisSubscription | None:
    return session.get(EpcisSubscription, subscription_id, with_for_update=True,
                       populate_existing=True)


def deliver_in_session(app: Flask, session: Session, subscription_id: int,
                       now: dt.datetime | None = None) -> None:
    """Deliver what is new for one subscription, committing after each batch."""
    config = epcis_config(app.extensions["trace_settings"])
    base = app.config.get("EPCIS_SUBSCRIPTION_RETRY_SECONDS", 30)
    look_back = dt.timedelta(seconds=app.config.get("EPCIS_SUBSCRIPTION_LOOK_BACK_SECONDS",
                                                    LOOK_BACK_SECONDS))
    while True:
        moment = now or dt.datetime.now(dt.UTC)
        subscription = _lock(session, subscription_id)
        # A scheduled subscription waits for its time, a failed one for its retry: both are
        # handed over by `epcis_subscriptions.due`, which sets report_due.
        if subscription is None or not (subscription.report_due or (
                subscription.stream and not subscription.failures)):
            session.rollback()
            return
        owner = session.get(User, subscription.query.owner_id)
        if owner is None or not owner.active:
            session.rollback()
            return
        rows = _next_events(session, subscription, owner, config, look_back)
        if not rows and not (subscription.report_due and subscription.report_if_empty):
            subscription.report_due = False
            session.commit()
            return
        body = json.dumps(query_document(config, subscription, rows),
                          ensure_ascii=False).encode()
        error = post(subscription.dest, body, subscription.signature_token)
        moment = now or dt.datetime.now(dt.UTC)
        if error is not None:
            subscription.failures += 1
            delay = min(base * 2 ** (subscription.failures - 1), MAX_BACK_OFF)
            subscription.retry_at = moment + dt.timedelta(seconds=delay)
            subscription.last_error = error[:500]
            if subscription.stream:  # a scheduled run stays owed; a stream waits for retry_at
                subscription.report_due = False
            session.commit()
            log.warning("EPCIS subscription %s: delivery failed (%s), retry at %s",
                        subscription.subscription_id, error, subscription.retry_at)
            return
        if rows:
            _delivered(session, subscription, rows, look_back)
        subscription.last_notified_at = moment
        subscription.failures, subscription.retry_at, subscription.last_error = 0, None, None
        done = len(rows) < BATCH
        if done:
            subscription.report_due = False
        session.commit()
        if done:
            return


def deliver(app: Flask, subscription_id: int) -> None:
    """The job: deliver one subscription in its own app context and session."""
    background.in_own_session(
        app, lambda session: deliver_in_session(app, session, subscription_id),
        f"EPCIS subscription {subscription_id}: delivery")


# The RQ job, named by path: it builds an app in a bare worker, so nothing here imports it.
HANDOFF = background.Handoff(QUEUE, "freshcircle.platform.ledger.worker.run_job", deliver,
                             job_timeout=600)


def wait_for_jobs(timeout: float = 120) -> None:
    """Block until the in-process deliveries submitted so far have finished (tests)."""
    HANDOFF.wait(timeout)

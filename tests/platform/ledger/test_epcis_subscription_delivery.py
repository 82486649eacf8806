"""EPCIS subscriptions delivered for real: committed rows, the delivery job (in-process thread,
or RQ on Redis), and a webhook that is an HTTP server on 127.0.0.1 checking the GS1-Signature.

A failed delivery (500) is retried with the same events and the position moves only after a
2xx; `initialRecordTime`; `reportIfEmpty` on schedule; another tenant's events are never
delivered; a disabled owner gets nothing; an event that commits after a later-recorded one was
delivered is still sent, once. Runs on a database of its own (SQLite, or
PostgreSQL beside the suite's).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from flask_migrate import upgrade
from rq import SimpleWorker
from sqlalchemy import delete, func, select

from freshcircle.platform import create_app
from freshcircle.platform.core.services import reference_data
from freshcircle.platform.extensions import db
from freshcircle.platform.ledger.services import epcis_store, subscription_delivery
from freshcircle.platform.models import (
    Batch,
    EpcisDeliveredEvent,
    EpcisEventRecord,
    EpcisNamedQuery,
    EpcisSubscription,
    Order,
    OrderLine,
    OrderStatus,
    Role,
    User,
)
from tests.factories import PASSWORD, Factory
from tests.platform.epcis_helpers import lot_document
from tests.platform.market_helpers import market
from tests.platform.own_database import own_database
from tests.platform.redis_db import flushed_redis

REDIS_URL = "redis://127.0.0.1:6379/12"
QUERIES = "/api/v1/epcis/queries"
TOKEN = "13df38d8275b13f05704629e5f1cf3d45d6132d5"
pytestmark = [pytest.mark.no_db_isolation]


class Webhook:
    """An HTTP server on 127.0.0.1 that keeps every POST and answers the next of `statuses`
    (200 once they run out)."""

    def __init__(self):
        self.received: list[dict] = []
        self.statuses: list[int] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = hook.statuses.pop(0) if hook.statuses else 200
                headers = {k.lower(): v for k, v in self.headers.items()}
                hook.received.append({"body": body, "headers": headers, "status": status})
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/epcis-callback"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def documents(self, status: int | None = None) -> list[dict]:
        """The documents received (answered with `status`), each signature checked."""
        found = []
        for item in self.received:
            expected = hmac.new(TOKEN.encode(), item["body"], hashlib.sha256).hexdigest()
            assert item["headers"]["gs1-signature"] == expected
            if status is None or item["status"] == status:
                found.append(json.loads(item["body"]))
        return found

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def event_ids(document: dict) -> list[str]:
    results = document["epcisBody"]["queryResults"]
    return [e["eventID"] for e in results["resultsBody"]["eventList"]]


@pytest.fixture(scope="module")
def own_app(tmp_path_factory):
    with own_database(tmp_path_factory.mktemp("subscriptions"), "subscriptions") as url:
        app = create_app({"TESTING": True, "SECRET_KEY": "subscriptions",
                          "WTF_CSRF_ENABLED": False, "SERVER_NAME": "localhost",
                          "SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False,
                          "SIGNING_KEYS": "t1=dGVzdC1zaWduaW5nLWtleS0zMi1ieXRlcy1sb25nISE",
                          "EPCIS_SUBSCRIPTION_RETRY_SECONDS": 30})
        with app.app_context():
            upgrade()
            reference_data.load_products(db.session)
            reference_data.load_places(db.session)
            db.session.commit()
            db.session.remove()
        yield app
        subscription_delivery.wait_for_jobs()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def webhook():
    hook = Webhook()
    yield hook
    hook.close()


@pytest.fixture
def world(own_app):
    """Two producers' lots, each listed; the first lot bought by the first market's buyer.
    The test's named queries and subscriptions are deleted after it."""
    with own_app.app_context():
        make = Factory(db.session)
        bought, other = market(make, db.session), market(make, db.session)
        order = Order(buyer_id=bought.buyer.id, producer_id=bought.listing.producer_id,
                      site_id=bought.site.id, status=OrderStatus.CONFIRMED,
                      dispatch_date=dt.date(2026, 12, 6))
        order.lines.append(OrderLine(listing_id=bought.listing.id,
                                     batch_id=bought.listing.batch_id, quantity_g=10_000,
                                     price_fen_per_jin=350))
        db.session.add(order)
        inspector = make.user(Role.INSPECTOR)
        db.session.commit()
        ids = {"farmer": bought.farmer.phone, "other_farmer": other.farmer.phone,
               "buyer": bought.buyer.phone, "buyer_id": bought.buyer.id,
               "inspector": inspector.phone, "lot": bought.listing.batch.lot_code,
               "other_lot": other.listing.batch.lot_code,
               "batch": bought.listing.batch_id, "other_batch": other.listing.batch_id}
        db.session.remove()
    yield ids
    subscription_delivery.wait_for_jobs()
    with own_app.app_context():  # the next test's ticks must not find this one's webhooks
        db.session.execute(delete(EpcisSubscription))
        db.session.execute(delete(EpcisNamedQuery))
        db.session.commit()
        db.session.remove()


def _client(app, phone):
    client = app.test_client()
    assert client.post("/login", data={"phone": phone, "password": PASSWORD}).status_code == 302
    return client


def _capture(app, phone, batch_id, steps, hour=9):
    with app.app_context():
        batch = db.session.get(Batch, batch_id)
        document = lot_document(app, db.session, batch, steps=steps,
                                start=dt.datetime(2026, 11, 20, hour, tzinfo=dt.UTC))
        db.session.remove()
    response = _client(app, phone).post("/api/v1/epcis/capture", json=document)
    assert response.status_code == 202 and response.json["captured"] == len(steps), \
        response.get_data(as_text=True)
    subscription_delivery.wait_for_jobs()
    return response.json["event_ids"]


def _subscribe(client, name, **fields):
    response = client.post(f"{QUERIES}/{name}/subscriptions",
                           json={"signatureToken": TOKEN, **fields})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.json["subscriptionID"]


def _subscription(app, subscription_id) -> EpcisSubscription:
    with app.app_context():
        row = db.session.query(EpcisSubscription).filter_by(
            subscription_id=subscription_id).one()
        db.session.expunge(row)
        db.session.remove()
    return row


def _tick(app, now: dt.datetime):
    result = app.test_cli_runner().invoke(args=["deliver-epcis-subscriptions", "--now",
                                                now.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_failed_delivery_is_retried_with_the_same_events_and_nothing_is_skipped(
        own_app, world, webhook):
    buyer = _client(own_app, world["buyer"])
    assert buyer.post(QUERIES, json={"name": "lots", "query": {"eventType": "ObjectEvent"}}) \
        .status_code == 201
    early = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    everything = _subscribe(buyer, "lots", dest=webhook.url, stream=True,
                            initialRecordTime=early.isoformat())
    webhook.statuses = [500]
    first = _capture(own_app, world["farmer"], world["batch"], ("packing", "storing"))
    other = _capture(own_app, world["other_farmer"], world["other_batch"], ("packing",))
    failed = webhook.documents(500)
    assert [event_ids(d) for d in failed] == [first]
    row = _subscription(own_app, everything)
    assert row.failures == 1 and row.position_id == 0 and row.retry_at is not None
    assert "HTTP 500" in row.last_error
    # from now on (initialRecordTime defaults to now): only what comes next
    later = _subscribe(buyer, "lots", dest=webhook.url, stream=True)
    # the retry comes when its time has: before it, nothing
    assert "0 EPCIS" in _tick(own_app, row.retry_at - dt.timedelta(seconds=1))
    assert len(webhook.received) == 1
    assert "1 EPCIS" in _tick(own_app, row.retry_at + dt.timedelta(seconds=1))
    assert [event_ids(d) for d in webhook.documents(200)] == [first]
    retried = webhook.documents(200)[0]
    assert retried["type"] == "EPCISQueryDocument"
    assert retried["epcisBody"]["queryResults"]["subscriptionID"] == everything
    assert retried["epcisBody"]["queryResults"]["queryName"] == "lots"
    assert _subscription(own_app, everything).failures == 0
    webhook.received.clear()
    second = _capture(own_app, world["farmer"], world["batch"], ("shipping",), hour=12)
    by_subscription = {d["epcisBody"]["queryResults"]["subscriptionID"]: event_ids(d)
                       for d in webhook.documents(200)}
    assert by_subscription == {everything: second, later: second}
    assert not set(other) & {e for ids in by_subscription.values() for e in ids}
    state = buyer.get(f"{QUERIES}/lots/subscriptions/{everything}").json
    assert state["lastNotifiedAt"] and "failedDeliveries" not in state


def test_another_tenants_events_are_never_delivered_and_a_disabled_owner_gets_nothing(
        own_app, world, webhook):
    farmer = _client(own_app, world["farmer"])
    assert farmer.post(QUERIES, json={"name": "mine", "query": {}}).status_code == 201
    sid = _subscribe(farmer, "mine", dest=webhook.url, stream=True)
    other = _capture(own_app, world["other_farmer"], world["other_batch"], ("packing",))
    assert webhook.received == []
    mine = _capture(own_app, world["farmer"], world["batch"], ("storing",), hour=15)
    assert [event_ids(d) for d in webhook.documents()] == [mine]
    assert not set(other) & set(mine)
    with own_app.app_context():
        user = db.session.query(User).filter_by(phone=world["farmer"]).one()
        user.active = False
        db.session.commit()
        db.session.remove()
    try:
        inspector_events = _capture(own_app, world["inspector"], world["batch"], ("receiving",),
                                    hour=17)
        assert inspector_events and len(webhook.received) == 1  # disabled: nothing more
        assert _subscription(own_app, sid).position_id > 0
    finally:
        with own_app.app_context():
            user = db.session.query(User).filter_by(phone=world["farmer"]).one()
            user.active = True
            db.session.commit()
            db.session.remove()


def test_a_schedule_reports_when_due_and_an_empty_report_only_if_asked(own_app, world,
                                                                       webhook):
    inspector = _client(own_app, world["inspector"])
    inspector.post(QUERIES, json={"name": "nightly", "query": {"EQ_bizStep": "destroying"}})
    empty = _subscribe(inspector, "nightly", dest=webhook.url, reportIfEmpty=True,
                       schedule={"hour": "1", "minute": "5"})
    quiet = _subscribe(inspector, "nightly", dest=webhook.url,
                       schedule={"hour": "1", "minute": "5"})
    due = _subscription(own_app, empty).next_run_at
    assert due == _subscription(own_app, quiet).next_run_at
    assert due.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%H:%M") == "01:05"
    # a capture does not trigger a scheduled subscription: it waits for its time
    destroyed = _capture(own_app, world["farmer"], world["batch"], ("destroying",), hour=18)
    assert webhook.received == []
    assert "0 EPCIS" in _tick(own_app, due - dt.timedelta(minutes=1))
    assert "2 EPCIS" in _tick(own_app, due)
    reports = {d["epcisBody"]["queryResults"]["subscriptionID"]: event_ids(d)
               for d in webhook.documents()}
    assert reports == {empty: destroyed, quiet: destroyed}
    webhook.received.clear()
    # the next night nothing is new: `empty` reports even so, `quiet` says nothing
    assert _subscription(own_app, empty).next_run_at == due + dt.timedelta(days=1)
    assert "2 EPCIS" in _tick(own_app, due + dt.timedelta(days=1))
    documents = webhook.documents()
    assert [d["epcisBody"]["queryResults"]["subscriptionID"] for d in documents] == [empty]
    assert event_ids(documents[0]) == []
    assert "0 EPCIS" in _tick(own_app, due + dt.timedelta(days=1, minutes=1))


def test_deliveries_go_through_rq_when_redis_is_set(own_app, world, webhook):
    redis = next(iter(flushed_redis(REDIS_URL)))
    own_app.config["REDIS_URL"] = REDIS_URL
    try:
        farmer = _client(own_app, world["farmer"])
        farmer.post(QUERIES, json={"name": "queued", "query": {}})
        _subscribe(farmer, "queued", dest=webhook.url, stream=True)
        mine = _capture(own_app, world["farmer"], world["batch"], ("holding",), hour=20)
        assert webhook.received == []  # queued, not run in the web process
        queue = subscription_delivery.HANDOFF
        with own_app.app_context():
            from freshcircle.platform.background import rq_queue

            rq = rq_queue(own_app, queue.queue)
            assert rq.count >= 1
            SimpleWorker([rq], connection=rq.connection).work(burst=True)
        assert mine in [event_ids(d) for d in webhook.documents(200)]
    finally:
        own_app.config.pop("REDIS_URL", None)
        redis.flushdb()
        redis.close()


def test_an_event_committed_after_a_later_one_was_delivered_is_still_sent_once(
        own_app, world, webhook):
    farmer = _client(own_app, world["farmer"])
    assert farmer.post(QUERIES, json={"name": "late", "query": {}}).status_code == 201
    since = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    _subscribe(farmer, "late", dest=webhook.url, stream=True, initialRecordTime=since.isoformat())
    first = _capture(own_app, world["farmer"], world["batch"], ("packing",), hour=6)
    second = _capture(own_app, world["farmer"], world["batch"], ("storing",), hour=7)
    assert [event_ids(d) for d in webhook.documents()] == [first, second]
    # A transaction that wrote its event before `second` was recorded and committed after
    # `second` had been delivered: its recordTime lies below the subscription's position.
    with own_app.app_context():
        batch = db.session.get(Batch, world["batch"])
        user = db.session.scalar(select(User).where(User.phone == world["farmer"]))
        document = lot_document(own_app, db.session, batch, steps=("shipping",),
                                start=dt.datetime(2026, 11, 20, 8, tzinfo=dt.UTC))
        late, _ = epcis_store.store_event(db.session, document["epcisBody"]["eventList"][0],
                                          document["@context"], user)
        written = db.session.scalar(select(EpcisEventRecord.recorded_at).where(
            EpcisEventRecord.event_id == second[0]))
        row = db.session.scalar(select(EpcisEventRecord).where(
            EpcisEventRecord.event_id == late))
        row.recorded_at = written - dt.timedelta(seconds=1)
        db.session.commit()
        db.session.remove()
    subscription_delivery.wait_for_jobs()
    assert [event_ids(d) for d in webhook.documents()][2:] == [[late]]
    third = _capture(own_app, world["farmer"], world["batch"], ("receiving",), hour=9)
    assert [event_ids(d) for d in webhook.documents()][3:] == [third]
    # deleting the query deletes its subscriptions and what they remember having sent
    assert farmer.delete(f"{QUERIES}/late").status_code == 204
    with own_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(EpcisDeliveredEvent)) == 0
        db.session.remove()


def test_platform_events_reach_stream_subscriptions_with_the_owners_access_now(
        own_app, world, webhook):
    buyer = _client(own_app, world["buyer"])
    inspector = _client(own_app, world["inspector"])
    for client in (buyer, inspector):
        assert client.post(QUERIES, json={"name": "holds", "query": {
            "EQ_bizStep": "holding"}}).status_code == 201
    bought = _subscribe(buyer, "holds", dest=webhook.url, stream=True)
    everything = _subscribe(inspector, "holds", dest=webhook.url, stream=True)
    status = f"/api/v1/batches/{world['batch']}/status"
    held = inspector.post(status, json={"status": "held", "reason": "抽检"})
    assert held.status_code == 200, held.get_data(as_text=True)
    subscription_delivery.wait_for_jobs()
    first = {d["epcisBody"]["queryResults"]["subscriptionID"]: event_ids(d)
             for d in webhook.documents()}
    assert set(first) == {bought, everything} and len(first[bought]) == 1
    assert first[bought] == first[everything]
    webhook.received.clear()
    # the buyer's order is cancelled: the lot is no longer one it bought
    with own_app.app_context():
        order = db.session.scalar(select(Order).where(Order.buyer_id == world["buyer_id"]))
        order.status = OrderStatus.CANCELLED
        db.session.commit()
        db.session.remove()
    recalled = inspector.post(status, json={"status": "recalled", "reason": "农残超标"})
    assert recalled.status_code == 200, recalled.get_data(as_text=True)
    subscription_delivery.wait_for_jobs()
    assert [d["epcisBody"]["queryResults"]["subscriptionID"] for d in webhook.documents()] \
        == [everything]

"""On the default SQLite setup, reads keep working under load.

Eight clients at once against the real server (werkzeug, threaded) on a migrated SQLite file:
the marketplace API with a bearer token, a CORS preflight with the token, and a shopper's scan
of a printed label. Each of these GETs used to write inside its read transaction (the token's
last use, the scan row), which SQLite cannot upgrade under a concurrent writer: the review saw
hundreds of 503 and 500 answers from 4 × 25 requests. Every answer must now be a success.
"""

from __future__ import annotations

import os
import threading
from collections import Counter

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from freshcircle.platform import create_app
from freshcircle.platform.core.services import accounts, reference_data
from freshcircle.platform.extensions import db
from freshcircle.platform.models import ScanEvent
from tests.factories import Factory
from tests.platform.live_server import call, serving
from tests.platform.market_helpers import market
from tests.platform.trace_helpers import path_of, printed_codes

THREADS = 8
REQUESTS_EACH = 25

pytestmark = [
    pytest.mark.no_db_isolation,
    # The suite's SQLite run covers it; the PostgreSQL run has its own fault test.
    pytest.mark.skipif(bool(os.environ.get("FRESHCIRCLE_TEST_DATABASE_URL")),
                       reason="SQLite only: the suite runs on PostgreSQL"),
]


@pytest.fixture
def sqlite_app(tmp_path):
    app = create_app({
        "SECRET_KEY": "load-test",
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "load.db"),
        "SIGNING_KEYS": "t1=dGVzdC1zaWduaW5nLWtleS0zMi1ieXRlcy1sb25nISE",
        "MARKET_RESULTS_CACHE_SECONDS": 0,
        "SCAN_STORY_CACHE_SECONDS": 0,
        "WTF_CSRF_ENABLED": False,
    })
    with app.app_context():
        upgrade()
        reference_data.load_products(db.session)
        reference_data.load_places(db.session)
        db.session.commit()
        m = market(Factory(db.session), db.session)
        _, token = accounts.issue_token(db.session, m.buyer, "load test")
        db.session.commit()
        codes = [path_of(uri) for uri in printed_codes(app, db.session, m.listing.batch, 4)]
        db.session.remove()
    try:
        yield app, token, codes
    finally:
        with app.app_context():
            db.engine.dispose()


def test_eight_clients_reading_with_tokens_and_scanning_get_no_errors(sqlite_app):
    app, token, codes = sqlite_app
    bearer = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    preflight = {**bearer, "Origin": "https://shop.example",
                 "Access-Control-Request-Method": "GET"}
    statuses: Counter = Counter()
    failures: list[str] = []
    scans_sent = Counter()
    lock = threading.Lock()

    with serving(app) as port:
        barrier = threading.Barrier(THREADS)

        def client(number: int) -> None:
            barrier.wait(timeout=30)
            for i in range(REQUESTS_EACH):
                kind = (number + i) % 3
                try:
                    if kind == 0:
                        answer = call(port, "GET", "/api/v1/listings", bearer)
                    elif kind == 1:
                        answer = call(port, "OPTIONS", "/api/v1/listings", preflight)
                    else:
                        answer = call(port, "GET", codes[(number + i) % len(codes)],
                                      {"Accept-Language": "zh-CN"})
                except Exception as error:  # a dropped connection is an error too
                    with lock:
                        failures.append(f"{kind}: {error!r}")
                    continue
                with lock:
                    statuses[(kind, answer.status)] += 1
                    if kind == 2 and answer.status == 200:
                        scans_sent["ok"] += 1
                    if answer.status >= 400:
                        failures.append(f"{kind}: {answer.status} {answer.body[:160]!r}")

        threads = [threading.Thread(target=client, args=(n,)) for n in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

    assert not failures, (dict(statuses), failures[:10])
    assert sum(statuses.values()) == THREADS * REQUESTS_EACH
    with app.app_context():
        logged = db.session.scalar(select(func.count()).select_from(ScanEvent))
        db.session.remove()
    assert logged == scans_sent["ok"]  # every page a shopper saw logged its scan


def test_a_database_locked_past_the_busy_timeout_answers_503_with_retry_after(sqlite_app):
    """Another process holds the write lock (a long import, a backup): the API answers 503 in
    JSON and a page answers a 503 page, both with Retry-After; nothing is a 500."""
    app, _, _ = sqlite_app
    client = app.test_client()
    with app.app_context():
        blocker = db.engine.raw_connection()
    try:
        blocker.driver_connection.execute("BEGIN IMMEDIATE")
        api = client.post("/api/v1/tokens", json={"phone": "13800000001", "password": "x" * 12},
                          headers={"Accept-Language": "en"})
        page = client.post("/login", data={"phone": "13800000001", "password": "x" * 12})
    finally:
        blocker.driver_connection.execute("ROLLBACK")
        blocker.close()

    assert api.status_code == 503, api.get_data(as_text=True)
    assert api.json["message"] == "The server is busy. Please try again in a moment."
    assert int(api.headers["Retry-After"]) > 0
    assert page.status_code == 503
    assert page.mimetype == "text/html"
    assert "服务器繁忙" in page.get_data(as_text=True)
    assert int(page.headers["Retry-After"]) > 0

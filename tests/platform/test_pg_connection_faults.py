"""PostgreSQL connections terminated under writes: no 500, and no acknowledged write lost.

Writers add places through the API (bearer token) against the real server (werkzeug, threaded)
while an admin connection terminates the app's backends (pg_terminate_backend) again and
again. A request whose connection dies answers 503 with Retry-After (the client may retry);
every 201 the writers received is in the database afterwards.

Runs on its own database, created and dropped here, so it does not disturb the suite's; only
when FRESHCIRCLE_TEST_DATABASE_URL names a PostgreSQL server.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
import time
from collections import Counter

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, make_url, select, text

from freshcircle.platform import create_app
from freshcircle.platform.core.services import accounts, reference_data
from freshcircle.platform.extensions import db
from freshcircle.platform.models import Place, Role
from tests.factories import Factory
from tests.platform.live_server import call, serving

TEST_DATABASE_URL = os.environ.get("FRESHCIRCLE_TEST_DATABASE_URL")
WRITERS = 4
WRITES_EACH = 40
KILL_EVERY_S = 0.15

pytestmark = [
    pytest.mark.no_db_isolation,
    pytest.mark.skipif(not (TEST_DATABASE_URL or "").startswith("postgresql"),
                       reason="PostgreSQL only (FRESHCIRCLE_TEST_DATABASE_URL)"),
]


@pytest.fixture
def fault_database():
    """A fresh database on the test server, dropped afterwards; yields (its URL, admin engine)."""
    url = make_url(TEST_DATABASE_URL)
    name = f"{url.database}_faults_{secrets.token_hex(4)}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False), admin, name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def fault_app(fault_database):
    url, admin, name = fault_database
    app = create_app({
        "SECRET_KEY": "fault-test",
        "SQLALCHEMY_DATABASE_URI": url,
        "SIGNING_KEYS": "t1=dGVzdC1zaWduaW5nLWtleS0zMi1ieXRlcy1sb25nISE",
    })
    with app.app_context():
        upgrade()
        reference_data.load_places(db.session)
        db.session.commit()
        admin_user = Factory(db.session).user(Role.ADMIN, name="管理员")
        _, token = accounts.issue_token(db.session, admin_user, "fault test")
        db.session.commit()
        db.session.remove()
    try:
        yield app, token, admin, name
    finally:
        with app.app_context():
            db.engine.dispose()


def _place(writer: int, number: int) -> dict:
    return {"name_zh": f"冷库{writer}-{number}", "name_en": f"Fault store {writer}-{number}",
            "kind": "cold_store", "latitude": "33.16", "longitude": "115.62",
            "admin_code": "341222"}


def test_terminated_connections_give_503_not_500_and_lose_no_acknowledged_write(fault_app):
    app, token, admin, name = fault_app
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json",
               "Accept-Language": "en"}
    acknowledged: dict[int, str] = {}  # place id -> name_en, from every 201
    statuses: Counter = Counter()
    problems: list[str] = []
    lock = threading.Lock()
    writing = threading.Event()
    writing.set()
    kills = Counter()

    def writer(number: int) -> None:
        for i in range(WRITES_EACH):
            body = _place(number, i)
            try:
                answer = call(app_port, "POST", "/api/v1/places", headers,
                              json.dumps(body).encode())
            except Exception as error:  # a dropped HTTP connection is a failure too
                with lock:
                    problems.append(f"{body['name_en']}: {error!r}")
                continue
            with lock:
                statuses[answer.status] += 1
                if answer.status == 201:
                    acknowledged[json.loads(answer.body)["id"]] = body["name_en"]
                elif answer.status == 503 and answer.headers.get("retry-after"):
                    pass
                else:
                    problems.append(f"{body['name_en']}: {answer.status} {answer.body[:200]!r}")

    def killer() -> None:
        with admin.connect() as conn:
            while writing.is_set():
                killed = conn.scalar(text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name})
                kills["backends"] += killed or 0
                time.sleep(KILL_EVERY_S)

    with serving(app) as app_port:
        writers = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
        kill_thread = threading.Thread(target=killer)
        kill_thread.start()
        for thread in writers:
            thread.start()
        for thread in writers:
            thread.join(timeout=120)
        writing.clear()
        kill_thread.join(timeout=30)

    assert not problems, (dict(statuses), problems[:10])
    assert sum(statuses.values()) == WRITERS * WRITES_EACH
    assert kills["backends"] > 0  # the faults really happened
    assert acknowledged, dict(statuses)
    with app.app_context():
        stored = dict(db.session.execute(
            select(Place.id, Place.name_en).where(Place.id.in_(list(acknowledged)))).all())
        db.session.remove()
    assert stored == acknowledged  # every acknowledged write is there, as acknowledged

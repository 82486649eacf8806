"""A recall on one node is on every node's scan page within a second (issue 16).

Two app processes (two nodes) on one database and one Redis, each having served the pack's
page (so each holds the batch's rendered story in its cache). An inspector recalls the batch;
both nodes' pages show the recall warning within one second.
"""

from __future__ import annotations

import sys
import time
from contextlib import ExitStack

import pytest
from flask_migrate import upgrade
from sqlalchemy import select

from freshcircle.platform import create_app
from freshcircle.platform.core.services import reference_data
from freshcircle.platform.extensions import db
from freshcircle.platform.models import Batch, BatchStatus, Role, User
from freshcircle.platform.trace.services import recalls
from tests.factories import Factory
from tests.platform.own_database import own_database
from tests.platform.security.processes import environment, free_port, request, running
from tests.platform.trace.test_scan_stream import REDIS_URL, redis  # noqa: F401 (fixture)
from tests.platform.trace_helpers import path_of, printed_codes

KEYS = "t1=dGVzdC1zaWduaW5nLWtleS0zMi1ieXRlcy1sb25nISE"
RECALLED_ZH = "该批次已被召回"
pytestmark = pytest.mark.no_db_isolation


def _page(port: int, path: str) -> str:
    status, _headers, body = request("GET", port, path)
    assert status == 200
    return body


def test_a_recall_shows_on_every_node_within_a_second(tmp_path, redis):  # noqa: F811
    with own_database(tmp_path, "nodes") as url:
        app = create_app({"SECRET_KEY": "nodes-test", "SQLALCHEMY_DATABASE_URI": url,
                          "SIGNING_KEYS": KEYS, "REDIS_URL": REDIS_URL})
        with app.app_context():
            upgrade()
            reference_data.load_products(db.session)
            make = Factory(db.session)
            batch = make.batch(make.producer(make.user()))
            inspector = make.user(Role.INSPECTOR)
            db.session.commit()
            ids = batch.id, inspector.id
            code = path_of(printed_codes(app, db.session, batch, 1)[0])
            db.session.remove()
        env = environment(DATABASE_URL=url, SECRET_KEY="nodes-test",
                          FRESHCIRCLE_SIGNING_KEYS=KEYS, FRESHCIRCLE_REDIS_URL=REDIS_URL)
        ports = [free_port(), free_port()]
        with ExitStack() as nodes:
            for port in ports:
                nodes.enter_context(running(
                    [sys.executable, "-m", "flask", "--app", "freshcircle.platform:create_app",
                     "run", "--port", str(port), "--no-reload"], env, port))
            for port in ports:  # each node renders and keeps the page (the third scan is
                for _ in range(3):  # answered from it: trace/pages/scan_front.py)
                    assert RECALLED_ZH not in _page(port, code)

            with app.app_context():
                batch, inspector = db.session.get(Batch, ids[0]), db.session.get(User, ids[1])
                recalls.restrict(db.session, inspector, batch, BatchStatus.RECALLED, "农残超标")
                db.session.commit()
                recalled_at = time.monotonic()
                assert db.session.scalar(select(Batch.status).where(Batch.id == ids[0])) \
                    is BatchStatus.RECALLED
                db.session.remove()
            for port in ports:
                while RECALLED_ZH not in _page(port, code):
                    assert time.monotonic() - recalled_at < 1.0, f"node {port} still sells it"
                    time.sleep(0.05)
            assert time.monotonic() - recalled_at < 1.0
        with app.app_context():
            db.engine.dispose()


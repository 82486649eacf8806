"""The planning job for real: committed rows, a worker (thread or RQ on Redis), progress.

These tests need rows another connection can see, so they run on an app of their own with a
fresh SQLite database (the job's mechanics do not depend on the database; the planning itself
is tested on both databases in test_dispatch.py).
"""

from __future__ import annotations

import re
import time

import pytest
from flask_migrate import upgrade
from redis import Redis
from redis.exceptions import ConnectionError as RedisDown
from rq import SimpleWorker

from freshcircle.platform import create_app
from freshcircle.platform.core.services import reference_data
from freshcircle.platform.dispatch import jobs as dispatch_jobs
from freshcircle.platform.extensions import db
from freshcircle.platform.models import DispatchPlan
from tests.factories import PASSWORD, Factory
from tests.platform.dispatch_helpers import dispatch_day

REDIS_URL = "redis://127.0.0.1:6379/15"
pytestmark = [pytest.mark.no_db_isolation, pytest.mark.database_independent]


@pytest.fixture()
def own_app(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "jobs", "WTF_CSRF_ENABLED": False,
                      "SERVER_NAME": "localhost",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'jobs.db'}",
                      "SIGNING_KEYS": "t1=dGVzdC1zaWduaW5nLWtleS0zMi1ieXRlcy1sb25nISE",
                      "DISPATCH_MAX_ITERATIONS": 3000})
    with app.app_context():
        upgrade()
        reference_data.load_products(db.session)
        reference_data.load_places(db.session)
        db.session.commit()
        day = dispatch_day(Factory(db.session), db.session, products=("Spinach",),
                           cities=("合肥", "南京"))
        phone, ids = day.manager.phone, {"store": day.store.id, "day": day.day.isoformat()}
        db.session.remove()
    yield app, phone, ids
    dispatch_jobs.wait_for_jobs()
    with app.app_context():
        db.engine.dispose()


def _start(app, phone, ids) -> tuple[object, str]:
    client = app.test_client()
    assert client.post("/login", data={"phone": phone, "password": PASSWORD}).status_code == 302
    response = client.post("/dispatch/plans", data={**ids, "time_limit_s": 5})
    assert response.status_code == 302
    return client, response.headers["Location"]


def _plan(app, location: str) -> DispatchPlan:
    plan_id = int(re.search(r"/dispatch/plans/(\d+)", location).group(1))
    with app.app_context():
        plan = db.session.get(DispatchPlan, plan_id)
        db.session.expunge(plan)
        db.session.remove()
    return plan


def test_in_process_job_shows_progress_then_the_plan(own_app):
    app, phone, ids = own_app
    client, location = _start(app, phone, ids)
    first = client.get(location).get_data(as_text=True)
    # Right after the click the page is following the job (or it already finished).
    assert 'id="plan-progress"' in first or 'id="summary"' in first
    seen = set()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        plan = _plan(app, location)
        seen.add(plan.status)
        if plan.status in ("done", "failed"):
            break
        time.sleep(0.05)
    assert plan.status == "done" and float(plan.progress) == 1.0, plan.error
    html = client.get(location).get_data(as_text=True)
    assert 'id="summary"' in html and 'http-equiv="refresh"' not in html
    assert "合肥配送中心" in html and "南京配送中心" in html


def test_with_redis_the_plan_waits_for_an_rq_worker(own_app):
    app, phone, ids = own_app
    redis = Redis.from_url(REDIS_URL)
    try:
        redis.flushdb()
    except RedisDown:
        pytest.fail("Redis is not running on 127.0.0.1:6379 (the CI machine has it)")
    app.config["REDIS_URL"] = REDIS_URL
    try:
        client, location = _start(app, phone, ids)
        time.sleep(0.5)
        assert _plan(app, location).status == "queued"  # no worker yet: nothing ran
        html = client.get(location).get_data(as_text=True)
        assert 'http-equiv="refresh"' in html and 'id="plan-progress"' in html
        with app.app_context():
            queue = dispatch_jobs.rq_queue(app)
            assert queue.count == 1
            SimpleWorker([queue], connection=queue.connection).work(burst=True)
        plan = _plan(app, location)
        assert plan.status == "done" and plan.result, plan.error
    finally:
        redis.flushdb()

"""Label runs on RQ (batches/label_jobs.py, platform/background.py): with Redis a large run
waits on the queue until a `flask worker` (a real process) renders it; with Redis configured
but not answering, the web process renders it itself.

Real Redis (db 11, flushed), a database of the test's own, real processes for the worker.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from flask_migrate import upgrade

from freshcircle.platform import create_app
from freshcircle.platform.background import rq_queue
from freshcircle.platform.batches import label_jobs
from freshcircle.platform.core.services import reference_data
from freshcircle.platform.extensions import db
from tests.factories import Factory
from tests.platform.own_database import own_database
from tests.platform.pg_helpers import token_client
from tests.platform.redis_db import flushed_redis
from tests.platform.security.processes import free_port
from tests.traceability.pdf_helpers import page_count, require_poppler

REDIS_URL = "redis://127.0.0.1:6379/11"
KEYS = "t1=dGVzdC1zaWduaW5nLWtleS0zMi1ieXRlcy1sb25nISE"
ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.no_db_isolation


@pytest.fixture
def redis():
    yield from flushed_redis(REDIS_URL)


@pytest.fixture
def label_app(tmp_path):
    """An app on a database of its own, a farmer's batch and an API client for the farmer."""
    with own_database(tmp_path, "labeljobs") as url:
        config = {"SECRET_KEY": "label-jobs-test", "SQLALCHEMY_DATABASE_URI": url,
                  "SIGNING_KEYS": KEYS, "FILES_DIR": str(tmp_path / "files"),
                  "LABEL_SYNC_MAX": 100}
        app = create_app({"TESTING": True, **config})
        with app.app_context():
            upgrade()
            reference_data.load_products(db.session)
            make = Factory(db.session)
            farmer = make.user()
            batch = make.batch(make.producer(farmer))
            db.session.commit()
            client = token_client(app, db.session, farmer)
            batch_id = batch.id
            db.session.remove()
        yield app, client, batch_id, config
        with app.app_context():
            db.engine.dispose()


def _start(client, batch_id: int, count: int):
    started = client.post(f"/api/v1/batches/{batch_id}/labels",
                          json={"layout": "a4-24", "count": count, "net_weight": "5",
                                "unit": "jin"})
    assert started.status_code == 202, started.get_data(as_text=True)
    return started.json


def _finished(client, url: str, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(url).json
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"label run still {job['status']} after {timeout} s")


def test_with_redis_a_large_run_waits_for_a_worker_process(label_app, redis):
    require_poppler()
    app, client, batch_id, config = label_app
    app.config["REDIS_URL"] = REDIS_URL
    job = _start(client, batch_id, 480)
    time.sleep(0.5)
    assert client.get(job["url"]).json["status"] == "queued"  # nobody rendered it
    with app.app_context():
        assert rq_queue(app, label_jobs.QUEUE).count == 1
    env = {**os.environ, "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
           "SECRET_KEY": config["SECRET_KEY"], "FRESHCIRCLE_REDIS_URL": REDIS_URL,
           "FRESHCIRCLE_SIGNING_KEYS": KEYS, "FRESHCIRCLE_FILES_DIR": config["FILES_DIR"],
           "FLASK_APP": "freshcircle.platform:create_app"}
    worker = subprocess.run([sys.executable, "-m", "flask", "worker", "--burst"], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=300)
    assert worker.returncode == 0, worker.stdout + worker.stderr
    done = _finished(client, job["url"], timeout=5)
    assert done["status"] == "done" and done["progress"] == 480
    pdf = client.get(done["pdf_url"])
    assert pdf.status_code == 200 and page_count(pdf.get_data()) == 20  # 480 at 24 a sheet


def test_with_redis_down_the_web_process_renders_the_run(label_app):
    require_poppler()
    app, client, batch_id, _config = label_app
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    job = _start(client, batch_id, 240)
    done = _finished(client, job["url"])
    label_jobs.wait_for_jobs()
    assert done["status"] == "done" and done["progress"] == 240
    assert page_count(client.get(done["pdf_url"]).get_data()) == 10

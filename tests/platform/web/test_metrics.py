"""/metrics for the operators' Prometheus: absent without a token, refused without the right
one, and under gunicorn with two workers it adds up what both answered."""

from __future__ import annotations

import datetime as dt
import re
import secrets
import sys

import pytest
from redis import Redis

from freshcircle.platform import create_app
from freshcircle.platform.trace.services import scan_stream, scans
from tests.platform.security.processes import (
    environment,
    free_port,
    migrated_sqlite,
    request,
    running,
)

REDIS_URL = "redis://127.0.0.1:6379/9"
pytestmark = pytest.mark.no_db_isolation


def _app(tmp_path, **config):
    return create_app({"SECRET_KEY": "metrics-test", "RATELIMIT_ENABLED": False,
                       "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "m.db"),
                       **config})


def _value(text: str, sample: str) -> float:
    match = re.search(rf"^{re.escape(sample)} ([0-9.e+]+)$", text, re.M)
    assert match, f"{sample} not in the scrape"
    return float(match.group(1))


def test_without_a_token_there_is_no_metrics_page(tmp_path):
    assert _app(tmp_path).test_client().get("/metrics").status_code == 404


def test_a_scrape_needs_the_token_and_sees_request_times_and_the_scan_backlog(tmp_path):
    redis = Redis.from_url(REDIS_URL)
    redis.flushdb()
    client = _app(tmp_path, METRICS_TOKEN="s3cret-token", REDIS_URL=REDIS_URL).test_client()
    assert client.get("/metrics").status_code == 401
    wrong = client.get("/metrics", headers={"Authorization": "Bearer guess"})
    assert wrong.status_code == 401 and wrong.headers["WWW-Authenticate"].startswith("Bearer")

    client.get("/healthz")
    scan_stream.record(redis, scan_stream.Scan(
        scan_id=scan_stream.new_scan_id(), gtin="09520000001049", lot="L1", serial="1",
        batch_id=None, verdict="genuine", network=None, scanned_at=dt.datetime.now(dt.UTC)),
        scans.CopyRule(), counted=True, judge=False)
    scrape = client.get("/metrics", headers={"Authorization": "Bearer s3cret-token"})
    assert scrape.status_code == 200 and scrape.headers["Cache-Control"] == "no-store"
    text = scrape.get_data(as_text=True)
    assert _value(text, 'freshcircle_request_seconds_count{endpoint="health.healthz",'
                        'method="GET"}') >= 1
    assert _value(text, "freshcircle_scan_backlog") == 1
    assert _value(text, "freshcircle_scan_writer_lag_seconds") >= 0
    assert 'freshcircle_rq_queue_depth{queue="freshcircle-dispatch"} 0.0' in text
    assert 'freshcircle_rq_queue_depth{queue="freshcircle-labels"} 0.0' in text
    assert 'freshcircle_rq_queue_depth{queue="freshcircle-epcis-subscriptions"} 0.0' in text
    redis.flushdb()


def test_under_gunicorn_the_workers_counts_add_up(tmp_path):
    url, port, token = migrated_sqlite(tmp_path / "serve.db"), free_port(), secrets.token_hex(8)
    env = environment(SECRET_KEY=secrets.token_hex(32), DATABASE_URL=url,
                      FRESHCIRCLE_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="2",
                      FRESHCIRCLE_METRICS_TOKEN=token,
                      PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "prometheus"))
    command = [sys.executable, "-m", "gunicorn", "--config",
               "python:freshcircle.platform.gunicorn_conf",
               "freshcircle.platform.wsgi:production_app()"]
    with running(command, env, port):
        for _ in range(20):  # new connections: gunicorn hands them to both workers
            assert request("GET", port, "/healthz")[0] == 200
        status, _headers, text = request("GET", port, "/metrics",
                                         headers={"Authorization": f"Bearer {token}"})
    assert status == 200
    assert _value(text, 'freshcircle_request_seconds_count{endpoint="health.healthz",'
                        'method="GET"}') == 20

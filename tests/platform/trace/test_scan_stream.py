"""Scans through Redis (issue 16): the page answers without writing to the database, the
writer stores every scan once, even when it is killed mid-batch, and a Redis that is gone
never costs a consumer the page.

Real Redis: the machine's (db 9, flushed by these tests) and, where Redis must go away, a
redis-server of the test's own on a free port. Real processes for the writer.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, func, select

from freshcircle.platform import create_app
from freshcircle.platform.core.services import reference_data
from freshcircle.platform.extensions import db
from freshcircle.platform.models import ScanEvent
from freshcircle.platform.trace.services import scan_stream, scans
from tests.factories import Factory
from tests.platform.own_database import own_database
from tests.platform.redis_db import flushed_redis, start_redis_server
from tests.platform.trace_helpers import path_of, printed_codes

REDIS_URL = os.environ.get("FRESHCIRCLE_TEST_SCAN_REDIS_URL", "redis://127.0.0.1:6379/9")
ROOT = Path(__file__).resolve().parents[3]
GENUINE_ZH = "正品验证通过"
pytestmark = pytest.mark.no_db_isolation


@pytest.fixture
def redis():
    yield from flushed_redis(REDIS_URL)


@pytest.fixture
def scan_app(tmp_path):
    """An app on a database of its own with a batch and 40 printed codes; `redis_url` set."""
    with own_database(tmp_path, "scans") as url:
        app = create_app({"TESTING": True, "SECRET_KEY": "scan-stream-test",
                          "SQLALCHEMY_DATABASE_URI": url, "SERVER_NAME": "localhost",
                          "SIGNING_KEYS": "t1=dGVzdC1zaWduaW5nLWtleS0zMi1ieXRlcy1sb25nISE"})
        with app.app_context():
            upgrade()
            reference_data.load_products(db.session)
            make = Factory(db.session)
            batch = make.batch(make.producer(make.user()))
            db.session.commit()
            codes = [path_of(uri) for uri in printed_codes(app, db.session, batch, 40)]
            db.session.remove()
        yield app, url, codes
        with app.app_context():
            db.engine.dispose()


def _stored(url: str) -> tuple[int, int]:
    """(scan rows, distinct scan ids) as another connection sees them."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return tuple(conn.execute(select(func.count(), func.count(
                ScanEvent.scan_id.distinct())).select_from(ScanEvent)).one())
    finally:
        engine.dispose()


def _writer(url: str, redis_url: str, *args: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "FRESHCIRCLE_REDIS_URL": redis_url,
           "SECRET_KEY": "scan-stream-test", "FLASK_APP": "freshcircle.platform:create_app"}
    return subprocess.Popen([sys.executable, "-m", "flask", "scan-writer", *args], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)


def test_the_page_answers_from_redis_and_the_writer_stores_each_scan_once(scan_app, redis):
    app, url, codes = scan_app
    app.config["REDIS_URL"] = REDIS_URL
    client = app.test_client()
    for code in codes[:10]:
        response = client.get(code)
        assert response.status_code == 200 and GENUINE_ZH in response.get_data(as_text=True)

    assert _stored(url) == (0, 0)  # nothing written by the page
    assert redis.xlen(scan_stream.STREAM) == 10

    for _ in range(2):  # a second run finds nothing to add
        writer = _writer(url, REDIS_URL, "--once")
        output, _ = writer.communicate(timeout=60)
        assert writer.returncode == 0, output
    assert _stored(url) == (10, 10)
    assert redis.xlen(scan_stream.STREAM) == 0  # written entries leave the stream


def test_a_writer_killed_mid_batch_loses_and_doubles_nothing(scan_app, redis):
    app, url, codes = scan_app
    app.config["REDIS_URL"] = REDIS_URL
    client = app.test_client()
    for code in codes:
        assert client.get(code).status_code == 200
    # Many more scans, as the page makes them, so the writer is caught in the middle.
    rule, now = scans.CopyRule(), dt.datetime.now(dt.UTC)
    for n in range(3960):
        scan_stream.record(redis, scan_stream.Scan(
            scan_id=scan_stream.new_scan_id(), gtin="09520000001049", lot="L1",
            serial=str(n), batch_id=None, verdict="genuine", network=f"n{n % 7}",
            scanned_at=now), rule, counted=True, judge=False)
    total = len(codes) + 3960

    writer = _writer(url, REDIS_URL, "--batch", "20")
    deadline = time.monotonic() + 60
    while _stored(url)[0] < 400 and time.monotonic() < deadline:
        time.sleep(0.02)
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=10)
    writer.stdout.close()
    stored_at_kill = _stored(url)[0]
    assert 0 < stored_at_kill < total, "the writer was not killed mid-way"

    restarted = _writer(url, REDIS_URL, "--once", "--claim-idle-ms", "0")
    output, _ = restarted.communicate(timeout=120)
    assert restarted.returncode == 0, output
    assert _stored(url) == (total, total)
    assert redis.xlen(scan_stream.STREAM) == 0


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server")
def test_when_redis_goes_away_pages_keep_answering_and_scans_are_written_directly(
        scan_app, tmp_path, caplog):
    app, url, codes = scan_app
    server, own_redis = start_redis_server(tmp_path)
    try:
        app.config["REDIS_URL"] = own_redis
        client = app.test_client()
        for code in codes[:10]:
            assert client.get(code).status_code == 200
        writer = _writer(url, own_redis, "--once")
        output, _ = writer.communicate(timeout=60)
        assert writer.returncode == 0, output
        assert _stored(url)[0] == 10
    finally:
        server.kill()
        server.wait(timeout=10)

    with caplog.at_level(logging.WARNING, logger=scan_stream.__name__):
        for code in codes[10:30]:  # Redis is gone: every page still answers
            response = client.get(code)
            assert response.status_code == 200 and GENUINE_ZH in response.get_data(as_text=True)
    assert _stored(url) == (30, 30)  # written by the pages themselves
    said = [r.getMessage() for r in caplog.records if "not answering" in r.getMessage()]
    assert len(said) == 1  # said once for the outage, not once per page


def test_the_counters_judge_a_serial_as_the_database_rule_does(session, redis):
    """The same scans, fed to the SQL rule and to the Redis counters, give the same verdict
    after every scan (window, scan count and distinct networks; unknown networks never
    count as a place)."""
    rule = scans.CopyRule(window=dt.timedelta(hours=24), min_scans=5, min_networks=3)
    start = dt.datetime.now(dt.UTC) - dt.timedelta(hours=30)
    offsets_hours = [0, 1, 7, 7.5, 8, 9, 9.1, 20, 26, 27, 28, 28.5, 29, 29.5, 29.9]
    networks = ["a", "a", None, "b", "b", "c", None, "a", "d", None, "e", "e", "a", "f", "b"]
    for offset, network in zip(offsets_hours, networks, strict=True):
        now = start + dt.timedelta(hours=offset)
        scan = scan_stream.Scan(scan_id=scan_stream.new_scan_id(), gtin="09520000001049",
                                lot="L1", serial="P1", batch_id=None, verdict="genuine",
                                network=network, scanned_at=now)
        scans.record_scan(session, gtin=scan.gtin, lot=scan.lot, serial=scan.serial,
                          batch_id=None, verdict="genuine", network=network, now=now,
                          scan_id=scan.scan_id)
        by_sql = scans.copy_suspicion(session, scan.gtin, scan.serial, now, rule)
        by_redis, _ = scan_stream.record(redis, scan, rule, counted=True, judge=True)
        assert by_redis == by_sql, f"after the scan at +{offset} h"
    assert by_sql is not None  # the sequence ends looking copied

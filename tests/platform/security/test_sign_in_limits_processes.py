"""The sign-in limit holds across app processes: two real servers (`flask run`) on one SQLite
file and one Redis database, hit in turn, allow 10 failures in all, not 10 each."""

from __future__ import annotations

import contextlib
import os

import pytest

from tests.factories import PASSWORD
from tests.platform.security.processes import (
    environment,
    flask_run,
    free_port,
    migrated_sqlite,
    request,
    running,
)

REDIS_URL = os.environ.get("FRESHCIRCLE_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
PHONE = "13700001111"
pytestmark = pytest.mark.no_db_isolation


@pytest.fixture
def redis_db():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"needs Redis at {REDIS_URL}")
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


def test_two_processes_share_the_count(tmp_path, redis_db):
    url = migrated_sqlite(tmp_path / "limits.db", phone=PHONE)
    env = environment(SECRET_KEY="two-processes", DATABASE_URL=url,
                      FRESHCIRCLE_RATELIMIT_STORAGE_URL=REDIS_URL)
    ports = [free_port(), free_port()]
    with contextlib.ExitStack() as stack:
        for port in ports:
            stack.enter_context(running(flask_run(port), env, port))
        statuses = [request("POST", ports[n % 2], "/api/v1/tokens",
                            {"phone": PHONE, "password": "not-the-password"})[0]
                    for n in range(12)]
        assert statuses == [401] * 10 + [429] * 2, statuses
        for port in ports:  # the right password waits too, on either process
            status, headers, body = request("POST", port, "/api/v1/tokens",
                                            {"phone": PHONE, "password": PASSWORD})
            assert status == 429 and 0 < int(headers["Retry-After"]) <= 900
            assert "分钟后再试" in body

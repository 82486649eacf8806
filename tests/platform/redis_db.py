"""A Redis database of the machine's Redis for a test module, flushed before and after."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator

import pytest
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError


def flushed_redis(url: str) -> Iterator[Redis]:
    """For a fixture: the client of `url`'s database, empty, emptied again afterwards."""
    client = Redis.from_url(url)
    try:
        client.ping()
    except RedisConnectionError:
        pytest.fail("Redis is not running on 127.0.0.1:6379 (the CI machine has it)")
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


def start_redis_server(directory) -> tuple[subprocess.Popen, str]:
    """A redis-server of the test's own on a free port, keeping nothing on disk, once it
    answers: (its process, for the test to stop or kill, and its URL)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(["redis-server", "--port", str(port), "--save", "",
                               "--appendonly", "no", "--dir", str(directory)],
                              stdout=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 10
    while True:
        try:
            Redis.from_url(url).ping()
            return server, url
        except RedisConnectionError:
            if time.monotonic() > deadline:
                server.kill()
                pytest.fail("redis-server did not start")
            time.sleep(0.05)

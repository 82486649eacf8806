"""The scan page's Redis command, shared by a worker's threads (scan_stream.ScriptRunner):
every caller gets its own answer, a script Redis forgot is loaded again, and a Redis that stops
answering fails every waiting caller within the timeout instead of hanging the page."""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from redis import Redis
from redis.exceptions import RedisError

from freshcircle.platform.trace.services.scan_stream import REDIS_TIMEOUT_S
from freshcircle.platform.trace.services.script_runner import ScriptRunner
from tests.platform.redis_db import flushed_redis, start_redis_server

REDIS_URL = os.environ.get("FRESHCIRCLE_TEST_SCAN_REDIS_URL", "redis://127.0.0.1:6379/9")
ECHO = "redis.call('INCR', KEYS[1]) return ARGV[1]"


@pytest.fixture
def redis():
    yield from flushed_redis(REDIS_URL)


def test_callers_on_many_threads_each_get_their_own_answer(redis):
    runner = ScriptRunner(Redis.from_url(REDIS_URL, socket_timeout=REDIS_TIMEOUT_S), ECHO)

    def call(number: int) -> bytes:
        return runner(["echo:calls"], [f"caller {number}"])

    with ThreadPoolExecutor(max_workers=24) as pool:
        answers = list(pool.map(call, range(2000)))
    assert answers == [f"caller {n}".encode() for n in range(2000)]
    assert int(redis.get("echo:calls")) == 2000  # each ran once


def test_a_script_redis_forgot_is_loaded_again(redis):
    runner = ScriptRunner(Redis.from_url(REDIS_URL, socket_timeout=REDIS_TIMEOUT_S), ECHO)
    assert runner(["echo:calls"], ["before"]) == b"before"
    redis.script_flush()
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda n: runner(["echo:calls"], [str(n)]), range(40)))
    assert answers == [str(n).encode() for n in range(40)]
    assert int(redis.get("echo:calls")) == 41


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server")
def test_a_redis_that_stops_answering_fails_every_waiting_caller_in_time(tmp_path):
    server, url = start_redis_server(tmp_path)
    try:
        runner = ScriptRunner(Redis.from_url(url, socket_timeout=REDIS_TIMEOUT_S), ECHO)
        assert runner(["echo:calls"], ["up"]) == b"up"

        server.send_signal(signal.SIGSTOP)  # alive, but it answers nothing
        outcomes: list[object] = []

        def call(number: int) -> None:
            try:
                outcomes.append(runner(["echo:calls"], [str(number)]))
            except RedisError as error:
                outcomes.append(error)

        started = time.monotonic()
        threads = [threading.Thread(target=call, args=(n,), daemon=True) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        waited = time.monotonic() - started
        assert not any(thread.is_alive() for thread in threads), "a caller hangs"
        assert len(outcomes) == 8 and all(isinstance(o, RedisError) for o in outcomes)
        # each batch waits one timeout; eight callers make at most eight batches
        assert waited < 8 * REDIS_TIMEOUT_S + 2

        server.send_signal(signal.SIGCONT)
        assert runner(["echo:calls"], ["again"]) == b"again"  # a new connection
    finally:
        server.send_signal(signal.SIGCONT)
        server.kill()
        server.wait(timeout=10)

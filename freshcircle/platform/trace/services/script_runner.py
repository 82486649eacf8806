"""One Lua script run for many threads of a worker, several calls to a round trip.

The scan page's one Redis command (`scan_stream.RECORD_LUA`) goes through
`ScriptRunner`: the calls a worker's threads make while one is in flight share one write and
one read, over a socket that blocks with the kernel's timeout.
"""

from __future__ import annotations

import hashlib
import socket
import struct
import threading

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError
from redis.exceptions import TimeoutError as RedisTimeoutError


def _kernel_timed(connection):
    """`connection`, connected, its socket blocking with the kernel keeping its timeout.

    A Python socket with a timeout polls before every send and receive, and lets go of the
    GIL for the poll as for the call: two more waits for the GIL per round trip on a busy
    worker. With SO_RCVTIMEO and SO_SNDTIMEO the kernel ends a call that waits longer than the
    timeout instead, and redis-py raises its ConnectionError (a RedisError) as for a timeout."""
    connection.connect()
    sock = connection._sock  # redis-py keeps the socket here; tests/.../test_scan_front.py
    timeout = sock.gettimeout()
    if timeout:
        whole = int(timeout)
        value = struct.pack("ll", whole, int((timeout - whole) * 1_000_000))
        sock.settimeout(None)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, value)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, value)
    return connection


class _Waiter:
    """One thread's script in a ScriptRunner batch, and its answer when it comes."""

    __slots__ = ("answer", "args", "error", "leads", "ready")

    def __init__(self, args: tuple):
        self.args = args
        self.answer = self.error = None
        self.leads = False
        self.ready = threading.Lock()
        self.ready.acquire()  # released when the answer (or the lead) is this thread's

    def outcome(self):
        if self.error is not None:
            raise self.error
        return self.answer


class ScriptRunner:
    """Runs one Lua script for many threads, several calls in one round trip.

    A call made while no batch is in flight sends itself; calls made while one is in flight
    wait, and the thread whose batch comes back sends all of them in one write (a pipeline of
    EVALSHA, loading the script when Redis does not have it) and hands them their answers. So
    under load each scan's command shares a round trip with its neighbours' instead of each
    thread paying for its own write, read and wake-up. A connection that failed is dropped,
    every call of its batch raises the error, and the next batch opens a new connection."""

    def __init__(self, client, text: str):
        self.pool = client.connection_pool
        self.text = text
        self.sha = hashlib.sha1(text.encode()).hexdigest()
        self._lock = threading.Lock()
        self._queue: list[_Waiter] = []
        self._in_flight = False
        self._connection = None

    def __call__(self, keys: list[str], args: list) -> list:
        waiter = _Waiter((len(keys), *keys, *args))
        with self._lock:
            self._queue.append(waiter)
            follows, self._in_flight = self._in_flight, True
        if follows:
            waiter.ready.acquire()
            if not waiter.leads:
                return waiter.outcome()
        with self._lock:
            batch, self._queue = self._queue, []
        try:
            self._run(batch)
        finally:
            for other in batch:
                if other is not waiter:
                    other.ready.release()
            with self._lock:
                if self._queue:
                    self._queue[0].leads = True
                    self._queue[0].ready.release()
                else:
                    self._in_flight = False
        return waiter.outcome()

    def _run(self, batch: list[_Waiter]) -> None:
        connection = self._connection
        try:
            if connection is None:
                connection = self._connection = _kernel_timed(self.pool.make_connection())
            connection.send_packed_command(connection.pack_commands(
                [("EVALSHA", self.sha, *waiter.args) for waiter in batch]))
            for waiter in batch:
                try:
                    waiter.answer = connection.read_response()
                except NoScriptError as error:
                    waiter.error = error
            for waiter in batch:
                if isinstance(waiter.error, NoScriptError):
                    connection.send_command("EVAL", self.text, *waiter.args)
                    waiter.answer, waiter.error = connection.read_response(), None
        except BaseException as error:
            self._connection = None
            if connection is not None:
                connection.disconnect()
            for waiter in batch:
                waiter.error = error
            if not isinstance(error, (RedisConnectionError, RedisTimeoutError)):
                raise

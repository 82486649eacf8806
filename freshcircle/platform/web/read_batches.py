"""Reads that many threads of a process ask for at once, sent as one statement.

Under load a gunicorn worker's threads each wait on the database for their own small read;
each round trip wakes a PostgreSQL backend and the thread. `ReadBatches.read(key)` joins the
reads waiting at that moment: one thread (the first to find none in flight) runs `run(keys)`
for all of them, and hands the next batch to the first thread that came while it ran. A
read is always sent after it was asked for, so it sees every commit made before it (a
sign-out, a change); it never takes an answer read earlier.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any


class Unanswered(Exception):
    """The batch's read failed, or did not come in time."""


class _Waiter:
    __slots__ = ("answer", "failed", "key", "leads", "ready")

    def __init__(self, key: Hashable) -> None:
        self.key = key
        self.ready = threading.Event()
        self.leads = False
        self.failed = False
        self.answer: Any = None


class ReadBatches:
    def __init__(self, run: Callable[[list], dict | None], most: int = 16,
                 timeout: float = 5.0) -> None:
        """`run(keys)` -> {key: answer} (None: the read failed); at most `most` keys a batch;
        a thread waits `timeout` seconds at most for a batch another runs."""
        self.run, self.most, self.timeout = run, most, timeout
        self._lock = threading.Lock()
        self._pending: list[_Waiter] = []
        self._busy = False

    def read(self, key: Hashable) -> Any:
        """The answer for `key` (None when `run` gave none for it); raises Unanswered."""
        waiter = _Waiter(key)
        with self._lock:
            self._pending.append(waiter)
            waiter.leads = not self._busy
            self._busy = True
        if not waiter.leads:
            waiter.ready.wait(self.timeout)
            with self._lock:
                if not waiter.ready.is_set() and waiter in self._pending:
                    self._pending.remove(waiter)  # no batch took it in time
                    raise Unanswered
            waiter.ready.wait()  # in a batch that is running: its end
        if waiter.leads:  # the first read, or handed the next batch
            self._run_batch()
        if waiter.failed:
            raise Unanswered
        return waiter.answer

    def _run_batch(self) -> None:
        with self._lock:
            batch, self._pending = self._pending[:self.most], self._pending[self.most:]
        answers = None
        try:
            answers = self.run([w.key for w in batch])
        finally:  # an error of `run`: the batch's other reads fail, this thread raises it
            with self._lock:
                if self._pending:  # came while this batch ran: the first runs theirs
                    following = self._pending[0]
                    following.leads = True
                    following.ready.set()
                else:
                    self._busy = False
            for w in batch:
                if answers is None:
                    w.failed = True
                else:
                    w.answer = answers.get(w.key)
                w.leads = False
                w.ready.set()

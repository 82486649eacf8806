"""Work handed off once a request has committed: an RQ job when FRESHCIRCLE_REDIS_URL is set,
else a one-thread pool in the web process (the embedded default).

A `Handoff` is one kind of job (dispatch plans, label runs): its RQ queue, the job's dotted
name (a module that builds an app in a bare worker, so nothing here imports it), and the
function that does the work in a given app. The job is handed over only after the session
that created its row commits (SQLAlchemy's `after_commit`): before then a worker could not see
the row, and on SQLite it would wait on the request's write lock. If Redis does not take the
job the process does it in its thread rather than not at all. `flask worker` (cli.py) works
every queue; the row is the job's state either way.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session, scoped_session

from freshcircle.platform.extensions import db

log = logging.getLogger(__name__)


def rq_queue(app: Flask, name: str):
    from redis import Redis
    from rq import Queue

    return Queue(name, connection=Redis.from_url(app.config["REDIS_URL"]))


def in_own_session(app: Flask, work: Callable[[Session], None], what: str) -> None:
    """A job's body: `work` in `app`'s context with a session of its own, which it commits
    itself; an error is logged (naming `what`) and rolled back, never raised into the pool
    or the worker."""
    with app.app_context():
        session = Session(db.engine, expire_on_commit=False)
        try:
            work(session)
        except Exception:
            log.exception("%s stopped on an error", what)
            session.rollback()
        finally:
            session.close()


class Handoff:
    def __init__(self, queue: str, job: str, work: Callable[[Flask, int], None], *,
                 job_timeout: int):
        self.queue, self.job, self.work, self.job_timeout = queue, job, work, job_timeout
        self._pending = f"freshcircle_pending_{queue}"
        self._listening = f"freshcircle_listening_{queue}"
        self._lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None
        self._pid: int | None = None

    def executor(self) -> ThreadPoolExecutor:
        """This process's one-thread pool (made on first use, so a forked worker gets its
        own)."""
        with self._lock:
            if self._executor is None or self._pid != os.getpid():
                self._executor = ThreadPoolExecutor(max_workers=1,
                                                    thread_name_prefix=self.queue)
                self._pid = os.getpid()
            return self._executor

    def after_commit(self, session, item_id: int) -> None:
        """Hand `item_id` over once `session` has committed it."""
        app = current_app._get_current_object()
        real = session() if isinstance(session, scoped_session) else session
        if not real.info.get(self._listening):
            # Listeners stay for the session's life (removing one while SQLAlchemy runs
            # them fails).
            event.listen(real, "after_commit", self._submit_pending)
            event.listen(real, "after_rollback", lambda s: s.info.pop(self._pending, None))
            real.info[self._listening] = True
        real.info.setdefault(self._pending, []).append((app, item_id))

    def _submit_pending(self, session: Session) -> None:
        for app, item_id in session.info.pop(self._pending, []):
            if app.config.get("REDIS_URL"):
                try:
                    rq_queue(app, self.queue).enqueue(self.job, item_id,
                                                      job_timeout=self.job_timeout)
                    continue
                except Exception:  # Redis down: do it in this process rather than not at all
                    log.exception("could not queue %s job %s on Redis: running it here",
                                  self.queue, item_id)
            self.executor().submit(self.work, app, item_id)

    def wait(self, timeout: float = 120) -> None:
        """Block until the in-process jobs submitted so far have finished (tests)."""
        marker: Future = self.executor().submit(lambda: None)
        marker.result(timeout=timeout)

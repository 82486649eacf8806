"""Background label runs: one worker thread per process renders large runs off the request.

The job is handed to the pool only once the request that created the run has committed
(SQLAlchemy's `after_commit` on that session): before then the worker's own session could not
see the run, and on SQLite it would wait on the request's write lock. The worker renders in its
own app context and session and commits its progress every `LABEL_PROGRESS_EVERY` labels; it
is the one place besides transactions.py that commits.

With `LABEL_JOBS_SYNC` set (tests), the job renders at once in the caller's session instead.
"""

from __future__ import annotations

import logging
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor

from flask import Flask, current_app
from sqlalchemy import event, inspect
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, scoped_session

from freshcircle.platform.batches.services import label_runs
from freshcircle.platform.extensions import db
from freshcircle.platform.metrics import LABEL_RUNS
from freshcircle.platform.models import LabelRun, LabelRunStatus

log = logging.getLogger(__name__)

_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None
_executor_pid: int | None = None
_PENDING = "freshcircle_label_jobs"
_LISTENING = "freshcircle_label_jobs_listening"


def executor() -> ThreadPoolExecutor:
    """This process's one-thread pool (made on first use, so a forked worker gets its own)."""
    global _executor, _executor_pid
    with _lock:
        if _executor is None or _executor_pid != os.getpid():
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="label-run")
            _executor_pid = os.getpid()
        return _executor


def enqueue(session, run: LabelRun) -> None:
    """Render `run` in the background once `session` has committed it."""
    app = current_app._get_current_object()
    if app.config.get("LABEL_JOBS_SYNC"):
        render_in_session(app, session, run)
        return
    real = session() if isinstance(session, scoped_session) else session
    if not real.info.get(_LISTENING):
        # Listeners stay for the session's life (removing one while SQLAlchemy runs them fails).
        event.listen(real, "after_commit", _submit_pending)
        event.listen(real, "after_rollback", _drop_pending)
        real.info[_LISTENING] = True
    real.info.setdefault(_PENDING, []).append((app, run.id))


def _submit_pending(session: Session) -> None:
    for app, run_id in session.info.pop(_PENDING, []):
        executor().submit(_job, app, run_id)


def _drop_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)


def render_in_session(app: Flask, session, run: LabelRun) -> LabelRun:
    """Render now in the given session, flushing progress only (the caller commits)."""
    return label_runs.render_run(session, run, app.extensions["trace_settings"],
                                 progress_every=app.config["LABEL_PROGRESS_EVERY"])


def _job(app: Flask, run_id: int) -> None:
    """The worker: its own app context and session, progress committed as it goes."""
    with app.app_context():
        session = Session(db.engine, expire_on_commit=False)
        try:
            run = session.get(LabelRun, run_id)
            if run is None or run.status != LabelRunStatus.QUEUED:
                return
            label_runs.render_run(session, run, app.extensions["trace_settings"],
                                  progress_every=app.config["LABEL_PROGRESS_EVERY"],
                                  on_progress=session.commit,
                                  workers=app.config["LABEL_JOB_WORKERS"])
            session.commit()
            LABEL_RUNS.labels("done").inc()
        except Exception:
            log.exception("label run %s failed", run_id)
            session.rollback()
            _mark_failed(session, run_id)
            LABEL_RUNS.labels("failed").inc()
        finally:
            session.close()


def _mark_failed(session: Session, run_id: int) -> None:
    try:
        run = session.get(LabelRun, run_id)
        if run is not None and run.status != LabelRunStatus.DONE:
            run.status = LabelRunStatus.FAILED
            run.error = "the print job stopped on an error"
            run.finished_at = label_runs._now()
            session.commit()
    except SQLAlchemyError:
        log.exception("could not mark label run %s failed", run_id)
        session.rollback()


def wait_for_jobs(timeout: float = 60) -> None:
    """Block until the jobs submitted so far have finished (tests and shutdown)."""
    marker: Future = executor().submit(lambda: None)
    marker.result(timeout=timeout)


def recover_interrupted_runs(app: Flask) -> int:
    """At start-up: runs a dead process left queued or running are marked failed.

    Only runs that are stale (batches.services.label_runs.is_stale: queued past STALE_AFTER, or
    running with no heartbeat for HEARTBEAT_STALE), so a run another live worker process is
    rendering right now is left alone. Does nothing before the migrations ran.
    """
    with app.app_context():
        try:
            if not inspect(db.engine).has_table(LabelRun.__tablename__):
                return 0
            with Session(db.engine) as session:
                failed = label_runs.fail_interrupted_runs(session)
                session.commit()
                return failed
        except SQLAlchemyError:
            log.warning("could not check for interrupted label runs", exc_info=True)
            return 0

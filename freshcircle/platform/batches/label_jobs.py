"""Background label runs: large runs render off the request, as an RQ job on the queue
`freshcircle-labels` when FRESHCIRCLE_REDIS_URL is set (a `flask worker` takes it), else in a
one-thread pool of the web process (platform/background.py hands it over, once the request
that created the run has committed). The job renders in its own app context and session and
commits its progress every `LABEL_PROGRESS_EVERY` labels; it is the one place besides
transactions.py that commits.

With `LABEL_JOBS_SYNC` set (tests), the job renders at once in the caller's session instead.
"""

from __future__ import annotations

import logging

from flask import Flask, current_app
from sqlalchemy import inspect
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from freshcircle.platform import background
from freshcircle.platform.batches.services import label_runs
from freshcircle.platform.extensions import db
from freshcircle.platform.metrics import LABEL_RUNS
from freshcircle.platform.models import LabelRun, LabelRunStatus

log = logging.getLogger(__name__)

QUEUE = "freshcircle-labels"


def enqueue(session, run: LabelRun) -> None:
    """Render `run` in the background once `session` has committed it."""
    app = current_app._get_current_object()
    if app.config.get("LABEL_JOBS_SYNC"):
        render_in_session(app, session, run)
        return
    HANDOFF.after_commit(session, run.id)


def render_in_session(app: Flask, session, run: LabelRun) -> LabelRun:
    """Render now in the given session, flushing progress only (the caller commits)."""
    return label_runs.render_run(session, run, app.extensions["trace_settings"],
                                 progress_every=app.config["LABEL_PROGRESS_EVERY"])


def render_job(app: Flask, run_id: int) -> None:
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


# The RQ job, named by path: it builds an app in a bare worker, so nothing here imports it.
HANDOFF = background.Handoff(QUEUE, "freshcircle.platform.batches.worker.run_job", render_job,
                             job_timeout=3600)


def wait_for_jobs(timeout: float = 60) -> None:
    """Block until the in-process jobs submitted so far have finished (tests and shutdown)."""
    HANDOFF.wait(timeout)


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

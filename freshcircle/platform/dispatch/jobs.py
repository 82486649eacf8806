"""Dispatch planning off the request: an RQ job when `FRESHCIRCLE_REDIS_URL` is set, else a
thread in the web process (the embedded default), so a 30-second solve never holds a worker.

The plan row is the job's state: queued, running (progress committed about once a second from
the solver's stopping criterion), done (result JSON) or failed (error). Like label_jobs, the
job is handed over only once the request that created the plan has committed, and it runs in
its own app context and session; besides transactions.py and label_jobs it is the one place
that commits. An RQ worker runs `flask dispatch-worker` (see the README) and the job in
dispatch/worker.py, which makes its own app from the environment in a bare worker.

With `DISPATCH_JOBS_SYNC` (tests) the plan is computed at once in the caller's session.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from decimal import Decimal

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, scoped_session

from freshcircle.logistics.travel import TravelError, provider_from_url
from freshcircle.platform.dispatch.services import dispatch_plans
from freshcircle.platform.extensions import db
from freshcircle.platform.metrics import DISPATCH_PLANS
from freshcircle.platform.models import DispatchPlan

log = logging.getLogger(__name__)
QUEUE = "freshcircle-dispatch"
# The RQ job, named by path: it builds an app in a bare worker, so nothing here imports it.
WORKER_JOB = "freshcircle.platform.dispatch.worker.run_job"
_PENDING = "freshcircle_dispatch_jobs"
_LISTENING = "freshcircle_dispatch_jobs_listening"
_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None


def _pool() -> ThreadPoolExecutor:
    global _executor
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dispatch-plan")
        return _executor


def enqueue(session, plan: DispatchPlan) -> None:
    """Plan in the background once `session` has committed `plan`."""
    app = current_app._get_current_object()
    if app.config.get("DISPATCH_JOBS_SYNC"):
        compute_in_session(app, session, plan)
        return
    real = session() if isinstance(session, scoped_session) else session
    if not real.info.get(_LISTENING):
        event.listen(real, "after_commit", _submit_pending)
        event.listen(real, "after_rollback", lambda s: s.info.pop(_PENDING, None))
        real.info[_LISTENING] = True
    real.info.setdefault(_PENDING, []).append((app, plan.id))


def _submit_pending(session: Session) -> None:
    for app, plan_id in session.info.pop(_PENDING, []):
        if app.config.get("REDIS_URL"):
            try:
                rq_queue(app).enqueue(WORKER_JOB, plan_id, job_timeout=600)
                continue
            except Exception:  # Redis down: plan in this process rather than not at all
                log.exception("could not queue dispatch plan %s on Redis", plan_id)
        _pool().submit(run_plan, app, plan_id)


def rq_queue(app: Flask):
    from redis import Redis
    from rq import Queue

    return Queue(QUEUE, connection=Redis.from_url(app.config["REDIS_URL"]))


def compute_in_session(app: Flask, session, plan: DispatchPlan) -> None:
    """Plan now in the given session (flush only; the caller commits)."""
    plan.status, plan.started_at = dispatch_plans.RUNNING, dt.datetime.now(dt.UTC)
    _finish(session, plan, app)
    session.flush()


def _finish(session, plan: DispatchPlan, app: Flask, commit=None) -> None:
    provider = provider_from_url(app.config.get("OSRM_URL"))

    def progress(fraction: float) -> None:
        plan.progress = Decimal(str(round(fraction, 3)))
        if commit is not None:
            commit()

    try:
        data = dispatch_plans.compute(session, plan, provider, progress,
                                      max_iterations=app.config.get("DISPATCH_MAX_ITERATIONS"))
    except TravelError as error:
        plan.status = dispatch_plans.FAILED
        plan.error = f"{dispatch_plans.TRAVEL_FAILED}{error}"[:500]
    else:
        plan.result = json.dumps(data, ensure_ascii=False)
        plan.status, plan.progress = dispatch_plans.DONE, Decimal(1)
    plan.finished_at = dt.datetime.now(dt.UTC)


def run_plan(app: Flask, plan_id: int) -> None:
    """Compute plan `plan_id` in its own app context and session, committing progress."""
    with app.app_context():
        session = Session(db.engine, expire_on_commit=False)
        try:
            plan = session.get(DispatchPlan, plan_id)
            if plan is None or plan.status != dispatch_plans.QUEUED:
                return
            plan.status, plan.started_at = dispatch_plans.RUNNING, dt.datetime.now(dt.UTC)
            session.commit()
            _finish(session, plan, app, commit=session.commit)
            session.commit()
            DISPATCH_PLANS.labels("done").inc()
        except Exception:
            log.exception("dispatch plan %s failed", plan_id)
            session.rollback()
            _mark_failed(session, plan_id)
            DISPATCH_PLANS.labels("failed").inc()
        finally:
            session.close()


def _mark_failed(session: Session, plan_id: int) -> None:
    try:
        plan = session.get(DispatchPlan, plan_id)
        if plan is not None and plan.status in (dispatch_plans.QUEUED, dispatch_plans.RUNNING):
            plan.status = dispatch_plans.FAILED
            plan.error = f"{dispatch_plans.JOB_FAILED}the planning job stopped on an error"
            plan.finished_at = dt.datetime.now(dt.UTC)
            session.commit()
    except SQLAlchemyError:
        log.exception("could not mark dispatch plan %s failed", plan_id)
        session.rollback()


def wait_for_jobs(timeout: float = 120) -> None:
    """Block until the in-process jobs submitted so far have finished (tests)."""
    marker: Future = _pool().submit(lambda: None)
    marker.result(timeout=timeout)

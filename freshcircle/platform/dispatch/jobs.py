"""Dispatch planning off the request: an RQ job when `FRESHCIRCLE_REDIS_URL` is set, else a
thread in the web process (the embedded default; platform/background.py hands it over), so a
30-second solve never holds a worker.

The plan row is the job's state: queued, running (progress committed about once a second from
the solver's stopping criterion), done (result JSON) or failed (error). Like label_jobs, the
job is handed over only once the request that created the plan has committed, and it runs in
its own app context and session; besides transactions.py and label_jobs it is the one place
that commits. An RQ worker runs `flask worker` (see the README) and the job in
dispatch/worker.py, which makes its own app from the environment in a bare worker.

With `DISPATCH_JOBS_SYNC` (tests) the plan is computed at once in the caller's session.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from decimal import Decimal

from flask import Flask, current_app
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from freshcircle.logistics.travel import TravelError, provider_from_url
from freshcircle.platform import background
from freshcircle.platform.dispatch.services import dispatch_plans
from freshcircle.platform.extensions import db
from freshcircle.platform.metrics import DISPATCH_PLANS
from freshcircle.platform.models import DispatchPlan

log = logging.getLogger(__name__)
QUEUE = "freshcircle-dispatch"


def enqueue(session, plan: DispatchPlan) -> None:
    """Plan in the background once `session` has committed `plan`."""
    app = current_app._get_current_object()
    if app.config.get("DISPATCH_JOBS_SYNC"):
        compute_in_session(app, session, plan)
        return
    HANDOFF.after_commit(session, plan.id)


def rq_queue(app: Flask):
    return background.rq_queue(app, QUEUE)


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


# The RQ job, named by path: it builds an app in a bare worker, so nothing here imports it.
HANDOFF = background.Handoff(QUEUE, "freshcircle.platform.dispatch.worker.run_job", run_plan,
                             job_timeout=600)


def wait_for_jobs(timeout: float = 120) -> None:
    """Block until the in-process jobs submitted so far have finished (tests)."""
    HANDOFF.wait(timeout)

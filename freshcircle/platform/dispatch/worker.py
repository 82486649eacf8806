"""The dispatch planning job as an RQ worker runs it (dispatch.jobs enqueues it by name).

`flask worker` runs it inside the CLI's app; a bare `rq worker` has no app, so the job makes one
from the environment (platform/worker_app.py). Nothing in the web app imports this module.
"""

from __future__ import annotations

from freshcircle.platform.dispatch.jobs import run_plan
from freshcircle.platform.worker_app import run_in_worker


def run_job(plan_id: int) -> None:
    """The RQ job: plan `plan_id` in the worker's app."""
    run_in_worker(run_plan, plan_id)

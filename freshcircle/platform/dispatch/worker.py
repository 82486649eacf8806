"""The dispatch planning job as an RQ worker runs it (dispatch.jobs enqueues it by name).

`flask dispatch-worker` runs it inside the CLI's app; a bare `rq worker` has no app, so the job
makes one from the environment. Nothing in the web app imports this module: building an app is
the worker's business, not a page's or a service's.
"""

from __future__ import annotations

from flask import current_app, has_app_context

from freshcircle.platform.dispatch.jobs import run_plan


def run_job(plan_id: int) -> None:
    """The RQ job: plan `plan_id` in the worker's app (made from the environment unless one is
    active)."""
    if has_app_context():
        run_plan(current_app._get_current_object(), plan_id)
        return
    from freshcircle.platform import create_app

    run_plan(create_app(), plan_id)

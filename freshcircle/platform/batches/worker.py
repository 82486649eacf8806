"""The label run job as an RQ worker runs it (batches.label_jobs enqueues it by name).

`flask worker` runs it inside the CLI's app; a bare `rq worker` has no app, so the job makes one
from the environment (platform/worker_app.py). Nothing in the web app imports this module.
"""

from __future__ import annotations

from freshcircle.platform.batches.label_jobs import render_job
from freshcircle.platform.worker_app import run_in_worker


def run_job(run_id: int) -> None:
    """The RQ job: render label run `run_id` in the worker's app."""
    run_in_worker(render_job, run_id)

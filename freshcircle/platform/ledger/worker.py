"""The EPCIS subscription delivery job as an RQ worker runs it (subscription_delivery enqueues
it by name).

`flask worker` runs it inside the CLI's app; a bare `rq worker` has no app, so the job makes one
from the environment (platform/worker_app.py). Nothing in the web app imports this module.
"""

from __future__ import annotations

from freshcircle.platform.ledger.services.subscription_delivery import deliver
from freshcircle.platform.worker_app import run_in_worker


def run_job(subscription_id: int) -> None:
    """The RQ job: deliver subscription `subscription_id` in the worker's app."""
    run_in_worker(deliver, subscription_id)

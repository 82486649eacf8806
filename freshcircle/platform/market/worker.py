"""The arrival-index build job as an RQ worker runs it (market/services/arrival_jobs.py
enqueues it by name). Nothing in the web app imports this module."""

from __future__ import annotations

from freshcircle.platform.market.services.arrival_jobs import build_site
from freshcircle.platform.worker_app import run_in_worker


def run_job(site_id: int) -> None:
    """The RQ job: write buyer site `site_id`'s arrival rows in the worker's app."""
    run_in_worker(build_site, site_id)

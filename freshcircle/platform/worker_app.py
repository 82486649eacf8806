"""The app an RQ job runs in (dispatch/worker.py, batches/worker.py): `flask worker`'s, or
one made from the environment in a bare `rq worker`. Building an app is the worker's business:
nothing in the web app imports this module.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, has_app_context


def run_in_worker(work: Callable[[Flask, int], None], item_id: int) -> None:
    """An RQ job's body: `work` in the worker's app (`flask worker` has one; a bare `rq worker`
    gets one made from the environment)."""
    if has_app_context():
        work(current_app._get_current_object(), item_id)
        return
    from freshcircle.platform import create_app

    work(create_app(), item_id)

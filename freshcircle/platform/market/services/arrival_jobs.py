"""A buyer site's rows in the arrival index, written before its first search needs them.

`arrival_index.ensure_current` builds a site's rows on its first arrival search if none exist:
a row per listing not closed, about 3 s at 100,000 listings, in the middle of a buyer's
request. So a new buyer site is handed to a background job once the transaction that added it
commits (an RQ job on `freshcircle-arrival-index` with FRESHCIRCLE_REDIS_URL, else a thread
in the process: platform/background.py), and `flask build-arrival-index` does the same for the
sites that have none yet (after an upgrade, or a restore). A search that comes first still
builds the rows itself; whichever finishes second finds them there (`arrival_index.build`).
"""

from __future__ import annotations

import datetime as dt

from flask import Flask, current_app, has_app_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from freshcircle.platform import background
from freshcircle.platform.market.services import arrival_index
from freshcircle.platform.models import ArrivalSite, Place, PlaceKind

QUEUE = "freshcircle-arrival-index"


def build_site(app: Flask, site_id: int) -> None:
    """The job: write `site_id`'s rows in its own session, unless they exist."""

    def build(session: Session) -> None:
        site = session.get(Place, site_id)
        if site is not None and session.get(ArrivalSite, site_id) is None:
            arrival_index.build(session, site, dt.datetime.now(dt.UTC))
            session.commit()

    background.in_own_session(app, build, f"arrival index: building site {site_id}")


# The RQ job, named by path: it builds an app in a bare worker, so nothing here imports it.
HANDOFF = background.Handoff(QUEUE, "freshcircle.platform.market.worker.run_job", build_site,
                             job_timeout=1800)


def note_new_sites(session: Session) -> None:
    """After a flush: hand each buyer site it added to the job, once the session commits."""
    if not has_app_context() or not current_app.config.get("ARRIVAL_INDEX_PREBUILD"):
        return  # a bare session (the benches), or tests: sites join on their first search
    for obj in session.new:
        if isinstance(obj, Place) and obj.kind == PlaceKind.BUYER_SITE:
            HANDOFF.after_commit(session, obj.id)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, flush_context) -> None:
    note_new_sites(session)


def unindexed_sites(session: Session) -> list[int]:
    """Buyer sites with no rows in the arrival index."""
    return list(session.scalars(
        select(Place.id).outerjoin(ArrivalSite, ArrivalSite.site_id == Place.id)
        .where(Place.kind == PlaceKind.BUYER_SITE, ArrivalSite.site_id.is_(None))
        .order_by(Place.id)))


def wait_for_jobs(timeout: float = 120) -> None:
    """Block until the in-process builds submitted so far have finished (tests)."""
    HANDOFF.wait(timeout)

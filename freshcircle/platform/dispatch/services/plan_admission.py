"""What a plan request must pass before it is queued, because planning is one worker shared
by every tenant: a dispatch day from today (China) to a year ahead, one plan at a time per
cold store, and a daily quota of plans per producer (DISPATCH_PLANS_PER_DAY).

A plan still queued or running long after it could have finished was left behind by a process
that died (the in-process thread does not survive a restart); it is marked failed so that it
blocks its cold store no longer. The one-at-a-time rule is also a partial unique index on
dispatch_plans (ix_dispatch_plans_one_active_per_depot), so two racing requests cannot both
pass it.
"""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from freshcircle.platform.core.services import quotas
from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.core.services.errors import Conflict
from freshcircle.platform.models import DispatchPlan, Place

QUEUED, RUNNING, FAILED = "queued", "running", "failed"
ACTIVE = (QUEUED, RUNNING)
DAYS_AHEAD = 365
# Far beyond a queue of plans of at most 60 s each, and a 60 s solve.
STALE_QUEUED = dt.timedelta(minutes=30)
STALE_RUNNING = dt.timedelta(minutes=15)
LEFT_BEHIND = "job: the planning job did not finish (the server restarted); plan again"

BUSY = _l("A plan for this cold store is being made; wait for it to finish, then plan again.")


def day_error(day: dt.date, today: dt.date | None = None):
    """Why `day` cannot be planned, or None."""
    today = today or today_in_china()
    if not today <= day <= today + dt.timedelta(days=DAYS_AHEAD):
        return _l("Choose a dispatch day from today to one year ahead.")
    return None


def admit(session: Session, depot: Place, now: dt.datetime | None = None) -> None:
    """Raise Conflict while the cold store has a plan queued or running, QuotaExceeded when its
    producer has used today's plans; first retire plans that a dead process left behind."""
    now = now or dt.datetime.now(dt.UTC)
    session.execute(
        update(DispatchPlan)
        .where(DispatchPlan.depot_id == depot.id, or_(
            (DispatchPlan.status == QUEUED) & (DispatchPlan.created_at < now - STALE_QUEUED),
            (DispatchPlan.status == RUNNING)
            & (func.coalesce(DispatchPlan.started_at, DispatchPlan.created_at)
               < now - STALE_RUNNING)))
        .values(status=FAILED, error=LEFT_BEHIND, finished_at=now)
        .execution_options(synchronize_session="fetch"))
    busy = session.scalar(select(DispatchPlan.id).where(
        DispatchPlan.depot_id == depot.id, DispatchPlan.status.in_(ACTIVE)).limit(1))
    if busy is not None:
        raise Conflict(BUSY)
    made_today = session.scalar(select(func.count()).select_from(DispatchPlan).where(
        DispatchPlan.producer_id == depot.producer_id,
        DispatchPlan.created_at >= quotas.china_day_start(now))) or 0
    quotas.check_daily(made_today, "DISPATCH_PLANS_PER_DAY", lambda n: _l(
        "This producer has made %(n)d dispatch plans today, the most allowed in a day; "
        "plan again tomorrow.", n=n))

"""Pre-harvest interval (安全间隔期) checks: inputs on a plot against a batch's harvest date."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from freshcircle.platform.models import Batch, FarmInput


@dataclass(frozen=True)
class SafetyStatus:
    """`ok` is False when some input's interval had not passed at harvest.

    `safe_from` is the first day a harvest from that plot would have been allowed, and
    `blocking` the inputs responsible, latest-ending last.
    """

    ok: bool
    safe_from: dt.date | None = None
    blocking: list[FarmInput] = field(default_factory=list)


def _status(batch: Batch, inputs: Iterable[FarmInput]) -> SafetyStatus:
    blocking = sorted(
        (
            i
            for i in inputs
            if i.applied_on <= batch.harvest_date < i.safe_harvest_date
        ),
        key=lambda i: i.safe_harvest_date,
    )
    if not blocking:
        return SafetyStatus(ok=True)
    return SafetyStatus(ok=False, safe_from=blocking[-1].safe_harvest_date, blocking=blocking)


def safety_statuses(session: Session, batches: list[Batch]) -> dict[int, SafetyStatus]:
    """Safety status of many batches with one query (for lists)."""
    keys = {(b.producer_id, b.plot) for b in batches}
    if not keys:
        return {}
    by_plot: dict[tuple[int, str], list[FarmInput]] = defaultdict(list)
    rows = session.scalars(
        select(FarmInput).where(tuple_(FarmInput.producer_id, FarmInput.plot).in_(list(keys)))
    )
    for record in rows:
        by_plot[(record.producer_id, record.plot)].append(record)
    return {b.id: _status(b, by_plot[(b.producer_id, b.plot)]) for b in batches}


def safety_status(session: Session, batch: Batch) -> SafetyStatus:
    return safety_statuses(session, [batch])[batch.id]

"""Pre-harvest interval (安全间隔期) checks: the inputs recorded on a batch's plot record.

Three outcomes, and a claim only from records that exist:
  passed      pesticides were recorded on the plot before harvest and every interval was over;
  not passed  some input's interval was still running at harvest (which, until when);
  no records  no pesticide was recorded on that plot before harvest: we cannot say that the
              pesticides used had passed their intervals (a fertiliser record says nothing
              about 用药).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from freshcircle.platform.models import Batch, FarmInput, InputKind

PASSED = "passed"
NOT_PASSED = "not_passed"
NO_RECORDS = "no_records"


@dataclass(frozen=True)
class SafetyStatus:
    """`ok` is False only when some input's interval had not passed at harvest (it blocks sale).

    `has_records` says whether a pesticide was recorded on the plot up to the harvest date;
    `passed` (a claim a page may show with a tick) needs both. `safe_from` is the first day a
    harvest from that plot would have been allowed, and `blocking` the inputs responsible,
    latest-ending last.
    """

    ok: bool
    has_records: bool = False
    safe_from: dt.date | None = None
    blocking: list[FarmInput] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.ok and self.has_records

    @property
    def outcome(self) -> str:
        if not self.ok:
            return NOT_PASSED
        return PASSED if self.has_records else NO_RECORDS


def _status(batch: Batch, inputs: Iterable[FarmInput]) -> SafetyStatus:
    before = [i for i in inputs if i.applied_on <= batch.harvest_date]
    blocking = sorted(
        (i for i in before if batch.harvest_date < i.safe_harvest_date),
        key=lambda i: i.safe_harvest_date,
    )
    if not blocking:
        return SafetyStatus(ok=True, has_records=any(i.kind == InputKind.PESTICIDE
                                                     for i in before))
    return SafetyStatus(ok=False, has_records=True, safe_from=blocking[-1].safe_harvest_date,
                        blocking=blocking)


def safety_statuses(session: Session, batches: list[Batch]) -> dict[int, SafetyStatus]:
    """Safety status of many batches with one query (for lists)."""
    plot_ids = {b.plot_id for b in batches}
    if not plot_ids:
        return {}
    by_plot: dict[int, list[FarmInput]] = defaultdict(list)
    for record in session.scalars(select(FarmInput).where(FarmInput.plot_id.in_(plot_ids))):
        by_plot[record.plot_id].append(record)
    return {b.id: _status(b, by_plot[b.plot_id]) for b in batches}


def safety_status(session: Session, batch: Batch) -> SafetyStatus:
    return safety_statuses(session, [batch])[batch.id]

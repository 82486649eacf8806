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

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from freshcircle.platform.models import Batch, FarmInput, InputKind, LotLink


# A harvest inside an interval is registered only when the farmer says it happened (the lot
# exists, and must be traceable), and then it cannot be sold.
def interval_sentence(**values):
    """Why a harvest is inside an interval (plot, product, applied, days, safe)."""
    return _l("安全间隔期未满: %(product)s was applied on plot %(plot)s on %(applied)s with a "
              "%(days)s-day pre-harvest interval; a harvest is allowed from %(safe)s. If it was "
              "harvested anyway, tick the confirmation: the batch cannot be sold.", **values)


CONFIRM_IN_INTERVAL = _l("Tick this only if it was harvested inside the interval.")

PASSED = "passed"
NOT_PASSED = "not_passed"
NO_RECORDS = "no_records"
MAX_DEPTH = 8  # merges of merges followed this far back


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
    return judge(batch.harvest_date, inputs)


def judge(harvest_date: dt.date, inputs: Iterable[FarmInput]) -> SafetyStatus:
    """The rule itself, for a harvest on `harvest_date` from a plot with these input records.

    The phone runs the same rule offline (static/offline/safety.js; a test compares the two).
    """
    before = [i for i in inputs if i.applied_on <= harvest_date]
    blocking = sorted(
        (i for i in before if harvest_date < i.safe_harvest_date),
        key=lambda i: i.safe_harvest_date,
    )
    if not blocking:
        return SafetyStatus(ok=True, has_records=any(i.kind == InputKind.PESTICIDE
                                                     for i in before))
    return SafetyStatus(ok=False, has_records=True, safe_from=blocking[-1].safe_harvest_date,
                        blocking=blocking)


def _combined(statuses: list[SafetyStatus]) -> SafetyStatus:
    """A lot merged from others: not passed if any was not; passed only if every one had
    pesticide records and passed; otherwise no claim."""
    blocking = [i for s in statuses for i in s.blocking]
    if blocking:
        return SafetyStatus(ok=False, has_records=True,
                            safe_from=max(s.safe_from for s in statuses if s.safe_from),
                            blocking=sorted(blocking, key=lambda i: i.safe_harvest_date))
    return SafetyStatus(ok=True, has_records=bool(statuses) and all(s.has_records
                                                                     for s in statuses))


def _merge_sources(session: Session, batch_ids: set[int]) -> dict[int, list[int]]:
    sources: dict[int, list[int]] = defaultdict(list)
    for source, target in session.execute(
            select(LotLink.source_batch_id, LotLink.target_batch_id).where(
                LotLink.kind == "merge", LotLink.target_batch_id.in_(batch_ids),
                LotLink.source_batch_id.is_not(None))):
        sources[target].append(source)
    return sources


def safety_statuses(session: Session, batches: list[Batch],
                    _depth: int = 0) -> dict[int, SafetyStatus]:
    """Safety status of many batches with a few queries (for lists). A lot merged from lots
    of other plots (its plot is named after theirs and has no records of its own) is judged
    on the records of the lots it was made from."""
    plot_ids = {b.plot_id for b in batches}
    if not plot_ids:
        return {}
    by_plot: dict[int, list[FarmInput]] = defaultdict(list)
    for record in session.scalars(select(FarmInput).where(FarmInput.plot_id.in_(plot_ids))):
        by_plot[record.plot_id].append(record)
    statuses = {b.id: _status(b, by_plot[b.plot_id]) for b in batches}
    # Only a lot without records of its own may have been merged from other plots' lots.
    bare = {b.id for b in batches if statuses[b.id].outcome == NO_RECORDS}
    merged = _merge_sources(session, bare) if bare and _depth < MAX_DEPTH else {}
    if merged:
        parents = {p.id: p for p in session.scalars(select(Batch).where(
            Batch.id.in_({i for ids in merged.values() for i in ids})))}
        theirs = safety_statuses(session, list(parents.values()), _depth + 1)
        for target, ids in merged.items():
            statuses[target] = _combined([theirs[i] for i in ids if i in theirs])
    return statuses


def harvest_status(session: Session, plot_id: int | None, harvest_date: dt.date) -> SafetyStatus:
    """What a new harvest on `harvest_date` from this plot would be judged."""
    inputs = session.scalars(select(FarmInput).where(FarmInput.plot_id == plot_id)
                             .order_by(FarmInput.id)).all()
    return judge(harvest_date, inputs)


def interval_refusal(plot_name: str, status: SafetyStatus) -> dict[str, list]:
    """The per-field refusal of a harvest inside an interval that was not confirmed.

    The phone builds the same sentence offline from the same catalog entry (offline_strings).
    """
    last = status.blocking[-1]
    return {
        "harvest_date": [interval_sentence(plot=plot_name, product=last.product_name,
                                           applied=last.applied_on.isoformat(),
                                           days=last.pre_harvest_interval_days,
                                           safe=last.safe_harvest_date.isoformat())],
        "confirm_in_interval": [CONFIRM_IN_INTERVAL],
    }


def safety_status(session: Session, batch: Batch) -> SafetyStatus:
    return safety_statuses(session, [batch])[batch.id]

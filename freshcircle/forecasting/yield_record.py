"""A producer's record of actual against planned yield, as corrections for its next plans.

A farmer who always plans 4,000 斤/亩 and harvests 3,200 has a factor of 0.8: its next
planting is expected to give 0.8 of its plan. With few past plantings the factor is shrunk
towards the pool's (every producer's), so one bad season does not halve a newcomer's forecast.
Factors are geometric means (log ratios): a harvest twice the plan and one half of it cancel.

Season updates (good, poor) carry a correction of their own, learned the same way from the
plantings that had that update; a lost planting yields nothing and is left out of the factors
(a loss is a status, not a bias).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

GOOD, POOR, LOST = "good", "poor", "lost"
PRIOR_WEIGHT = 3.0  # a producer's record counts fully after a few plantings, not after one


@dataclass(frozen=True)
class YieldOutcome:
    """One finished planting: what was planned (斤) and what was harvested (斤)."""

    producer: Hashable
    planned_jin: float
    actual_jin: float
    status: str | None = None  # the season update last given: good, poor, lost or None


@dataclass(frozen=True)
class YieldCorrection:
    """Multipliers for planned yield: per producer, per season update, and the pool's."""

    pooled: float = 1.0
    by_producer: dict[Hashable, float] = field(default_factory=dict)
    by_status: dict[str, float] = field(default_factory=dict)

    def factor(self, producer: Hashable, status: str | None = None) -> float:
        """What to multiply `producer`'s planned yield by, given its latest season update."""
        if status == LOST:
            return 0.0
        base = self.by_producer.get(producer, self.pooled)
        return base * self.by_status.get(status or "", 1.0)


def _shrunk(logs: list[float], prior: float, weight: float) -> float:
    return (sum(logs) + weight * prior) / (len(logs) + weight)


def learn_correction(outcomes: Iterable[YieldOutcome],
                     prior_weight: float = PRIOR_WEIGHT) -> YieldCorrection:
    """The corrections the outcomes support (no outcomes: no correction)."""
    usable = [o for o in outcomes
              if o.status != LOST and o.planned_jin > 0 and o.actual_jin > 0]
    if not usable:
        return YieldCorrection()
    # Producer factors from plantings without a season update (or a neutral one), so a
    # producer whose one planting was reported poor is not marked down twice.
    plain = [o for o in usable if o.status not in (GOOD, POOR)] or usable
    logs = [math.log(o.actual_jin / o.planned_jin) for o in plain]
    pooled = sum(logs) / len(logs)
    per_producer: dict[Hashable, list[float]] = defaultdict(list)
    for outcome, value in zip(plain, logs, strict=True):
        per_producer[outcome.producer].append(value)
    producer_log = {p: _shrunk(v, pooled, prior_weight) for p, v in per_producer.items()}
    by_status: dict[str, float] = {}
    for status in (GOOD, POOR):
        residuals = [math.log(o.actual_jin / o.planned_jin) - producer_log.get(o.producer, pooled)
                     for o in usable if o.status == status]
        if residuals:
            by_status[status] = math.exp(_shrunk(residuals, 0.0, prior_weight))
    return YieldCorrection(math.exp(pooled), {p: math.exp(v) for p, v in producer_log.items()},
                           by_status)

"""Weekly supply per product and county: plantings spread over their harvest windows.

A planting of 2 亩 at 3,000 斤/亩 harvested from Monday 3 June to Sunday 16 June gives
6,000 斤 over 14 days, 3,000 斤 in each of the two weeks. Its producer's correction (see
yield_record) scales it, and the band (see error_band) brackets each week's total.
Weeks start on Monday.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

from freshcircle.forecasting.error_band import DEFAULT_BAND, Band
from freshcircle.forecasting.yield_record import YieldCorrection

WEEK = dt.timedelta(days=7)


@dataclass(frozen=True)
class PlannedHarvest:
    """A planting as the forecast needs it."""

    producer: Hashable
    product: Hashable
    county: Hashable
    area_mu: float
    yield_jin_per_mu: float  # the planting's expected yield, as planned
    harvest_from: dt.date
    harvest_to: dt.date  # inclusive
    status: str | None = None  # the latest season update: good, poor, lost or None

    @property
    def planned_jin(self) -> float:
        return self.area_mu * self.yield_jin_per_mu


@dataclass(frozen=True)
class SupplyWeek:
    """Expected supply of one product from one county in the week starting `week`."""

    product: Hashable
    county: Hashable
    week: dt.date
    naive_jin: float  # plans as given
    expected_jin: float  # corrected by the producers' records and season updates
    low_jin: float
    high_jin: float


def week_start(day: dt.date) -> dt.date:
    """The Monday of `day`'s week."""
    return day - dt.timedelta(days=day.weekday())


def forecast_weeks(today: dt.date, count: int = 12) -> list[dt.date]:
    """The Mondays of this week and the `count - 1` weeks after it."""
    first = week_start(today)
    return [first + i * WEEK for i in range(count)]


def share_by_week(harvest_from: dt.date, harvest_to: dt.date) -> dict[dt.date, float]:
    """The share of a harvest window falling in each week (uniform over its days)."""
    days = (harvest_to - harvest_from).days + 1
    if days <= 0:
        return {}
    shares: dict[dt.date, float] = defaultdict(float)
    monday = week_start(harvest_from)
    while monday <= harvest_to:
        first = max(monday, harvest_from)
        last = min(monday + dt.timedelta(days=6), harvest_to)
        shares[monday] += ((last - first).days + 1) / days
        monday += WEEK
    return dict(shares)


def weekly_supply(plantings: Iterable[PlannedHarvest], weeks: Sequence[dt.date],
                  correction: YieldCorrection | None = None,
                  band: Band = DEFAULT_BAND) -> list[SupplyWeek]:
    """Supply per (product, county, week) for `weeks` (Mondays), in product, county, week
    order; only the products and counties some planting gives in those weeks."""
    correction = correction or YieldCorrection()
    wanted = set(weeks)
    naive: dict[tuple[Hashable, Hashable, dt.date], float] = defaultdict(float)
    expected: dict[tuple[Hashable, Hashable, dt.date], float] = defaultdict(float)
    for planting in plantings:
        factor = correction.factor(planting.producer, planting.status)
        for monday, share in share_by_week(planting.harvest_from, planting.harvest_to).items():
            if monday in wanted:
                key = (planting.product, planting.county, monday)
                naive[key] += planting.planned_jin * share
                expected[key] += planting.planned_jin * share * factor
    cells = {(product, county) for product, county, _ in naive}
    out = []
    for product, county in sorted(cells, key=lambda c: (str(c[0]), str(c[1]))):
        for monday in sorted(wanted):
            value = expected.get((product, county, monday), 0.0)
            out.append(SupplyWeek(product, county, monday,
                                  naive.get((product, county, monday), 0.0), value,
                                  value * band.low, value * band.high))
    return out

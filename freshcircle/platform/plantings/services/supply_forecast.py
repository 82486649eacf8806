"""The supply forecast from the plantings on record: expected 斤 per product, county and week
for the next 12 weeks, corrected by each producer's planned-against-actual record, with a band.

The arithmetic is freshcircle.forecasting's; this module reads its inputs from the tables:
- plantings whose harvest window meets the 12 weeks, with their latest season update;
- outcomes: finished plantings (window over, with batches; or lost) as planned and harvested;
- the band: past weeks' (forecast, harvest) per product and county, the forecast made with
  today's corrections (a slight hindsight the backtest in bench/forecast.py does without).

Aggregates only: no producer is named, so buyers and the public showcase may see it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from freshcircle.forecasting.error_band import Band, band_from_errors
from freshcircle.forecasting.weekly_supply import (
    WEEK,
    PlannedHarvest,
    SupplyWeek,
    forecast_weeks,
    week_start,
    weekly_supply,
)
from freshcircle.forecasting.yield_record import YieldCorrection, YieldOutcome, learn_correction
from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.models import Batch, Planting, Producer, Product
from freshcircle.platform.plantings.services.planting_yields import (
    GRAMS_PER_JIN,
    finished_plantings,
)

WEEKS = 12
ERROR_WEEKS = 52  # the band reads the errors of the last year


@dataclass(frozen=True)
class WeekSupply:
    """One week of one product (all counties, or one county): 斤 expected and its band."""

    week: dt.date
    expected_jin: float
    low_jin: float
    high_jin: float


@dataclass(frozen=True)
class ProductSupply:
    product: Product
    county_code: str | None  # None: every county
    county_name: str | None
    weeks: list[WeekSupply]

    @property
    def total_jin(self) -> float:
        return sum(w.expected_jin for w in self.weeks)

    @property
    def peak(self) -> WeekSupply:
        return max(self.weeks, key=lambda w: w.expected_jin)


@dataclass(frozen=True)
class SupplyForecast:
    weeks: list[dt.date]
    products: list[ProductSupply]  # by product (and county, when asked per county)
    band: Band
    outcomes: int  # finished plantings the corrections were learned from


def _harvest(planting: Planting) -> PlannedHarvest:
    status = planting.status.value if planting.status is not None else None
    return PlannedHarvest(planting.producer_id, planting.product_id, planting.producer.county_code,
                          float(planting.area_mu), float(planting.expected_yield_jin_per_mu),
                          planting.harvest_from, planting.harvest_to, status)


def learned_correction(session: Session, today: dt.date) -> tuple[YieldCorrection, int]:
    """The producers' corrections from every finished planting, and how many there were."""
    outcomes = [YieldOutcome(p.producer_id, float(p.expected_jin), float(jin),
                             p.status.value if p.status is not None else None)
                for p, jin in finished_plantings(session, today)]
    return learn_correction(outcomes), len(outcomes)


def past_band(session: Session, today: dt.date, correction: YieldCorrection) -> Band:
    """The band from the last year's weeks: forecast (with `correction`) against harvest."""
    this_week = week_start(today)
    since = this_week - ERROR_WEEKS * WEEK
    plantings = list(session.scalars(
        select(Planting).options(selectinload(Planting.producer))
        .where(Planting.harvest_to >= since, Planting.harvest_from < this_week)))
    if not plantings:
        return band_from_errors([])
    weeks = [since + i * WEEK for i in range(ERROR_WEEKS)]
    cells = weekly_supply([_harvest(p) for p in plantings], weeks, correction)
    county = {p.id: p.producer.county_code for p in plantings}
    product = {p.id: p.product_id for p in plantings}
    harvested: dict[tuple, float] = defaultdict(float)
    rows = session.execute(
        select(Batch.planting_id, Batch.harvest_date, func.sum(Batch.quantity_g))
        .where(Batch.planting_id.in_(list(county)))
        .group_by(Batch.planting_id, Batch.harvest_date))
    for planting_id, day, grams in rows:
        key = (product[planting_id], county[planting_id], week_start(day))
        harvested[key] += float(grams) / GRAMS_PER_JIN  # PostgreSQL sums to a Decimal
    # A week with no batches of a planting still being harvested says nothing yet.
    return band_from_errors((c.expected_jin, harvested.get((c.product, c.county, c.week), 0.0))
                            for c in cells if c.week + WEEK <= this_week and c.expected_jin > 0)


def supply_forecast(session: Session, *, county_code: str | None = None,
                    by_county: bool = False, today: dt.date | None = None) -> SupplyForecast:
    """The next 12 weeks (this week first) per product, summed over counties unless
    `by_county`; only one county's plantings with `county_code`."""
    today = today or today_in_china()
    weeks = forecast_weeks(today, WEEKS)
    correction, outcomes = learned_correction(session, today)
    band = past_band(session, today, correction)
    stmt = (select(Planting).join(Producer, Producer.id == Planting.producer_id)
            .options(selectinload(Planting.producer), selectinload(Planting.product))
            .where(Planting.harvest_to >= weeks[0],
                   Planting.harvest_from < weeks[-1] + WEEK))
    if county_code is not None:
        stmt = stmt.where(Producer.county_code == county_code)
    plantings = list(session.scalars(stmt))
    products = {p.product_id: p.product for p in plantings}
    names = {p.producer.county_code: p.producer.county_name for p in plantings}
    cells = weekly_supply([_harvest(p) for p in plantings], weeks, correction, band)
    return SupplyForecast(weeks, _group(cells, weeks, products, names, by_county), band,
                          outcomes)


def _group(cells: list[SupplyWeek], weeks: list[dt.date], products: dict[int, Product],
           names: dict[str, str], by_county: bool) -> list[ProductSupply]:
    sums: dict[tuple, list[float]] = {}
    for cell in cells:
        key = (cell.product, cell.county if by_county else None, cell.week)
        total = sums.setdefault(key, [0.0, 0.0, 0.0])
        total[0] += cell.expected_jin
        total[1] += cell.low_jin
        total[2] += cell.high_jin
    groups = sorted({(product, county) for product, county, _ in sums},
                    key=lambda g: (g[0], g[1] or ""))
    out = []
    for product_id, county in groups:
        rows = [WeekSupply(w, *sums.get((product_id, county, w), (0.0, 0.0, 0.0)))
                for w in weeks]
        if any(r.expected_jin > 0 for r in rows):
            out.append(ProductSupply(products[product_id], county,
                                     names.get(county) if county else None, rows))
    return out


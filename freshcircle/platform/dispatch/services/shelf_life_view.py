"""Predicted remaining shelf life of a batch, from the temperatures its shipments recorded.

This module only gathers rows (the produce record, the readings) and hands them to the pure
model in `freshcircle.logistics.shelf_life`; the arithmetic lives there.

What counts as the batch's temperature history:

- from the harvest (`harvest_date` at 00:00 China time) to the first reading the platform has
  no data. It assumes proper storage: that time is charged at the product's reference
  temperature (the recommended minimum, where the nominal storage life holds), and the view
  says how much time was assumed so the page can show it;
- the readings of every non-cancelled shipment that carried the batch, in time order
  (several shipments one after the other concatenate; a reading holds until the next one, so
  the time between two legs is charged at the last reading of the earlier leg, or as a gap,
  see below). Several loggers on one load are combined, not averaged: life is used at the
  warmest logger's latest reading (no older than `MAX_INTERVAL`), chilling injury judged at
  the coldest (`shelf_life.combined`);
- from the last reading to `now` again no data: also assumed proper storage (at the
  reference temperature) and counted in `assumed`.

Two readings more than `MAX_INTERVAL` apart are a gap in the log: reported, and charged at no
better than the warm end of the product's range (`shelf_life.life_used`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from freshcircle.logistics import produce as produce_table
from freshcircle.logistics import shelf_life
from freshcircle.logistics.produce import Produce
from freshcircle.platform.core.services.clock import CHINA
from freshcircle.platform.models import (
    Batch,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
    TemperatureReading,
)

MAX_INTERVAL = dt.timedelta(hours=1)  # loggers record every few minutes; longer is a hole
DAY = dt.timedelta(days=1)


def _tenths_down(duration: dt.timedelta) -> Decimal:
    """Days in `duration`, rounded down to 0.1 (a prediction never rounds up)."""
    tenths = math.floor(duration / DAY * 10 + 1e-9)
    return Decimal(max(tenths, 0)) / 10


@dataclass(frozen=True)
class LifeView:
    """What the consumer page and the listing show about a batch's remaining life.

    `days_left` is the remaining life in days at the recommended (reference) temperature,
    rounded down to 0.1: `shelf_life.RemainingLife.remaining` is expressed at that
    temperature, so it is also "the days left if kept at the recommended temperature from
    now" (`days_if_recommended`, the same number, named for the page). `days_at_warm_end` is
    what is left if kept at the top of the recommended range instead. `assumed` is the time
    without any reading (before the first and after the last) charged as proper storage.
    """

    produce: Produce
    days_left: Decimal
    fraction: float
    expired: bool
    injuries: list[shelf_life.Injury]
    gaps: list[shelf_life.Gap]
    readings: int
    assumed: dt.timedelta
    days_if_recommended: Decimal
    days_at_warm_end: Decimal
    recommended_c: float
    warm_end_c: float
    result: shelf_life.RemainingLife = field(repr=False)

    @property
    def used_up(self) -> bool:
        """Past the predicted shelf life, or less than a day of it left: the page warns and
        advises instead of printing "about 0 days"."""
        return self.expired or self.days_left < 1

    @property
    def assumed_days(self) -> Decimal:
        return _tenths_down(self.assumed)

    @property
    def percent_left(self) -> int:
        return math.floor(self.fraction * 100 + 1e-9)

    @property
    def injury_hours(self) -> Decimal:
        """Hours below the minimum of a chilling-sensitive product, rounded down to 0.1."""
        total = sum((i.duration for i in self.injuries), dt.timedelta(0))
        return Decimal(math.floor(total / dt.timedelta(hours=1) * 10 + 1e-9)) / 10

    @property
    def injury_lowest_c(self) -> float | None:
        return min((i.lowest_c for i in self.injuries), default=None)

    @property
    def shows_warm_end(self) -> bool:
        """Whether the top of the range gives a different answer worth a line."""
        return self.days_at_warm_end != self.days_if_recommended


def produce_for(name_en: str) -> Produce | None:
    """The produce record for a catalog product, or None when the table lacks it or the Q10
    model does not apply (no Q10: frozen goods, eggs)."""
    try:
        record = produce_table.by_name(name_en)
    except KeyError:
        return None
    return record if record.q10 is not None else None


def life_view(record: Produce, harvest_date: dt.date,
              readings: Iterable[tuple[dt.datetime, Decimal | float, str]],
              now: dt.datetime) -> LifeView:
    """The view from readings already loaded as (time, °C, logger), in any order.

    Several loggers are combined, not merged: the life is used at the warmest logger's
    temperature and chilling injury is judged at the coldest one (`shelf_life.combined`)."""
    by_logger: dict[str, list[shelf_life.Reading]] = {}
    count = 0
    for at, celsius, logger in readings:
        by_logger.setdefault(logger, []).append((at, float(celsius)))
        count += 1
    loggers = [sorted(series) for series in by_logger.values()]
    history = shelf_life.combined(loggers, MAX_INTERVAL)
    coldest = shelf_life.combined(loggers, MAX_INTERVAL, min)
    harvest = dt.datetime.combine(harvest_date, dt.time(), CHINA)
    if history:
        before = max(history[0][0] - harvest, dt.timedelta(0))
        after = max(now - history[-1][0], dt.timedelta(0))
        assumed = before + after
    else:
        assumed = max(now - harvest, dt.timedelta(0))
    # Assumed time is at the reference temperature, where one hour uses one hour of life.
    result = shelf_life.remaining_life(record, history, start_life=record.storage_life - assumed,
                                       max_interval=MAX_INTERVAL)
    result = dataclasses.replace(result, injuries=shelf_life.injuries(coldest, record))
    return LifeView(
        produce=record,
        days_left=_tenths_down(result.remaining),
        fraction=max(result.fraction, 0.0),
        expired=result.expired,
        injuries=result.injuries,
        gaps=result.gaps,
        readings=count,
        assumed=assumed,
        days_if_recommended=_tenths_down(result.remaining_at(record.reference_temp_c)),
        days_at_warm_end=_tenths_down(result.remaining_at(record.temp_max_c)),
        recommended_c=record.reference_temp_c,
        warm_end_c=record.temp_max_c,
        result=result,
    )


def predicted_life(session: Session, batch: Batch, now: dt.datetime) -> LifeView | None:
    """The batch's predicted remaining shelf life at `now`, or None when the produce table has
    no Q10 record for its product (see the module docstring for what is measured and what is
    assumed: before the first reading the platform has no data and assumes proper storage).

    One query: the readings of the non-cancelled shipments that carried the batch.
    """
    record = produce_for(batch.product.name_en)
    if record is None:
        return None
    rows = session.execute(
        select(TemperatureReading.recorded_at, TemperatureReading.celsius,
               TemperatureReading.sensor_id)
        .join(Shipment, Shipment.id == TemperatureReading.shipment_id)
        .join(ShipmentLine, ShipmentLine.shipment_id == Shipment.id)
        .where(ShipmentLine.batch_id == batch.id, Shipment.status != ShipmentStatus.CANCELLED)
        .order_by(TemperatureReading.recorded_at, TemperatureReading.id)
    ).all()
    return life_view(record, batch.harvest_date, [tuple(row) for row in rows], now)

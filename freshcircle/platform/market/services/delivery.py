"""Delivery promises for buyers: dispatch day by the producer's cut-off, arrival estimate and
freight, before they commit.

Dispatch: an order is dispatched on the first of the producer's dispatch weekdays whose
cut-off (the producer's `order_cutoff`, China time, on the day before) has not passed; so with
a 16:00 cut-off, an order at 15:59 leaves tomorrow and one at 16:01 the day after. Trucks leave
Fuyang at DEPARTURE (20:00) and drive through the night; the arrival is the road estimate from
`freshcircle.logistics.travel`, moved to the opening of the buyer's receiving hours when it
would fall outside them. Freight is a flat drop charge plus a rate per kg and 100 km. The
cold-chain planning issue replaces this estimator with planned routes.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from freshcircle.logistics.travel import road_leg
from freshcircle.platform.core.services.clock import CHINA
from freshcircle.platform.models import Place, Producer

DEPARTURE = dt.time(20, 0)
DROP_FEN = 8_000  # ¥80 a delivery
FEN_PER_KG_100KM = Decimal(35)  # ¥0.35 per kg per 100 km


@dataclass(frozen=True)
class Estimate:
    dispatch_date: dt.date
    cutoff: dt.datetime
    departure: dt.datetime
    arrival: dt.datetime
    distance_km: float
    freight_fen: int


def cutoff_for(producer: Producer, dispatch_date: dt.date) -> dt.datetime:
    """When orders for `dispatch_date` close: the cut-off time on the day before (China)."""
    return dt.datetime.combine(dispatch_date - dt.timedelta(days=1), producer.order_cutoff,
                               CHINA)


def dispatch_date_for(producer: Producer, now: dt.datetime) -> dt.date:
    """The first dispatch day whose cut-off is still ahead of `now`."""
    day = now.astimezone(CHINA).date() + dt.timedelta(days=1)
    weekdays = producer.dispatch_weekdays or "1234567"
    for _ in range(15):
        if str(day.isoweekday()) in weekdays and now < cutoff_for(producer, day):
            return day
        day += dt.timedelta(days=1)
    raise ValueError(f"producer {producer.id} has no dispatch days: {weekdays!r}")


def _origin(session: Session, producer: Producer) -> tuple[float, float]:
    if producer.latitude is not None and producer.longitude is not None:
        return float(producer.latitude), float(producer.longitude)
    centre = session.scalar(select(Place).where(Place.admin_code == producer.county_code))
    if centre is None:
        raise ValueError(f"no coordinates for producer {producer.id}")
    return float(centre.latitude), float(centre.longitude)


def _within_hours(site: Place, arrival: dt.datetime) -> dt.datetime:
    opens, closes = site.receiving_from, site.receiving_to
    if opens is None or closes is None:
        return arrival
    local = arrival.astimezone(CHINA)
    if opens <= local.time() <= closes:
        return arrival
    day = local.date() if local.time() < opens else local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, opens, CHINA)


def freight_fen(grams: int, distance_km: float) -> int:
    per_weight = Decimal(grams) / 1000 * Decimal(str(round(distance_km, 1))) / 100
    return DROP_FEN + math.ceil(per_weight * FEN_PER_KG_100KM)


def estimate(session: Session, producer: Producer, site: Place, grams: int,
             now: dt.datetime | None = None) -> Estimate:
    now = now or dt.datetime.now(dt.UTC)
    day = dispatch_date_for(producer, now)
    leg = road_leg(*_origin(session, producer), float(site.latitude), float(site.longitude))
    departure = dt.datetime.combine(day, DEPARTURE, CHINA)
    arrival = _within_hours(site, departure + dt.timedelta(hours=leg.hours))
    return Estimate(day, cutoff_for(producer, day), departure, arrival, leg.distance_km,
                    freight_fen(grams, leg.distance_km))

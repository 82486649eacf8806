"""The consumer's journey map: where a batch went, from its county to its buyer's city.

Public, so it names no farm and no buyer: the farm is drawn at its county seat (the place whose
GB/T 2260 code is the producer's county), a cold store or hub where the shipment passed, and a
buyer's site as the nearest served city. Points in WGS-84, in order, none repeated in a row.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from freshcircle.platform.models import Place, PlaceKind


@dataclass(frozen=True)
class JourneyPoint:
    lat: float
    lon: float
    name_zh: str
    name_en: str
    kind: str  # "farm", "store" or "city"


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    d_lat = math.radians(b[0] - a[0])
    d_lon = math.radians(b[1] - a[1]) * math.cos(math.radians((a[0] + b[0]) / 2))
    return 6371 * math.hypot(d_lat, d_lon)


def journey_points(session: Session, producer, legs) -> list[JourneyPoint]:
    """The batch's way from `producer`'s county along the `legs`' shipments (oldest first)."""
    if not legs:
        return []
    cities = session.scalars(select(Place).where(Place.kind == PlaceKind.CITY)).all()
    points: list[JourneyPoint] = []
    seat = next((c for c in cities if c.admin_code == producer.county_code), None)
    if seat is not None:
        points.append(JourneyPoint(float(seat.latitude), float(seat.longitude),
                                   producer.county_name, seat.name_en or producer.county_name,
                                   "farm"))

    def add(place: Place) -> None:
        at = (float(place.latitude), float(place.longitude))
        if place.kind in (PlaceKind.BUYER_SITE, PlaceKind.FARM):
            near = min(cities, key=lambda c: _km(at, (float(c.latitude), float(c.longitude))),
                       default=None)
            if near is None:
                return
            point = JourneyPoint(float(near.latitude), float(near.longitude), near.name_zh,
                                 near.name_en or near.name_zh,
                                 "farm" if place.kind == PlaceKind.FARM else "city")
        else:
            point = JourneyPoint(*at, place.name_zh, place.name_en or place.name_zh, "store")
        if not points or (points[-1].lat, points[-1].lon) != (point.lat, point.lon):
            points.append(point)

    for leg in legs:
        add(leg.shipment.from_place)
        add(leg.shipment.to_place)
    return points

"""Road distance and driving time between two places, estimated from coordinates.

The default estimate the cold-chain issue describes: great-circle distance times a circuity
factor (roads are not straight; about 1.3 on the YRD expressway network), at a reefer truck's
average speed, plus the legal rest of 20 minutes after every 4 hours of driving. It is an
estimate for buyers' delivery promises and freight; a routing server replaces it later
through the same function signature.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

EARTH_RADIUS_KM = 6371.0088
CIRCUITY = 1.3
REEFER_KMH = 70.0
DRIVE_BEFORE_REST_H = 4.0
REST_H = 20 / 60


@dataclass(frozen=True)
class Leg:
    distance_km: float
    hours: float


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance in km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def driving_hours(distance_km: float, speed_kmh: float = REEFER_KMH) -> float:
    """Driving time with the legal rests (none needed at the very end of the trip)."""
    driving = distance_km / speed_kmh
    rests = max(math.ceil(driving / DRIVE_BEFORE_REST_H) - 1, 0)
    return driving + rests * REST_H


def road_leg(lat1: float, lon1: float, lat2: float, lon2: float,
             circuity: float = CIRCUITY, speed_kmh: float = REEFER_KMH) -> Leg:
    distance = great_circle_km(lat1, lon1, lat2, lon2) * circuity
    return Leg(distance, driving_hours(distance, speed_kmh))

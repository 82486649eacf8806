"""Ranking producers for a standing demand: pure arithmetic on what the matcher gathered.

A candidate is a producer that grows or sells the product. It is dropped when the produce
would arrive with less shelf life than the buyer asks: the product's storage life (the produce
table's, at its proper temperature in the cold chain) less the road time to the site. The
others are scored by how much of the demand their expected supply covers (70 %) and how near
they are (30 %: 1 at the gate, 0.5 at 12 hours' drive), times the fulfilment weight (how well
the producer kept its forward contracts: `fulfilment_weight`), and ranked by score, then the
shorter drive, then the older producer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

SUPPLY_SHARE = 0.7
NEARNESS_SHARE = 0.3
NEAR_HOURS = 12.0  # the drive at which nearness is one half
# A producer with no contract weeks ended yet counts as 1.0; one that delivered all it
# contracted, on time, 1.1; one that delivered nothing 0.5.
UNPROVEN_WEIGHT, WORST_WEIGHT, BEST_WEIGHT = 1.0, 0.5, 1.1


def fulfilment_weight(delivered_share: float | None, on_time_share: float | None) -> float:
    """The rank weight of a producer's forward-contract record: what it delivered of what it
    contracted (more counts no more) times the share of it delivered in its week."""
    if delivered_share is None:
        return UNPROVEN_WEIGHT
    kept = min(1.0, delivered_share) * (1.0 if on_time_share is None else on_time_share)
    return round(WORST_WEIGHT + (BEST_WEIGHT - WORST_WEIGHT) * kept, 4)


@dataclass(frozen=True)
class Candidate:
    """What the matcher found about one producer for one demand."""

    producer_id: int
    distance_km: float
    transit_hours: float
    planting_count: int = 0
    planting_area_mu: float = 0.0
    planting_jin: float = 0.0  # expected from its plantings in the demand's weeks
    planting_weeks: tuple[dt.date, ...] = ()  # the weeks with expected supply
    listing_count: int = 0
    listing_jin: float = 0.0  # left on its active listings that last into the demand's weeks
    listed_jin: float = 0.0  # left on all its active listings of the product (what it shows)

    @property
    def supply_jin(self) -> float:
        return self.planting_jin + self.listing_jin


@dataclass(frozen=True)
class Ranked:
    candidate: Candidate
    rank: int
    score: float
    life_on_arrival_days: int
    reasons: list[dict] = field(default_factory=list)


def life_on_arrival_days(storage_life_days: int, transit_hours: float) -> int:
    """Whole days of shelf life left when the produce arrives (a part day does not count)."""
    return int((storage_life_days * 24 - transit_hours) // 24)


def score(candidate: Candidate, needed_jin: float, weight: float = 1.0) -> float:
    coverage = min(1.0, candidate.supply_jin / needed_jin) if needed_jin > 0 else 0.0
    nearness = 1.0 / (1.0 + candidate.transit_hours / NEAR_HOURS)
    return round((SUPPLY_SHARE * coverage + NEARNESS_SHARE * nearness) * weight, 4)


def reasons(candidate: Candidate, life_days: int, min_days: int) -> list[dict]:
    """The facts a buyer and the producer see, as data (the pages word them)."""
    out: list[dict] = []
    if candidate.planting_count and candidate.planting_weeks:
        out.append({"kind": "planting", "plantings": candidate.planting_count,
                    "area_mu": round(candidate.planting_area_mu, 1),
                    "jin": round(candidate.planting_jin, -2 if candidate.planting_jin >= 1000
                                 else 0),
                    "first_week": min(candidate.planting_weeks).isoformat(),
                    "last_week": max(candidate.planting_weeks).isoformat()})
    if candidate.listing_count:
        out.append({"kind": "listings", "count": candidate.listing_count,
                    "jin": round(candidate.listed_jin)})
    out.append({"kind": "transit", "km": round(candidate.distance_km),
                "hours": round(candidate.transit_hours, 1), "life_days": life_days,
                "min_days": min_days})
    return out


def rank(candidates: list[Candidate], *, needed_jin: float, storage_life_days: int,
         min_days: int, weights: dict[int, float] | None = None) -> list[Ranked]:
    """The candidates that can deliver in time, best first, ranks from 1."""
    weights = weights or {}
    kept = []
    for candidate in candidates:
        life = life_on_arrival_days(storage_life_days, candidate.transit_hours)
        if life < min_days:
            continue
        value = score(candidate, needed_jin, weights.get(candidate.producer_id, 1.0))
        kept.append((candidate, value, life))
    kept.sort(key=lambda row: (-row[1], row[0].transit_hours, row[0].producer_id))
    return [Ranked(candidate, i, value, life, reasons(candidate, life, min_days))
            for i, (candidate, value, life) in enumerate(kept, start=1)]

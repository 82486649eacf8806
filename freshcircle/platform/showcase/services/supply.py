"""The showcase's supply by county: what Fuyang's producers expect to harvest in the next 12
weeks, per county and product, from the supply forecast (plantings/services/supply_forecast.py).

Aggregates only, as the forecast is: no producer, plot or planting is named, so the public may
see it. Plain records, so a cached page holds no ORM object.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from freshcircle.platform.plantings.services.supply_forecast import ProductSupply, supply_forecast

HOME_PRODUCTS = 3  # per county on the home page, the largest first


def _about(jin: float, step: int) -> int:
    """A forecast to the `step` 斤 (the 12 weeks' total to 100, a week to 10): "约 17,000 斤",
    not a precision it does not have."""
    return int(round(jin / step) * step)


@dataclass(frozen=True)
class SupplyWeek:
    week: dt.date
    expected_jin: int
    low_jin: int
    high_jin: int


@dataclass(frozen=True)
class ProductOutlook:
    """One product in one county: the 12 weeks' total and the weeks it is expected in."""

    product_zh: str
    product_en: str
    total_jin: int
    weeks: list[SupplyWeek]  # only the weeks with a harvest expected

    @property
    def peak(self) -> SupplyWeek:
        return max(self.weeks, key=lambda w: w.expected_jin)


def _outlook(supply: ProductSupply) -> ProductOutlook:
    weeks = [SupplyWeek(w.week, _about(w.expected_jin, 10), _about(w.low_jin, 10),
                        _about(w.high_jin, 10))
             for w in supply.weeks if _about(w.expected_jin, 10) > 0]
    return ProductOutlook(supply.product.name_zh, supply.product.name_en,
                          _about(supply.total_jin, 100), weeks)


def _largest_first(outlooks: list[ProductOutlook]) -> list[ProductOutlook]:
    return sorted((o for o in outlooks if o.weeks), key=lambda o: (-o.total_jin, o.product_en))


def by_county(session: Session) -> dict[str, list[ProductOutlook]]:
    """County code → its products for the next 12 weeks, the largest first (at most
    HOME_PRODUCTS each)."""
    counties: dict[str, list[ProductOutlook]] = {}
    for supply in supply_forecast(session, by_county=True).products:
        if supply.county_code is not None:
            counties.setdefault(supply.county_code, []).append(_outlook(supply))
    return {code: _largest_first(items)[:HOME_PRODUCTS] for code, items in counties.items()}


def of_county(session: Session, county_code: str) -> list[ProductOutlook]:
    """One county's products for the next 12 weeks, the largest first."""
    return _largest_first([_outlook(s) for s in
                           supply_forecast(session, county_code=county_code).products])

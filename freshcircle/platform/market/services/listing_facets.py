"""Facet counts beside the market's filters: for each value of county, product, grade,
certification, price band and can-arrive-by, how many listings a click on it would leave.

The disjunctive rule: a facet's counts apply every active filter except the facet's own, so a
buyer who chose 太和县 still sees how many 临泉县 would show instead (clicking replaces the
county), while every other facet counts within 太和县. So each count equals the number of
results of the search with that one filter set to that value; the tests check exactly that.
Certification has one value (certified only); price bands and arrival days are the fixed
choices below, a click setting price_min/price_max or arrive_by as the form does. Counts of
can-arrive-by are cumulative (arriving by the 7th includes by the 6th), as the filter is.

Counted on the market's columns in memory (`facet_snapshot`: read once per market data
version, then array operations): the text, category, harvest and on-sale filters keep the
rows once, each facet then counts by its column the rows every other active filter keeps.
Arrival depends on the producer only: each listing takes its producer's arrival at the site
(the arrival index's `producer_arrivals`, brought up to date for `now` first).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from freshcircle.platform.core.services.clock import CHINA, today_in_china
from freshcircle.platform.market.services import (
    arrival_index,
    facet_snapshot,
    listing_browse,
    listing_search,
)
from freshcircle.platform.models import Place, Product

FACETS = ("county", "product", "grade", "certified", "price", "arrive_by")
# Price bands, fen per 斤, both ends included as the form's price_min/price_max are.
PRICE_BANDS = ((None, 199), (200, 499), (500, 999), (1000, None))
ARRIVAL_DAYS = (1, 2, 3, 4)  # arrive by the end (23:59, as the page's date) of today + n
NEVER = 2**62  # the arrival of a listing whose producer has no estimate


@dataclass(frozen=True)
class FacetValue:
    """One value of a facet: what the filter takes, the results a click leaves, whether it
    is the active filter."""

    value: object
    count: int
    active: bool = False


@dataclass
class Facets:
    values: dict[str, list[FacetValue]] = field(default_factory=dict)
    products: dict[int, Product] = field(default_factory=dict)  # the product facet's names


def arrive_by_at(day: dt.date) -> dt.datetime:
    """The can-arrive-by moment of a day (the page's date field): 23:59 China time."""
    return dt.datetime.combine(day, dt.time(23, 59), CHINA)


def arrive_by_of(today: dt.date, days: int) -> dt.datetime:
    """`arrive_by_at` today + days."""
    return arrive_by_at(today + dt.timedelta(days=days))


def _band(price: np.ndarray) -> np.ndarray:
    """Each price's index in PRICE_BANDS."""
    highs = [high for _, high in PRICE_BANDS if high is not None]
    return np.searchsorted(np.array(highs), price, side="left")


def _arrivals(session: Session, snap, site: Place | None, now: dt.datetime) -> np.ndarray:
    """Each listing's arrival at the site (microseconds; NEVER without an estimate)."""
    if site is None or not listing_browse.arrival_available():
        return np.full(len(snap.ids), NEVER, dtype=np.int64)
    arrival_index.ensure_current(session, site, now)
    known = sorted(arrival_index.producer_arrivals(session, site).items())
    producers = np.array([p for p, _ in known], dtype=np.int64)
    times = np.array([t for _, t in known] + [NEVER], dtype=np.int64)
    at = np.searchsorted(producers, snap.producer)
    found = at < len(producers)
    found[found] = producers[at[found]] == snap.producer[found]
    return np.where(found, times[np.where(found, at, len(producers))], NEVER)


def facet_counts(session: Session, query: listing_browse.BrowseQuery, *,
                 site: Place | None = None, today: dt.date | None = None,
                 now: dt.datetime | None = None) -> Facets:
    """The six facets' counts for `query` (can-arrive-by only with a site; see above)."""
    now = now or dt.datetime.now(dt.UTC)
    today = today or today_in_china(now)
    listing_browse.check_arrival(dataclasses.replace(query, sort="price"), site)
    snap = facet_snapshot.snapshot(session)
    base = snap.on_offer & (snap.last_day >= today.toordinal())
    if query.category:
        base &= snap.category == snap.code("categories", query.category)
    if query.harvested_from is not None:
        base &= snap.harvest >= query.harvested_from.toordinal()
    ids = listing_search.matching_ids(query.q, session) if query.q else None
    if ids is not None:
        base &= np.isin(snap.ids, np.array(ids, dtype=np.int64))
    arrival = _arrivals(session, snap, site, now)
    price = snap.price
    filters = {
        "county": snap.county == snap.code("counties", query.county) if query.county else None,
        "product": snap.product == query.product if query.product else None,
        "grade": snap.grade == snap.code("grades", query.grade) if query.grade else None,
        "certified": snap.certified if query.certified else None,
        "price": ((price >= (query.price_min or 0))
                  & (price <= (query.price_max if query.price_max is not None else NEVER)))
        if query.price_min is not None or query.price_max is not None else None,
        "arrive_by": arrival <= arrival_index.micros(query.arrive_by)
        if query.arrive_by is not None else None,
    }

    def leaving(name: str) -> np.ndarray:
        """The listings every active filter but `name`'s leaves."""
        kept = base.copy()
        for other, mask in filters.items():
            if other != name and mask is not None:
                kept &= mask
        return kept

    def by_code(name: str, codes: np.ndarray, values: tuple) -> dict:
        counts = np.bincount(codes[leaving(name)], minlength=len(values))
        return {values[i]: int(n) for i, n in enumerate(counts) if n}

    products, counts = np.unique(snap.product[leaving("product")], return_counts=True)
    bands = np.bincount(_band(price[leaving("price")]), minlength=len(PRICE_BANDS))
    arriving = arrival[leaving("arrive_by")]
    return _facets(session, query, today, {
        "county": by_code("county", snap.county, snap.counties),
        "product": {int(p): int(n) for p, n in zip(products, counts, strict=True)},
        "grade": by_code("grade", snap.grade, snap.grades),
        "certified": int(np.count_nonzero(snap.certified[leaving("certified")])),
        "price": [int(n) for n in bands],
        "arrive_by": [int(np.count_nonzero(arriving <= arrival_index.micros(
            arrive_by_of(today, n)))) for n in ARRIVAL_DAYS],
    })


def _facets(session: Session, query: listing_browse.BrowseQuery, today: dt.date,
            counts: dict) -> Facets:
    def listed(name: str, active) -> list[FacetValue]:
        found = {k: n for k, n in counts[name].items() if k is not None and n}
        if active is not None:
            found.setdefault(active, 0)
        return [FacetValue(k, n, k == active) for k, n in
                sorted(found.items(), key=lambda kv: (-kv[1], str(kv[0])))]

    values = {
        "county": listed("county", query.county),
        "product": listed("product", query.product),
        "grade": listed("grade", query.grade),
        "certified": [FacetValue(True, counts["certified"], query.certified)],
        "price": [FacetValue(band, counts["price"][i],
                             band == (query.price_min, query.price_max))
                  for i, band in enumerate(PRICE_BANDS)],
        "arrive_by": [FacetValue(today + dt.timedelta(days=n), counts["arrive_by"][i],
                                 query.arrive_by == arrive_by_of(today, n))
                      for i, n in enumerate(ARRIVAL_DAYS)],
    }
    ids = [v.value for v in values["product"]]
    names = {p.id: p for p in session.scalars(select(Product).where(Product.id.in_(ids)))}
    return Facets(values, names)

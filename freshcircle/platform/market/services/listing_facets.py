"""Facet counts beside the market's filters: for each value of county, product, grade,
certification, price band and can-arrive-by, how many listings a click on it would leave.

The disjunctive rule: a facet's counts apply every active filter except the facet's own, so a
buyer who chose 太和县 still sees how many 临泉县 would show instead (clicking replaces the
county), while every other facet counts within 太和县. So each count equals the number of
results of the search with that one filter set to that value; the tests check exactly that.
Certification has one value (certified only); price bands and arrival days are the fixed
choices below, a click setting price_min/price_max or arrive_by as the form does. Counts of
can-arrive-by are cumulative (arriving by the 7th includes by the 6th), as the filter is.

One statement for all six: the text, category, harvest and on-sale filters narrow the rows
once; on PostgreSQL GROUPING SETS then count the six groupings in one pass over them, each
with its own FILTER (every other active facet filter). SQLite has no GROUPING SETS and runs
one grouped query per facet (the same counts, more slowly). Arrival is read from the arrival
index (`arrival_index`), brought up to date for `now` first.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import and_, case, func, literal, select, true, tuple_
from sqlalchemy.orm import Session

from freshcircle.platform.core.services.clock import CHINA, today_in_china
from freshcircle.platform.market.services import arrival_index, listing_browse
from freshcircle.platform.models import Listing, ListingArrival, Place, Product

FACETS = ("county", "product", "grade", "certified", "price", "arrive_by")
# Price bands, fen per 斤, both ends included as the form's price_min/price_max are.
PRICE_BANDS = ((None, 199), (200, 499), (500, 999), (1000, None))
ARRIVAL_DAYS = (1, 2, 3, 4)  # arrive by the end (23:59, as the page's date) of today + n
FAR = 99  # arrival day of a listing arriving after the last of ARRIVAL_DAYS


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


def _band(price) -> object:
    whens = [(price <= high, i) for i, (_, high) in enumerate(PRICE_BANDS) if high is not None]
    return case(*whens, else_=len(PRICE_BANDS) - 1)


def _facet_filters(query: listing_browse.BrowseQuery, arrival) -> dict[str, object]:
    """Each facet's active filter as a condition (None: not active)."""
    price = Listing.price_fen_per_jin
    bounds = [c for c in ((price >= query.price_min) if query.price_min is not None else None,
                          (price <= query.price_max) if query.price_max is not None else None)
              if c is not None]
    return {
        "county": Listing.county_code == query.county if query.county else None,
        "product": Listing.product_id == query.product if query.product else None,
        "grade": Listing.grade == query.grade if query.grade else None,
        "certified": Listing.certified.is_(True) if query.certified else None,
        "price": and_(*bounds) if bounds else None,
        "arrive_by": (arrival.arrival_us <= arrival_index.micros(query.arrive_by))
        if query.arrive_by is not None and arrival is not None else None,
    }


def facet_counts(session: Session, query: listing_browse.BrowseQuery, *,
                 site: Place | None = None, today: dt.date | None = None,
                 now: dt.datetime | None = None) -> Facets:
    """The six facets' counts for `query` (can-arrive-by only with a site; see above)."""
    now = now or dt.datetime.now(dt.UTC)
    today = today or today_in_china(now)
    listing_browse.check_arrival(dataclasses.replace(query, sort="price"), site)
    base = dataclasses.replace(query, county=None, product=None, grade=None, certified=False,
                               price_min=None, price_max=None, arrive_by=None, cursor=None)
    stmt = listing_browse.filtered(base, today, session)
    arrival = None
    if site is not None and listing_browse.arrival_available():
        arrival_index.ensure_current(session, site, now)
        stmt = stmt.outerjoin(ListingArrival, and_(ListingArrival.listing_id == Listing.id,
                                                   ListingArrival.site_id == site.id))
        arrival = ListingArrival
    keys = {"county": Listing.county_code, "product": Listing.product_id,
            "grade": Listing.grade, "certified": Listing.certified,
            "price": _band(Listing.price_fen_per_jin),
            "arrive_by": case(*((ListingArrival.arrival_us <= arrival_index.micros(
                arrive_by_of(today, n)), n) for n in ARRIVAL_DAYS), else_=FAR)
            if arrival is not None else literal(FAR)}
    filters = {name: c for name, c in _facet_filters(query, arrival).items() if c is not None}
    rows = stmt.with_only_columns(*(key.label(name) for name, key in keys.items()),
                                  *(c.label(f"is_{name}") for name, c in filters.items())) \
        .order_by(None).subquery()

    def others(name: str):
        return and_(true(), *(rows.c[f"is_{other}"] for other in filters if other != name))

    if session.get_bind().dialect.name == "postgresql":
        counts = _grouping_sets(session, rows, others)
    else:
        counts = {name: dict(session.execute(
            select(rows.c[name], func.count()).where(others(name)).group_by(rows.c[name])
        ).all()) for name in keys}
    return _facets(session, query, today, counts)


def _grouping_sets(session: Session, rows, others) -> dict[str, dict]:
    """The six groupings' counts in one pass over `rows` (PostgreSQL's GROUPING SETS)."""
    keys = [rows.c[name] for name in FACETS]
    full = (1 << len(FACETS)) - 1
    found = session.execute(
        select(*keys, func.grouping(*keys),
               *(func.count().filter(others(name)) for name in FACETS))
        .group_by(func.grouping_sets(*(tuple_(key) for key in keys)))).all()
    counts: dict[str, dict] = {name: {} for name in FACETS}
    for row in found:
        # GROUPING() sets a bit for each column not grouped, the first column's highest
        i = len(FACETS) - (full ^ row[len(FACETS)]).bit_length()
        counts[FACETS[i]][row[i]] = row[len(FACETS) + 1 + i]
    return counts


def _facets(session: Session, query: listing_browse.BrowseQuery, today: dt.date,
            counts: dict[str, dict]) -> Facets:
    def listed(name: str, active) -> list[FacetValue]:
        found = {k: n for k, n in counts[name].items() if k is not None and n}
        if active is not None:
            found.setdefault(active, 0)
        return [FacetValue(k, n, k == active) for k, n in
                sorted(found.items(), key=lambda kv: (-kv[1], str(kv[0])))]

    bands = counts["price"]
    chosen = (query.price_min, query.price_max)
    by_day = counts["arrive_by"]
    arrive_by = query.arrive_by
    values = {
        "county": listed("county", query.county),
        "product": listed("product", query.product),
        "grade": listed("grade", query.grade),
        "certified": [FacetValue(True, counts["certified"].get(True, 0), query.certified)],
        "price": [FacetValue(band, bands.get(i, 0), band == chosen)
                  for i, band in enumerate(PRICE_BANDS)],
        "arrive_by": [FacetValue(today + dt.timedelta(days=n),
                                 sum(c for d, c in by_day.items() if d is not None and d <= n),
                                 arrive_by == arrive_by_of(today, n))
                      for n in ARRIVAL_DAYS],
    }
    ids = [v.value for v in values["product"]]
    products = {p.id: p for p in session.scalars(select(Product).where(Product.id.in_(ids)))}
    return Facets(values, products)


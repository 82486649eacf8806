"""What buyers browse: active listings with stock, filtered, sorted and paged by keyset.

Only listings that are active, have stock left (`offered_g > sold_g`) and whose supply window
has not ended are shown. Sorts are by price, minimum order, harvest date or estimated arrival at
the buyer's site (only when a site is known), each either way (SORT_ORDERS): each is one index
range read forwards or backwards (ix_listings_status_price, ix_listings_status_min_order,
ix_listings_status_harvest, ix_listing_arrivals_site_arrival). Product, grade, origin and stock
have no such index (product names live in another table, stock is a difference of two
columns), so they are not sort keys: with no search text, sorting 100,000 listings by one of
them would read and sort every listing on each page.

Pages are cut by keyset, not OFFSET: the cursor is the (sort value, id) of the last card
shown, opaque to the client, so page 500 costs what page 1 does (an index range scan from
that point) and a listing added meanwhile never shifts or repeats a card.

Arrival comes from `market.services.delivery.estimate` (per producer and site), kept per
listing and site by `market.services.arrival_index` so that the arrival sort and filter are one
index range; when the estimator is not installed, they are refused with a 422 saying so.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import time
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, select, tuple_
from sqlalchemy.orm import Session, selectinload

from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.core.services.errors import InvalidInput
from freshcircle.platform.market.services import arrival_index, listing_search
from freshcircle.platform.models import Listing, ListingArrival, ListingStatus, Place, Producer

# sort key -> (the column it orders by, ascending); "price", "fresh" and "arrival" are the
# first three, and the defaults of their column.
SORT_ORDERS = {"price": ("price", True), "fresh": ("harvest", False),
               "arrival": ("arrival", True), "price_desc": ("price", False),
               "harvest": ("harvest", True), "arrival_desc": ("arrival", False),
               "min_order": ("min_order", True), "min_order_desc": ("min_order", False)}
SORTS = tuple(SORT_ORDERS)
_SORT_COLUMNS = {"price": Listing.price_fen_per_jin, "harvest": Listing.harvest_date,
                 "min_order": Listing.min_order_g}
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
# Delivery estimates are reused for the rest of the current minute (see estimates_for).
ESTIMATE_TTL_S = 60
_estimates: dict[tuple, object] = {}
# What an estimate depends on, besides the site and the weight.
_PRODUCER_KEY = ("latitude", "longitude", "county_code", "order_cutoff", "dispatch_weekdays")


@dataclass
class BrowseQuery:
    """A buyer's search; prices in fen per 斤."""

    q: str | None = None
    category: str | None = None
    county: str | None = None
    product: int | None = None  # a product id
    certified: bool = False
    grade: str | None = None
    price_min: int | None = None
    price_max: int | None = None
    harvested_from: dt.date | None = None
    arrive_by: dt.datetime | None = None
    sort: str = "price"
    cursor: str | None = None
    limit: int = DEFAULT_LIMIT


@dataclass
class BrowsePage:
    listings: list[Listing]
    next_cursor: str | None
    # producer id -> delivery estimate to the site (when a site and an estimator are known)
    estimates: dict[int, object] = field(default_factory=dict)


def _estimator():
    """`market.services.delivery.estimate`, or None while that module does not exist."""
    try:
        from freshcircle.platform.market.services import delivery
    except ImportError:
        return None
    return getattr(delivery, "estimate", None)


def arrival_available() -> bool:
    return _estimator() is not None


def encode_cursor(sort: str, value, listing_id: int) -> str:
    raw = json.dumps([sort, value, listing_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> tuple[object, int]:
    """(sort value, id) from a cursor made for `sort`; 422 on anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        kind, value, listing_id = json.loads(raw)
        if kind != sort or not isinstance(listing_id, int):
            raise ValueError
        if SORT_ORDERS[sort][0] == "harvest":
            value = dt.date.fromisoformat(value)
        elif not isinstance(value, int):
            raise ValueError
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError):
        raise InvalidInput.field("cursor", _l("This page link is not valid; start again "
                                               "from the first page.")) from None
    return value, listing_id


def on_sale(today: dt.date | None = None):
    """The WHERE clause of a listing buyers may see and order from."""
    return and_(Listing.status == ListingStatus.ACTIVE, Listing.offered_g > Listing.sold_g,
                Listing.available_to >= (today or today_in_china()))


def filtered(query: BrowseQuery, today: dt.date, session: Session | None = None) -> Select:
    """Listings on sale that match every filter of `query` but arrival (unsorted)."""
    stmt = select(Listing).where(on_sale(today))
    if query.q:
        text = listing_search.condition(query.q, session)
        if text is not None:
            stmt = stmt.where(text)
    if query.category:
        stmt = stmt.where(Listing.category == query.category)
    if query.county:
        stmt = stmt.where(Listing.county_code == query.county)
    if query.product:
        stmt = stmt.where(Listing.product_id == query.product)
    if query.certified:
        stmt = stmt.where(Listing.certified.is_(True))
    if query.grade:
        stmt = stmt.where(Listing.grade == query.grade)
    if query.price_min is not None:
        stmt = stmt.where(Listing.price_fen_per_jin >= query.price_min)
    if query.price_max is not None:
        stmt = stmt.where(Listing.price_fen_per_jin <= query.price_max)
    if query.harvested_from is not None:
        stmt = stmt.where(Listing.harvest_date >= query.harvested_from)
    return stmt


def estimates_for(session: Session, site: Place, producers, grams: int = 500_000) -> dict:
    """Delivery estimates from each producer (ids, or loaded Producers) to `site`, by id.

    Reused within a process for up to a minute (the arrival sort needs one per producer of
    every match, up to thousands); the cache key holds everything an estimate depends on
    (both places' coordinates, receiving hours, cut-off, dispatch days, weight), so an edit
    shows at once and only the passing of a cut-off may take up to a minute to show.
    """
    estimate = _estimator()
    producers = list(producers)
    if estimate is None or site is None or not producers:
        return {}
    minute = int(time.time() // ESTIMATE_TTL_S)
    if len(_estimates) > 50_000:
        _estimates.clear()
    site_key = (site.id, site.latitude, site.longitude, site.receiving_from, site.receiving_to)
    if isinstance(producers[0], Producer):
        rows = [(p.id, *(getattr(p, c) for c in _PRODUCER_KEY)) for p in producers]
    else:  # plain columns: loading thousands of Producer objects costs more than estimating
        rows = session.execute(select(Producer.id, *(getattr(Producer, c) for c in _PRODUCER_KEY))
                               .where(Producer.id.in_(set(producers)))).all()
    found, missing = {}, {}
    for row in rows:
        key = (minute, grams, site_key, *row)
        value = _estimates.get(key)
        if value is None:
            missing[row[0]] = key
        else:
            found[row[0]] = value
    if missing:
        loaded = {p.id: p for p in producers if isinstance(p, Producer)} or {
            p.id: p for p in session.scalars(select(Producer).where(Producer.id.in_(missing)))}
        for producer_id, key in missing.items():
            try:
                value = estimate(session, loaded[producer_id], site, grams)
            except ValueError:  # no coordinates for this producer or its county
                continue
            _estimates[key] = found[producer_id] = value
    return found


def _page_query(stmt: Select, limit: int) -> Select:
    # selectinload, not a join: joined into the page query, PostgreSQL planned text searches
    # with the joins first (3x slower at 100,000 listings); three id lookups cost ~1 ms.
    return stmt.limit(limit).options(
        selectinload(Listing.product), selectinload(Listing.producer),
        selectinload(Listing.batch))


def with_arrivals(session: Session, stmt: Select, site: Place, arrive_by: dt.datetime | None,
                  now: dt.datetime) -> Select:
    """`stmt` joined to the site's rows of the arrival index (brought up to date for `now`),
    keeping the listings that can arrive by `arrive_by` when given; a listing whose producer
    has no estimate has no row, and is left out, as it always was."""
    arrival_index.ensure_current(session, site, now)
    stmt = stmt.join(ListingArrival, and_(ListingArrival.listing_id == Listing.id,
                                          ListingArrival.site_id == site.id))
    if arrive_by is not None:
        stmt = stmt.where(ListingArrival.arrival_us <= arrival_index.micros(arrive_by))
    return stmt


def by_arrival(sort: str) -> bool:
    """Whether `sort` orders by estimated arrival (which needs a site)."""
    return SORT_ORDERS.get(sort, ("",))[0] == "arrival"


def check_arrival(query: BrowseQuery, site: Place | None) -> None:
    """Refuse an arrival sort or filter without a site, or without an estimator (422)."""
    if not by_arrival(query.sort) and query.arrive_by is None:
        return
    name = "sort" if by_arrival(query.sort) else "arrive_by"
    if site is None:
        raise InvalidInput.field(name, _l("Choose a delivery site first."))
    if not arrival_available():
        raise InvalidInput.field(name, _l("Delivery estimates are not available yet."))


def browse(session: Session, query: BrowseQuery, *, site: Place | None = None,
           today: dt.date | None = None, now: dt.datetime | None = None) -> BrowsePage:
    """One page of listings for `query`, and the cursor of the next page (None at the end).

    Arrival (the sort, the can-arrive-by filter) is read from the arrival index
    (`arrival_index`), exact for `now`: sorted by arrival minute, then listing id."""
    now = now or dt.datetime.now(dt.UTC)
    today = today or today_in_china(now)
    if query.sort not in SORTS:
        raise InvalidInput.field("sort", str(_l("Must be one of: {choices}.")).format(
            choices=", ".join(SORTS)))
    check_arrival(query, site)
    limit = max(1, min(query.limit or DEFAULT_LIMIT, MAX_LIMIT))
    stmt = filtered(query, today, session)
    cursor = decode_cursor(query.cursor, query.sort) if query.cursor else None
    column, forward = SORT_ORDERS[query.sort]
    if column == "arrival" or query.arrive_by is not None:
        stmt = with_arrivals(session, stmt, site, query.arrive_by, now)
    if column == "arrival":
        key, tie = ListingArrival.arrival_minute, ListingArrival.listing_id
    else:
        key, tie = _SORT_COLUMNS[column], Listing.id
    if cursor is not None:
        stmt = stmt.where(tuple_(key, tie) > tuple_(*cursor) if forward else
                          tuple_(key, tie) < tuple_(*cursor))
    order = (key.asc(), tie.asc()) if forward else (key.desc(), tie.desc())
    rows = session.execute(_page_query(stmt.add_columns(key).order_by(*order),
                                       limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if more:
        last, value = rows[-1]
        if isinstance(value, dt.date):
            value = value.isoformat()
        next_cursor = encode_cursor(query.sort, value, last.id)
    listings = [row[0] for row in rows]
    estimates = estimates_for(session, site, [item.producer for item in listings]) \
        if site is not None else {}
    return BrowsePage(listings, next_cursor, estimates)


def visible_listing(session: Session, user, listing_id: int) -> Listing:
    """A listing as `user` may see it: its producer's members and staff see it in any state,
    everyone else only while it is on sale."""
    from freshcircle.platform.core.services.access import can_view_internal
    from freshcircle.platform.core.services.errors import NotFound

    listing = session.get(Listing, listing_id)
    if listing is None:
        raise NotFound(_l("No such listing."))
    if can_view_internal(session, user, listing.producer_id):
        return listing
    on = session.scalar(select(Listing.id).where(Listing.id == listing_id, on_sale()))
    if on is None:
        raise NotFound(_l("This listing is not on sale now."))
    return listing


def residue_tests(session: Session, listing: Listing) -> list:
    """The batch's residue tests, newest first (shown to buyers on the listing page)."""
    from freshcircle.platform.models import ResidueTest

    return list(session.scalars(select(ResidueTest).where(ResidueTest.batch_id == listing.batch_id)
                                .order_by(ResidueTest.tested_on.desc(), ResidueTest.id.desc())))


def buyer_site(session: Session, user, site_id: int | None = None) -> Place | None:
    """The buyer's chosen site (one of their own), else their default site, else None."""
    from freshcircle.platform.models import BuyerProfile

    if site_id is not None:
        site = session.get(Place, site_id)
        if site is None or site.buyer_id != user.id:
            raise InvalidInput.field("site_id", _l("Choose one of your delivery sites."))
        return site
    profile = session.get(BuyerProfile, user.id)
    if profile is not None and profile.default_site is not None:
        return profile.default_site
    return None


def buyer_sites(session: Session, user) -> list[Place]:
    return list(session.scalars(select(Place).where(Place.buyer_id == user.id)
                                .order_by(Place.id)))


def current_terms(session: Session, listing: Listing, unit: str = "jin") -> dict:
    """A listing's terms as `create_listing` takes them (prices in 元, weights in `unit`):
    where an edit form, or a PATCH that changes only some fields, starts from."""
    from freshcircle.platform.core.services.money import fen_per_kg, fen_to_yuan
    from freshcircle.platform.core.services.quantities import GRAMS_PER_UNIT
    from freshcircle.platform.models import ContractPrice, User

    def weight(grams: int):
        value = Decimal(grams) / GRAMS_PER_UNIT[unit]
        whole = value == value.to_integral_value()
        return value.quantize(Decimal(1)) if whole else value.normalize()

    def price(fen_per_jin: int):
        return fen_to_yuan(fen_per_kg(fen_per_jin) if unit == "kg" else fen_per_jin)

    contracts = session.execute(
        select(User.phone, ContractPrice.price_fen_per_jin)
        .join(User, User.id == ContractPrice.buyer_id)
        .where(ContractPrice.listing_id == listing.id).order_by(User.phone)).all()
    return {
        "unit": unit,
        "price": price(listing.price_fen_per_jin),
        "min_order": weight(listing.min_order_g),
        "quantity": weight(listing.offered_g),
        "available_from": listing.available_from,
        "available_to": listing.available_to,
        "specification": listing.specification,
        "tiers": [{"min_quantity": weight(t.min_g), "price": price(t.price_fen_per_jin)}
                  for t in listing.tiers],
        "contract_prices": [{"buyer_phone": phone, "price": price(fen)}
                            for phone, fen in contracts],
    }

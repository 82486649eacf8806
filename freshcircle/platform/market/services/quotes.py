"""Quotes (询价/报价): a buyer asks, producers that list the product answer, the buyer accepts one.

(A standing demand's 询价, made for its matched producers to quote on, is seen by those only.)

A request names a product, a quantity, a delivery date (tomorrow at the earliest) and one of
the buyer's sites. Producers with an active listing of that product see it while it is open
(no quote accepted and the delivery date not past) and answer from one of their listings with
a price per 斤 or kg, freight and a validity of at most 14 days. A buyer sees every quote on
their own requests; a producer sees only its own quotes, never a competitor's price.

Accepting a quote that is still offered and valid (`valid_until` after now) creates the order
at the quoted price and freight: the quantity is taken from the listing with the same
conditional UPDATE as checkout (`listings.reserve`), so stock that is gone fails with 409 and
nothing is written. The order is its own, not merged into the buyer's open cart order for that
day (that would re-price the quote or the cart), and starts `confirmed`: the producer bound
itself by quoting, so the buyer cannot change its quantity, only cancel it. It is dispatched on
the last dispatch day before the delivery date whose cut-off is ahead (else the first one
possible). The request row is locked while accepting, so of two quotes accepted at once exactly
one wins; the others are withdrawn.
"""

from __future__ import annotations

import datetime as dt
import json

from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session, selectinload

from freshcircle.platform.core.services.access import (
    PRODUCER_ROLES,
    is_member,
    member_producer_ids,
    require_role,
)
from freshcircle.platform.core.services.clock import CHINA
from freshcircle.platform.core.services.errors import Conflict, InvalidInput, NotFound
from freshcircle.platform.core.services.money import price_to_fen_per_jin
from freshcircle.platform.core.services.quantities import to_grams
from freshcircle.platform.market.services import delivery, listings, order_events
from freshcircle.platform.models import (
    Listing,
    ListingStatus,
    MemberRole,
    Membership,
    Notice,
    Order,
    OrderLine,
    OrderStatus,
    Place,
    Product,
    Quote,
    QuoteRequest,
    QuoteStatus,
    Role,
    StandingDemand,
    StandingDemandMatch,
    User,
)

MAX_VALIDITY = dt.timedelta(days=14)
NOTES_MAX = 500
# A buyer asks for a delivery at most a year ahead (no price holds longer; 9967 is a typo).
MAX_DELIVERY_AHEAD_DAYS = 365


def today(now: dt.datetime) -> dt.date:
    return now.astimezone(CHINA).date()


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now(dt.UTC)


def is_expired(quote: Quote, now: dt.datetime | None = None) -> bool:
    return quote.valid_until <= _now(now)


def shown_status(quote: Quote, now: dt.datetime | None = None) -> str:
    """offered, expired (an offer past its validity), accepted or withdrawn."""
    if quote.status == QuoteStatus.OFFERED and is_expired(quote, now):
        return "expired"
    return QuoteStatus(quote.status).value


def accepted_quote(request: QuoteRequest) -> Quote | None:
    return next((q for q in request.quotes if q.status == QuoteStatus.ACCEPTED), None)


def is_open(request: QuoteRequest, now: dt.datetime | None = None) -> bool:
    return accepted_quote(request) is None and request.delivery_date >= today(_now(now))


# --- asking -------------------------------------------------------------------------------

def create_request(session: Session, buyer: User, data: dict,
                   now: dt.datetime | None = None) -> QuoteRequest:
    """询价: every field is checked before anything is written; errors per field."""
    require_role(buyer, Role.BUYER)
    now = _now(now)
    errors: dict[str, list] = {}
    product = session.get(Product, data.get("product_id") or 0)
    if product is None:
        errors["product_id"] = [_l("Choose a product.")]
    grams = to_grams(data.get("quantity"), data.get("unit") or "jin")
    if grams is None:
        errors["quantity"] = [_l("Enter a weight above zero (whole grams).")]
    day = data.get("delivery_date")
    if day is None:
        errors["delivery_date"] = [_l("This field is required.")]
    elif day <= today(now):
        errors["delivery_date"] = [_l("The delivery date must be tomorrow or later.")]
    elif day > today(now) + dt.timedelta(days=MAX_DELIVERY_AHEAD_DAYS):
        errors["delivery_date"] = [_l("The delivery date must be within a year.")]
    site = session.get(Place, data.get("site_id") or 0)
    if site is None or site.buyer_id != buyer.id:
        errors["site_id"] = [_l("Choose one of your delivery sites.")]
    notes = (data.get("notes") or "").strip()
    if len(notes) > NOTES_MAX:
        errors["notes"] = [_l("At most %(max)d characters.", max=NOTES_MAX)]
    if errors:
        raise InvalidInput(errors=errors)
    request = QuoteRequest(buyer_id=buyer.id, product_id=product.id, site_id=site.id,
                           quantity_g=grams, delivery_date=day, notes=notes or None,
                           created_at=now)
    session.add(request)
    session.flush()
    return request


def _selling_products(session: Session, user: User) -> set[int]:
    """Products the user's producers have an active listing of."""
    producers = member_producer_ids(session, user)
    if not producers:
        return set()
    return set(session.scalars(select(Listing.product_id).where(
        Listing.producer_id.in_(producers), Listing.status == ListingStatus.ACTIVE)))


def _quoted_by(session: Session, user: User, request_id: int) -> bool:
    producers = member_producer_ids(session, user)
    return bool(producers) and bool(session.scalar(select(exists().where(
        Quote.request_id == request_id, Quote.producer_id.in_(producers)))))


def _unmatched_demand(producers: set[int], request_id=QuoteRequest.id):
    """The request is a standing demand's 询价 (demand.services) none of `producers` is
    matched to: only the matched producers see those."""
    matched = exists().where(StandingDemandMatch.demand_id == StandingDemand.id,
                             StandingDemandMatch.producer_id.in_(producers))
    return exists().where(StandingDemand.quote_request_id == request_id, ~matched)


def can_see(session: Session, actor: User, request: QuoteRequest) -> bool:
    if request.buyer_id == actor.id or actor.role == Role.ADMIN:
        return True
    if actor.role not in PRODUCER_ROLES:
        return False
    if _quoted_by(session, actor, request.id):
        return True
    producers = member_producer_ids(session, actor)
    return (request.product_id in _selling_products(session, actor)
            and not session.scalar(select(_unmatched_demand(producers, request.id))))


def get_request(session: Session, actor: User, request_id: int) -> QuoteRequest:
    """A request its buyer, a producer selling the product (or that quoted) or an admin may
    see; anyone else gets 404, so its existence does not leak."""
    request = session.get(QuoteRequest, request_id)
    if request is None or not can_see(session, actor, request):
        raise NotFound(_l("No such quote request."))
    return request


def visible_quotes(session: Session, actor: User, request: QuoteRequest) -> list[Quote]:
    """All quotes for the buyer (and admins); a producer's members see only its own."""
    if request.buyer_id == actor.id or actor.role == Role.ADMIN:
        return list(request.quotes)
    mine = member_producer_ids(session, actor)
    return [q for q in request.quotes if q.producer_id in mine]


def buyer_requests(session: Session, buyer: User) -> list[QuoteRequest]:
    """The buyer's own requests, newest first, with their quotes."""
    return list(session.scalars(
        select(QuoteRequest).where(QuoteRequest.buyer_id == buyer.id)
        .options(selectinload(QuoteRequest.quotes).selectinload(Quote.listing))
        .order_by(QuoteRequest.created_at.desc(), QuoteRequest.id.desc())))


def open_requests(session: Session, user: User,
                  now: dt.datetime | None = None) -> list[QuoteRequest]:
    """Open requests for products the user's producers list now, soonest delivery first."""
    products = _selling_products(session, user)
    if not products:
        return []
    accepted = exists().where(Quote.request_id == QuoteRequest.id,
                              Quote.status == QuoteStatus.ACCEPTED)
    return list(session.scalars(
        select(QuoteRequest).where(QuoteRequest.product_id.in_(products),
                                   QuoteRequest.delivery_date >= today(_now(now)), ~accepted,
                                   ~_unmatched_demand(member_producer_ids(session, user)))
        .options(selectinload(QuoteRequest.quotes))
        .order_by(QuoteRequest.delivery_date, QuoteRequest.id)))


def requests_for(session: Session, user: User, now: dt.datetime | None = None):
    """What the API lists: a buyer's own requests, a producer's open ones."""
    if user.role == Role.BUYER:
        return buyer_requests(session, user)
    if user.role in PRODUCER_ROLES:
        return open_requests(session, user, now)
    if user.role == Role.ADMIN:
        return list(session.scalars(select(QuoteRequest).order_by(QuoteRequest.id.desc())
                                    .limit(200)))
    return []


def my_listings_for(session: Session, user: User, request: QuoteRequest) -> list[Listing]:
    """The user's producers' active listings of the request's product (what it may quote from)."""
    producers = member_producer_ids(session, user)
    if not producers:
        return []
    return list(session.scalars(select(Listing).where(
        Listing.producer_id.in_(producers), Listing.product_id == request.product_id,
        Listing.status == ListingStatus.ACTIVE).order_by(Listing.id)))


# --- answering ----------------------------------------------------------------------------

def _freight_fen(value) -> int | None:
    """Freight in 元, zero allowed; None unless whole fen."""
    if value in (None, ""):
        return 0
    if str(value).strip() in ("0", "0.0", "0.00"):
        return 0
    return price_to_fen_per_jin(value, "jin")


def make_quote(session: Session, actor: User, request: QuoteRequest, data: dict,
               now: dt.datetime | None = None) -> Quote:
    """报价 from one of the actor's producers' active listings of the requested product."""
    now = _now(now)
    require_role(actor, *PRODUCER_ROLES)
    if not is_open(request, now):
        raise Conflict(_l("This request is no longer open for quotes."))
    errors: dict[str, list] = {}
    listing = session.get(Listing, data.get("listing_id") or 0)
    if (listing is None or listing.status != ListingStatus.ACTIVE
            or listing.product_id != request.product_id
            or not is_member(session, actor, listing.producer_id)):
        errors["listing_id"] = [_l("Choose one of your active listings of this product.")]
    elif listing.left_g < request.quantity_g:
        errors["listing_id"] = [_l("This listing has less left than the quantity asked.")]
    price = price_to_fen_per_jin(data.get("price"), data.get("unit") or "jin")
    if price is None:
        errors["price"] = [_l("Enter a price above zero in 元, at most two decimals "
                              "(a price per kg must halve to whole fen).")]
    freight = _freight_fen(data.get("freight"))
    if freight is None:
        errors["freight"] = [_l("Enter the freight in 元 (0 or more, at most two decimals).")]
    until = data.get("valid_until")
    if until is None:
        errors["valid_until"] = [_l("This field is required.")]
    elif until.tzinfo is None:
        errors["valid_until"] = [_l("Give a time with its time zone.")]
    elif until <= now or until > now + MAX_VALIDITY:
        errors["valid_until"] = [_l("A quote is valid from now for at most 14 days.")]
    if errors:
        raise InvalidInput(errors=errors)
    quote = Quote(request_id=request.id, producer_id=listing.producer_id, listing_id=listing.id,
                  price_fen_per_jin=price, freight_fen=freight,
                  valid_until=until.astimezone(dt.UTC), status=QuoteStatus.OFFERED,
                  created_by_id=actor.id, created_at=now)
    session.add(quote)
    session.flush()
    session.refresh(request, ["quotes"])
    _tell(session, [request.buyer_id], "quote", request, quote, {
        "valid_until": quote.valid_until.isoformat()})
    return quote


def _product_names(request: QuoteRequest, session: Session) -> dict:
    product = session.get(Product, request.product_id)
    return {"product_zh": product.name_zh, "product_en": product.name_en}


def _tell(session: Session, user_ids, kind: str, request: QuoteRequest, quote: Quote,
          extra: dict) -> None:
    producer = quote.listing.producer
    facts = {"request": request.id, "quote": quote.id, "producer": producer.name,
             **_product_names(request, session), "quantity_g": request.quantity_g,
             "price_fen_per_jin": quote.price_fen_per_jin, "freight_fen": quote.freight_fen,
             "delivery_date": request.delivery_date.isoformat(), **extra}
    for user_id in dict.fromkeys(user_ids):
        session.add(Notice(user_id=user_id, kind=kind, subject=f"#{request.id}",
                           batch_id=None, payload=json.dumps(facts, ensure_ascii=False)))


def get_quote(session: Session, actor: User, quote_id: int) -> Quote:
    """A quote its request's buyer, its producer's members or an admin may see; else 404."""
    quote = session.get(Quote, quote_id)
    if quote is None or not (quote.request.buyer_id == actor.id or actor.role == Role.ADMIN
                             or is_member(session, actor, quote.producer_id)):
        raise NotFound(_l("No such quote."))
    return quote


# --- accepting ----------------------------------------------------------------------------

def quoted_dispatch_date(producer, delivery_date: dt.date, now: dt.datetime) -> dt.date:
    """The last dispatch day before `delivery_date` whose cut-off is ahead; else the first."""
    first = delivery.dispatch_date_for(producer, now)
    weekdays = producer.dispatch_weekdays or "1234567"
    day = delivery_date - dt.timedelta(days=1)
    while day > first:
        if str(day.isoweekday()) in weekdays:
            return day
        day -= dt.timedelta(days=1)
    return first


def accept(session: Session, buyer: User, quote: Quote,
           now: dt.datetime | None = None) -> Order:
    """Accept a valid quote: the order at its price and freight, the others withdrawn."""
    now = _now(now)
    request = quote.request
    if request.buyer_id != buyer.id:
        raise NotFound(_l("No such quote."))
    # Serialise accepts of one request (PostgreSQL row lock; SQLite has one writer anyway).
    session.execute(select(QuoteRequest.id).where(QuoteRequest.id == request.id)
                    .with_for_update())
    session.refresh(quote)
    session.refresh(request, ["quotes"])
    if accepted_quote(request) is not None:
        raise Conflict(_l("A quote for this request has already been accepted."))
    if quote.status != QuoteStatus.OFFERED:
        raise Conflict(_l("This quote has been withdrawn."))
    if is_expired(quote, now):
        raise Conflict(_l("This quote expired at %(when)s; ask the producer for a new one.",
                          when=format_datetime(quote.valid_until, "yyyy-MM-dd HH:mm")))
    listing = quote.listing
    listings.reserve(session, listing.id, request.quantity_g, "quantity")  # first write
    order = Order(buyer_id=buyer.id, producer_id=quote.producer_id, site_id=request.site_id,
                  dispatch_date=quoted_dispatch_date(listing.producer, request.delivery_date,
                                                     now),
                  status=OrderStatus.CONFIRMED, confirmed_at=now, placed_at=now,
                  freight_fen=quote.freight_fen, quote_id=quote.id, notes=request.notes)
    order.lines.append(OrderLine(listing=listing, batch=listing.batch,
                                 quantity_g=request.quantity_g,
                                 price_fen_per_jin=quote.price_fen_per_jin))
    session.add(order)
    session.flush()
    session.execute(update(Quote).where(Quote.request_id == request.id, Quote.id != quote.id,
                                        Quote.status == QuoteStatus.OFFERED)
                    .values(status=QuoteStatus.WITHDRAWN)
                    .execution_options(synchronize_session=False))
    quote.status = QuoteStatus.ACCEPTED
    session.flush()
    session.refresh(request, ["quotes"])
    order_events.record_sale(session, order, buyer)
    order_events.record_status(session, order, buyer)
    site = session.get(Place, request.site_id)
    managers = session.scalars(select(Membership.user_id).where(
        Membership.producer_id == quote.producer_id, Membership.role == MemberRole.MANAGER))
    authors = [quote.created_by_id] if quote.created_by_id else []
    _tell(session, [*authors, *managers], "quote_accepted", request, quote, {
        "order": order.id, "buyer": buyer.name, "dispatch_date": order.dispatch_date.isoformat(),
        "site_zh": site.name_zh, "site_en": site.name_en})
    return order

"""Standing demand (求购): a buyer posts a weekly need, producers who can supply it are matched.

Who sees what: a buyer their own demands; a producer's members the demands their producer is
matched to (only its own match, never the others' reasons); admins all. Anyone else is told
the demand does not exist (404). Only the buyer (or an admin) re-matches or closes it.

A matched producer answers with a quote through the 询价/报价 flow (market.services.quotes):
asking to quote makes the demand's 询价 (one for the demand: the weekly quantity, delivered
in the first week, or tomorrow once that week has begun), and the producer quotes on it from
one of its listings as on any 询价; the buyer sees and accepts the quotes where quotes are.
A new 询价 is made when the last one is no longer open (a quote accepted, its date passed).
"""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select
from sqlalchemy.orm import Session, selectinload

from freshcircle.forecasting.weekly_supply import week_start
from freshcircle.platform.core.services.access import (
    PRODUCER_ROLES,
    member_producer_ids,
    require_role,
)
from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.core.services.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from freshcircle.platform.core.services.money import price_to_fen_per_jin
from freshcircle.platform.core.services.quantities import to_grams
from freshcircle.platform.demand.services import matching
from freshcircle.platform.market.services import quotes
from freshcircle.platform.models import (
    DemandStatus,
    Listing,
    ListingStatus,
    Place,
    Product,
    QuoteRequest,
    Role,
    StandingDemand,
    StandingDemandMatch,
    User,
)

MAX_WEEKS = 52
MAX_AHEAD = dt.timedelta(days=365)
MAX_LIFE_DAYS = 365
FIELDS = ("product_id", "grade", "quantity", "unit", "first_week", "last_week", "site_id",
          "price", "min_shelf_life_days")


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now(dt.UTC)


def _weeks(data: dict, today: dt.date, errors: dict) -> tuple[dt.date, dt.date] | None:
    first, last = data.get("first_week"), data.get("last_week")
    if first is None:
        errors["first_week"] = [_l("This field is required.")]
    if last is None:
        errors["last_week"] = [_l("This field is required.")]
    if first is None or last is None:
        return None
    first, last = week_start(first), week_start(last)  # any day stands for its week
    if first < week_start(today):
        errors["first_week"] = [_l("The first week cannot be in the past.")]
    elif first > today + MAX_AHEAD:
        errors["first_week"] = [_l("The first week must be within a year.")]
    if last < first:
        errors["last_week"] = [_l("The last week cannot be before the first week.")]
    elif (last - first).days // 7 + 1 > MAX_WEEKS:
        errors["last_week"] = [_l("At most %(n)d weeks.", n=MAX_WEEKS)]
    return first, last


def _price(data: dict, errors: dict) -> int | None:
    value = data.get("price")
    if value in (None, ""):
        return None  # 待报价
    fen = price_to_fen_per_jin(value, data.get("unit") or "jin")
    if fen is None:
        errors["price"] = [_l("Enter a price above zero in 元, at most two decimals "
                              "(a price per kg must halve to whole fen), or leave it empty "
                              "to have it quoted.")]
    return fen


def _life(data: dict, product: Product | None, errors: dict) -> int | None:
    days = data.get("min_shelf_life_days")
    if days is None or isinstance(days, bool) or not isinstance(days, int) or days < 1:
        errors["min_shelf_life_days"] = [_l("Enter a whole number of days, 1 or more.")]
        return None
    limit = product.storage_life_days if product is not None else MAX_LIFE_DAYS
    if days > limit:
        errors["min_shelf_life_days"] = [_l(
            "At most %(n)d days: the storage life of this product.", n=limit)]
        return None
    return days


def create_demand(session: Session, buyer: User, data: dict,
                  now: dt.datetime | None = None) -> StandingDemand:
    """求购: every field checked before anything is written; then matched and notified."""
    require_role(buyer, Role.BUYER)
    now = _now(now)
    today = today_in_china(now)
    errors: dict[str, list] = {}
    product = session.get(Product, data.get("product_id") or 0)
    if product is None:
        errors["product_id"] = [_l("Choose a product.")]
    grade = (data.get("grade") or "").strip() or None
    if grade is not None and len(grade) > 32:
        errors["grade"] = [_l("At most %(max)d characters.", max=32)]
    grams = to_grams(data.get("quantity"), data.get("unit") or "jin")
    if grams is None:
        errors["quantity"] = [_l("Enter a weight above zero (whole grams).")]
    weeks = _weeks(data, today, errors)
    site = session.get(Place, data.get("site_id") or 0)
    if site is None or site.buyer_id != buyer.id:
        errors["site_id"] = [_l("Choose one of your delivery sites.")]
    price = _price(data, errors)
    life = _life(data, product, errors)
    if errors:
        raise InvalidInput(errors=errors)
    demand = StandingDemand(buyer_id=buyer.id, product_id=product.id, grade=grade,
                            quantity_g_per_week=grams, first_week=weeks[0], last_week=weeks[1],
                            site_id=site.id, price_fen_per_jin=price, min_shelf_life_days=life,
                            status=DemandStatus.OPEN, created_at=now)
    session.add(demand)
    session.flush()
    matching.match(session, demand, now)
    return demand


# --- reading ------------------------------------------------------------------------------

def my_match(session: Session, actor: User, demand: StandingDemand) -> StandingDemandMatch | None:
    """The actor's producer's match to the demand, if any."""
    mine = member_producer_ids(session, actor)
    return next((m for m in demand.matches if m.producer_id in mine), None)


def can_see(session: Session, actor: User, demand: StandingDemand) -> bool:
    if demand.buyer_id == actor.id or actor.role == Role.ADMIN:
        return True
    return actor.role in PRODUCER_ROLES and my_match(session, actor, demand) is not None


def get_demand(session: Session, actor: User, demand_id: int) -> StandingDemand:
    """A demand its buyer, a matched producer's members or an admin may see; else 404."""
    demand = session.get(StandingDemand, demand_id)
    if demand is None or not can_see(session, actor, demand):
        raise NotFound(_l("No such demand."))
    return demand


def visible_matches(session: Session, actor: User,
                    demand: StandingDemand) -> list[StandingDemandMatch]:
    """Every match for the buyer and admins; a producer's members see only their own."""
    if demand.buyer_id == actor.id or actor.role == Role.ADMIN:
        return list(demand.matches)
    return [m for m in demand.matches if m.producer_id in member_producer_ids(session, actor)]


def demand_quotes(session: Session, actor: User, demand: StandingDemand) -> list:
    """The quotes on the demand's 询价 the actor may see (the producer: its own)."""
    if demand.quote_request is None:
        return []
    return quotes.visible_quotes(session, actor, demand.quote_request)


def _listed(stmt):
    return stmt.options(selectinload(StandingDemand.product), selectinload(StandingDemand.site),
                        selectinload(StandingDemand.matches)).order_by(
        StandingDemand.created_at.desc(), StandingDemand.id.desc())


def demands_for(session: Session, actor: User) -> list[StandingDemand]:
    """A buyer's own demands, the ones a producer is matched to, or (admins) the latest 200."""
    if actor.role == Role.BUYER:
        return list(session.scalars(_listed(select(StandingDemand).where(
            StandingDemand.buyer_id == actor.id))))
    if actor.role in PRODUCER_ROLES:
        mine = member_producer_ids(session, actor)
        if not mine:
            return []
        matched = exists().where(StandingDemandMatch.demand_id == StandingDemand.id,
                                 StandingDemandMatch.producer_id.in_(mine))
        return list(session.scalars(_listed(select(StandingDemand).where(matched))))
    if actor.role == Role.ADMIN:
        return list(session.scalars(_listed(select(StandingDemand)).limit(200)))
    return []


# --- the buyer's actions ------------------------------------------------------------------

def _require_owner(actor: User, demand: StandingDemand) -> None:
    if demand.buyer_id != actor.id and actor.role != Role.ADMIN:
        raise PermissionDenied(_l("Only the buyer who posted this demand may do this."))


def rematch(session: Session, actor: User, demand: StandingDemand,
            now: dt.datetime | None = None) -> StandingDemand:
    """重新匹配: the matches computed again; producers matched for the first time are told."""
    _require_owner(actor, demand)
    if demand.status != DemandStatus.OPEN:
        raise Conflict(_l("This demand is closed."))
    matching.match(session, demand, _now(now))
    return demand


def close(session: Session, actor: User, demand: StandingDemand) -> StandingDemand:
    _require_owner(actor, demand)
    demand.status = DemandStatus.CLOSED
    session.flush()
    return demand


# --- answering ----------------------------------------------------------------------------

def has_listing(session: Session, actor: User, demand: StandingDemand) -> bool:
    """Whether the actor's producers have an active listing of the product to quote from."""
    mine = member_producer_ids(session, actor)
    return bool(mine) and bool(session.scalar(select(exists().where(
        Listing.producer_id.in_(mine), Listing.product_id == demand.product_id,
        Listing.status == ListingStatus.ACTIVE))))


def quote_request_for(session: Session, actor: User, demand: StandingDemand,
                      now: dt.datetime | None = None) -> QuoteRequest:
    """The demand's open 询价 for a matched producer to quote on, made if there is none."""
    now = _now(now)
    if actor.role not in PRODUCER_ROLES or my_match(session, actor, demand) is None:
        raise PermissionDenied(_l("Only a matched producer may quote on this demand."))
    if demand.status != DemandStatus.OPEN:
        raise Conflict(_l("This demand is closed."))
    today = today_in_china(now)
    if demand.last_week + dt.timedelta(days=6) <= today:
        raise Conflict(_l("The weeks of this demand are over."))
    if not has_listing(session, actor, demand):
        raise Conflict(_l("To quote, list a batch of this product on the market first."))
    current = demand.quote_request
    if current is not None and quotes.is_open(current, now):
        return current
    day = max(demand.first_week, today + dt.timedelta(days=1))
    request = quotes.create_request(session, demand.buyer, {
        "product_id": demand.product_id, "quantity": demand.quantity_g_per_week, "unit": "g",
        "delivery_date": day, "site_id": demand.site_id,
        "notes": f"求购 #{demand.id}" + (f" · {demand.grade}" if demand.grade else "")}, now)
    demand.quote_request = request
    session.flush()
    return request

"""Orders: checkout, edits until the cut-off, cancelling, and the life cycle to completion.

Checkout turns a buyer's lines into one order per producer for the chosen delivery site and
the producer's next dispatch day (`delivery.dispatch_date_for`); a second checkout before the
cut-off adds to that same open order. Every quantity is taken from its listing with
`listings.reserve` (one conditional UPDATE), inside the request's one transaction: if any line
cannot be had, nothing is ordered and the message says what is left. Minimum order and tier
prices are applied here, on the server, to each line's total quantity.

Life cycle: placed -> confirmed (producer) -> packed (producer; each lot's packing event) ->
shipped (producer; shipping event to the buyer's site) -> delivered (producer or carrier, with
the weight delivered per line: catch-weight; the invoice follows the delivered weight and the
buyer is told) -> completed (buyer). The buyer may cancel until the producer's cut-off for the
dispatch day (`may_cancel`); the producer may decline until it is shipped, giving a reason
(`decline`). Cancelling or declining gives the stock back to the listings. Each step tells the
other side in the inbox (`order_notices`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from flask_babel import format_date, format_datetime
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from freshcircle.platform.core.services.access import is_member, require_role
from freshcircle.platform.core.services.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from freshcircle.platform.core.services.money import amount_fen
from freshcircle.platform.core.services.quantities import grams_to_kg, to_grams
from freshcircle.platform.market.services import delivery, listings, order_events, order_notices
from freshcircle.platform.models import (
    Listing,
    ListingStatus,
    Membership,
    Order,
    OrderLine,
    OrderStatus,
    Place,
    Role,
    User,
)

PRODUCER_STEPS = {
    OrderStatus.CONFIRMED: (OrderStatus.PLACED,),
    OrderStatus.PACKED: (OrderStatus.CONFIRMED,),
    OrderStatus.SHIPPED: (OrderStatus.PACKED,),
    OrderStatus.DELIVERED: (OrderStatus.SHIPPED,),
}
BUYER_STEPS = {
    OrderStatus.COMPLETED: (OrderStatus.DELIVERED,),
    OrderStatus.CANCELLED: (OrderStatus.PLACED, OrderStatus.CONFIRMED, OrderStatus.PACKED),
}
DECLINABLE = (OrderStatus.PLACED, OrderStatus.CONFIRMED, OrderStatus.PACKED)
STAMPS = {OrderStatus.CONFIRMED: "confirmed_at", OrderStatus.PACKED: "packed_at",
          OrderStatus.SHIPPED: "shipped_at", OrderStatus.DELIVERED: "delivered_at",
          OrderStatus.COMPLETED: "completed_at", OrderStatus.CANCELLED: "cancelled_at",
          OrderStatus.DECLINED: "declined_at"}
# Who hears of a step: the producer of the buyer's, the buyer of the producer's.
STEP_NOTICES = {OrderStatus.CONFIRMED: "order_confirmed", OrderStatus.SHIPPED: "order_dispatched",
                OrderStatus.CANCELLED: "order_cancelled"}


@dataclass(frozen=True)
class Totals:
    goods_fen: int
    freight_fen: int

    @property
    def total_fen(self) -> int:
        return self.goods_fen + self.freight_fen


def line_grams(line: OrderLine) -> int:
    """The weight the buyer pays for: delivered once known (catch-weight), else ordered."""
    return line.delivered_g if line.delivered_g is not None else line.quantity_g


def totals(order: Order) -> Totals:
    goods = sum(amount_fen(line_grams(line), line.price_fen_per_jin) for line in order.lines)
    return Totals(goods, order.freight_fen)


def ordered_totals(order: Order) -> Totals:
    """What was ordered, before any catch-weight correction."""
    goods = sum(amount_fen(line.quantity_g, line.price_fen_per_jin) for line in order.lines)
    return Totals(goods, order.freight_fen)


def buyer_site(session: Session, buyer: User, site_id) -> Place:
    site = session.get(Place, site_id or 0)
    if site is None or site.buyer_id != buyer.id:
        raise InvalidInput.field("site_id", _l("Choose one of your delivery sites."))
    return site


def _requested(session: Session, lines: list[dict]) -> dict[int, tuple[Listing, int]]:
    """Checked lines by listing (repeats added up); errors per line index."""
    if not lines:
        raise InvalidInput.field("lines", _l("The cart is empty."))
    wanted: dict[int, tuple[Listing, int]] = {}
    errors: dict[str, list] = {}
    for index, line in enumerate(lines):
        listing = session.get(Listing, line.get("listing_id") or 0)
        grams = to_grams(line.get("quantity"), line.get("unit") or "jin")
        if listing is None or listing.status != ListingStatus.ACTIVE:
            errors[str(index)] = [_l("This listing is not on sale now.")]
        elif grams is None:
            errors[str(index)] = [_l("Enter a weight above zero (whole grams).")]
        else:
            earlier = wanted.get(listing.id, (listing, 0))[1]
            wanted[listing.id] = (listing, earlier + grams)
    if errors:
        raise InvalidInput(errors={"lines": errors})
    return wanted


def _open_order(session: Session, buyer: User, producer_id: int, site: Place,
                day: dt.date, now: dt.datetime) -> Order:
    order = session.scalar(select(Order).where(
        Order.buyer_id == buyer.id, Order.producer_id == producer_id, Order.site_id == site.id,
        Order.dispatch_date == day, Order.status == OrderStatus.PLACED))
    if order is None:
        order = Order(buyer_id=buyer.id, producer_id=producer_id, site_id=site.id,
                      dispatch_date=day, status=OrderStatus.PLACED, freight_fen=0,
                      placed_at=now)
        session.add(order)
        session.flush()
    return order


def _line_for(order: Order, listing: Listing) -> OrderLine | None:
    return next((line for line in order.lines if line.listing_id == listing.id), None)


def _check_minimum(listing: Listing, grams: int, field: str) -> None:
    if grams < listing.min_order_g:
        raise InvalidInput.field(field, _l("The minimum order for this listing is %(kg)s kg.",
                                           kg=grams_to_kg(listing.min_order_g)))


def _set_line(session: Session, buyer: User, order: Order, listing: Listing, total_g: int,
              field: str) -> None:
    """Make the order's line for `listing` `total_g` grams (0 removes it), reserving or
    releasing the difference and pricing the line at its new total."""
    line = _line_for(order, listing)
    before = line.quantity_g if line else 0
    if total_g:
        _check_minimum(listing, total_g, field)
    if total_g > before:
        listings.reserve(session, listing.id, total_g - before, field, buyer.id)
    elif total_g < before:
        listings.release(session, listing.id, before - total_g)
    if total_g == 0:
        if line is not None:
            order.lines.remove(line)
        return
    price = listings.price_for(session, listing, total_g, buyer)
    if line is None:
        order.lines.append(OrderLine(listing=listing, batch=listing.batch,
                                     quantity_g=total_g, price_fen_per_jin=price))
    else:
        line.quantity_g, line.price_fen_per_jin = total_g, price


def _refresh_freight(session: Session, order: Order, now: dt.datetime) -> None:
    weight = sum(line.quantity_g for line in order.lines)
    order.freight_fen = (delivery.estimate(session, order.producer, order.site, weight, now)
                         .freight_fen if weight else 0)


@dataclass(frozen=True)
class Preview:
    """What checkout would do for one producer: when, what it costs, when it arrives."""

    producer_id: int
    estimate: delivery.Estimate
    goods_fen: int
    grams: int


def preview(session: Session, buyer: User, site_id, lines: list[dict],
            now: dt.datetime | None = None) -> list[Preview]:
    """Dispatch day, cut-off, freight, goods and arrival per producer, before committing."""
    require_role(buyer, Role.BUYER)
    now = now or dt.datetime.now(dt.UTC)
    site = buyer_site(session, buyer, site_id)
    per_producer: dict[int, list[tuple[Listing, int]]] = defaultdict(list)
    for listing, grams in _requested(session, lines).values():
        per_producer[listing.producer_id].append((listing, grams))
    out = []
    for producer_id, items in sorted(per_producer.items()):
        producer = items[0][0].producer
        grams = sum(g for _, g in items)
        goods = sum(amount_fen(g, listings.price_for(session, listing, g, buyer))
                    for listing, g in items)
        out.append(Preview(producer_id, delivery.estimate(session, producer, site, grams, now),
                           goods, grams))
    return out


def checkout(session: Session, buyer: User, site_id, lines: list[dict],
             now: dt.datetime | None = None) -> list[Order]:
    """Order the lines (one order per producer); all or nothing."""
    require_role(buyer, Role.BUYER)
    now = now or dt.datetime.now(dt.UTC)
    site = buyer_site(session, buyer, site_id)
    wanted = _requested(session, lines)
    orders: dict[int, Order] = {}
    added_to: set[int] = set()
    for index, (listing, grams) in enumerate(wanted.values()):
        order = orders.get(listing.producer_id)
        if order is None:
            day = delivery.dispatch_date_for(listing.producer, now)
            order = orders[listing.producer_id] = _open_order(
                session, buyer, listing.producer_id, site, day, now)
            if order.lines:
                added_to.add(order.id)
        line = _line_for(order, listing)
        _set_line(session, buyer, order, listing, (line.quantity_g if line else 0) + grams,
                  f"lines.{index}")
    for order in orders.values():
        _refresh_freight(session, order, now)
        order_events.record_sale(session, order, buyer)
        session.flush()
        order_notices.tell(session, order, "order_changed" if order.id in added_to
                           else "order_placed", now)
    session.flush()
    return list(orders.values())


def _require_before_cutoff(order: Order, now: dt.datetime) -> None:
    cutoff = delivery.cutoff_for(order.producer, order.dispatch_date)
    if order.status != OrderStatus.PLACED or now >= cutoff:
        raise Conflict(_l("The order can no longer be changed: its cut-off (%(when)s) has "
                          "passed or the producer has confirmed it.",
                          when=format_date(cutoff.date(), "long")))


def change_line(session: Session, buyer: User, order: Order, listing_id: int, quantity,
                unit: str = "jin", now: dt.datetime | None = None) -> Order:
    """Set one line's quantity (0 removes it) until the cut-off; an empty order is cancelled."""
    now = now or dt.datetime.now(dt.UTC)
    if order.buyer_id != buyer.id:
        raise NotFound(_l("No such order."))
    _require_before_cutoff(order, now)
    grams = 0 if str(quantity) in ("0", "0.0") else to_grams(quantity, unit)
    if grams is None:
        raise InvalidInput.field("quantity", _l("Enter a weight above zero (whole grams)."))
    listing = session.get(Listing, listing_id)
    if listing is None or listing.producer_id != order.producer_id:
        raise InvalidInput.field("listing_id", _l("This listing is not on sale now."))
    _set_line(session, buyer, order, listing, grams, "quantity")
    if not order.lines:
        _move(order, OrderStatus.CANCELLED, now)
    else:
        _refresh_freight(session, order, now)
    session.flush()
    order_notices.tell(session, order, "order_changed" if order.lines else "order_cancelled",
                       now)
    return order


def cancel_deadline(order: Order) -> dt.datetime:
    """Until when the buyer may cancel: the producer's cut-off for the order's dispatch day."""
    return delivery.cutoff_for(order.producer, order.dispatch_date)


def may_cancel(order: Order, now: dt.datetime | None = None) -> bool:
    """Whether the buyer may still cancel: not yet shipped and before the cut-off."""
    now = now or dt.datetime.now(dt.UTC)
    return (order.status in BUYER_STEPS[OrderStatus.CANCELLED]
            and now < cancel_deadline(order))


def _move(order: Order, status: OrderStatus, now: dt.datetime) -> None:
    order.status = status
    setattr(order, STAMPS[status], now)


def _is_seller(session: Session, actor: User, order: Order) -> bool:
    return actor.role == Role.ADMIN or (actor.role in (Role.FARMER, Role.COOP_ADMIN)
                                        and is_member(session, actor, order.producer_id))


def advance(session: Session, actor: User, order: Order, status: OrderStatus,
            delivered: dict[int, int] | None = None, now: dt.datetime | None = None) -> Order:
    """Move an order along its life cycle (see the module docstring for who does what)."""
    now = now or dt.datetime.now(dt.UTC)
    status = OrderStatus(status)
    if status in PRODUCER_STEPS:
        if not _is_seller(session, actor, order):
            raise PermissionDenied(_l("Only the producer can do this."))
        allowed = PRODUCER_STEPS[status]
    elif status in BUYER_STEPS:
        if order.buyer_id != actor.id and actor.role != Role.ADMIN:
            raise PermissionDenied(_l("Only the buyer can do this."))
        allowed = BUYER_STEPS[status]
    else:
        raise InvalidInput.field("status", _l("Not a valid choice."))
    if order.status not in allowed:
        raise Conflict(_l("An order cannot go from %(old)s to %(new)s.",
                          old=order_status_label(order.status), new=order_status_label(status)))
    if status == OrderStatus.CANCELLED and not may_cancel(order, now):
        raise Conflict(_l("The cut-off (%(when)s) has passed: the order can no longer be "
                          "cancelled. Ask the producer.",
                          when=format_datetime(cancel_deadline(order), "short")))
    if status == OrderStatus.DELIVERED:
        _record_weights(order, delivered or {})
    if status == OrderStatus.CANCELLED:
        for line in order.lines:
            listings.release(session, line.listing_id, line.quantity_g)
    _move(order, status, now)
    session.flush()
    order_events.record_status(session, order, actor)
    if status == OrderStatus.DELIVERED:
        order_notices.tell_delivered(session, order, ordered_totals(order).total_fen,
                                     totals(order).total_fen)
    if status in STEP_NOTICES:
        order_notices.tell(session, order, STEP_NOTICES[status], now)
    return order


def decline(session: Session, actor: User, order: Order, reason: str,
            now: dt.datetime | None = None) -> Order:
    """The producer declines an order it will not ship, saying why: the stock goes back to
    the listings and the buyer is told."""
    now = now or dt.datetime.now(dt.UTC)
    if not _is_seller(session, actor, order):
        raise PermissionDenied(_l("Only the producer can do this."))
    reason = (reason or "").strip()
    if not reason or len(reason) > 500:
        raise InvalidInput.field("reason", _l("Say in at most 500 characters why the order is "
                                              "declined; the buyer reads it."))
    if order.status not in DECLINABLE:
        raise Conflict(_l("An order cannot go from %(old)s to %(new)s.",
                          old=order_status_label(order.status),
                          new=order_status_label(OrderStatus.DECLINED)))
    for line in order.lines:
        listings.release(session, line.listing_id, line.quantity_g)
    _move(order, OrderStatus.DECLINED, now)
    order.decline_reason = reason
    session.flush()
    order_notices.tell(session, order, "order_declined", now, reason=reason)
    return order


def _record_weights(order: Order, delivered: dict[int, int]) -> None:
    """Catch-weight: the weight delivered per line (grams; a line not given was delivered
    as ordered). Never more than 20% over the ordered weight: a typo, not a delivery."""
    errors = {}
    for line in order.lines:
        grams = delivered.get(line.id, line.quantity_g)
        if grams is None or grams < 0 or grams > line.quantity_g * 6 // 5:
            errors[str(line.id)] = [_l("At most 1.2 times the ordered weight.")]
        else:
            line.delivered_g = grams
    if errors:
        raise InvalidInput(errors={"delivered": errors})


def order_status_label(status: OrderStatus):
    return {
        OrderStatus.PLACED: _l("placed"), OrderStatus.CONFIRMED: _l("confirmed"),
        OrderStatus.PACKED: _l("packed"), OrderStatus.SHIPPED: _l("shipped"),
        OrderStatus.DELIVERED: _l("delivered"), OrderStatus.COMPLETED: _l("completed"),
        OrderStatus.CANCELLED: _l("cancelled"), OrderStatus.DECLINED: _l("declined"),
    }[OrderStatus(status)]


def get_order(session: Session, actor: User, order_id: int) -> Order:
    """An order its buyer, a member of its producer or staff may see; others get 404."""
    order = session.get(Order, order_id)
    if order is None or not (order.buyer_id == actor.id or actor.is_staff
                             or is_member(session, actor, order.producer_id)):
        raise NotFound(_l("No such order."))
    return order


def orders_query(actor: User, status: OrderStatus | None = None):
    """The actor's orders, newest first: a buyer's own, a producer member's producers'."""
    stmt = select(Order).order_by(Order.placed_at.desc(), Order.id.desc())
    if actor.role == Role.BUYER:
        stmt = stmt.where(Order.buyer_id == actor.id)
    elif not actor.is_staff:
        stmt = stmt.where(Order.producer_id.in_(
            select(Membership.producer_id).where(Membership.user_id == actor.id)))
    if status is not None:
        stmt = stmt.where(Order.status == OrderStatus(status))
    return stmt


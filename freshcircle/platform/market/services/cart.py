"""The buyer's cart: lines kept on the server (one per listing), priced as checkout would price
them, and checked out into orders.

The cart reserves nothing: stock is taken only at checkout (`orders.checkout`, all or nothing).
A quantity is checked when it is added or changed (`availability.check_quantity`: minimum,
whole 斤, what is left). Each line still carries what the page must warn about before checkout,
when others have ordered since: under the listing's minimum order, more than is left, or no
longer on sale (such a line stays in the cart, is not ordered, and
can be removed). Prices come from `listings.price_for` for the line's quantity, so a tier or
a contract price shows before checkout exactly as the order will have it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from freshcircle.platform.core.services.access import require_role
from freshcircle.platform.core.services.errors import InvalidInput, NotFound
from freshcircle.platform.core.services.money import amount_fen
from freshcircle.platform.core.services.quantities import to_grams
from freshcircle.platform.market.services import availability, listings, orders
from freshcircle.platform.models import (
    CartLine,
    Listing,
    ListingStatus,
    Order,
    Producer,
    Role,
    User,
)

MAX_LINES = 50


@dataclass
class CartItem:
    line: CartLine
    listing: Listing
    price_fen_per_jin: int
    amount_fen: int
    warnings: list = field(default_factory=list)

    @property
    def orderable(self) -> bool:
        return self.listing.status == ListingStatus.ACTIVE


@dataclass
class ProducerGroup:
    producer: Producer
    items: list[CartItem]

    @property
    def goods_fen(self) -> int:
        return sum(item.amount_fen for item in self.items if item.orderable)


def _grams(quantity, unit: str, field_name: str = "quantity") -> int:
    grams = to_grams(quantity, unit or "jin")
    if grams is None:
        raise InvalidInput.field(field_name, _l("Enter a weight above zero (whole grams)."))
    return grams


def _listing_on_sale(session: Session, listing_id) -> Listing:
    listing = session.get(Listing, listing_id or 0)
    if listing is None or listing.status != ListingStatus.ACTIVE:
        raise InvalidInput.field("listing_id", _l("This listing is not on sale now."))
    return listing


def _line(session: Session, buyer: User, listing_id: int) -> CartLine:
    line = session.get(CartLine, (buyer.id, listing_id))
    if line is None:
        raise NotFound(_l("This listing is not in your cart."))
    return line


def add(session: Session, buyer: User, listing_id, quantity, unit: str = "jin") -> CartLine:
    """Put a quantity of a listing in the cart, added to the line already there."""
    require_role(buyer, Role.BUYER)
    grams = _grams(quantity, unit)
    listing = _listing_on_sale(session, listing_id)
    line = session.get(CartLine, (buyer.id, listing.id))
    availability.check_quantity(session, buyer.id, listing, grams + (line.quantity_g if line
                                                                     else 0))
    if line is None:
        count = len(session.scalars(select(CartLine.listing_id)
                                    .where(CartLine.buyer_id == buyer.id)).all())
        if count >= MAX_LINES:
            raise InvalidInput.field("listing_id", _l("Your cart is full (%(n)d lines).",
                                                      n=MAX_LINES))
        line = CartLine(buyer_id=buyer.id, listing_id=listing.id, quantity_g=grams)
        session.add(line)
    else:
        line.quantity_g += grams
    session.flush()
    return line


def set_quantity(session: Session, buyer: User, listing_id: int, quantity,
                 unit: str = "jin") -> CartLine | None:
    """Set a line's quantity; 0 removes the line (returns None)."""
    require_role(buyer, Role.BUYER)
    line = _line(session, buyer, listing_id)
    if str(quantity).strip() in ("0", "0.0", "0.00"):
        session.delete(line)
        session.flush()
        return None
    grams = _grams(quantity, unit)
    if line.listing.status == ListingStatus.ACTIVE:
        availability.check_quantity(session, buyer.id, line.listing, grams)
    line.quantity_g = grams
    session.flush()
    return line


def remove(session: Session, buyer: User, listing_id: int) -> None:
    require_role(buyer, Role.BUYER)
    session.delete(_line(session, buyer, listing_id))
    session.flush()


def _warnings(listing: Listing, grams: int) -> list:
    if listing.status != ListingStatus.ACTIVE:
        return [_l("This listing is not on sale now; it will not be ordered.")]
    out = []
    if grams < listing.min_order_g:
        out.append(_l("Below the minimum order of %(min)s.",
                      min=availability.jin_text(listing.min_order_g)))
    if grams > listing.left_g:  # others ordered it since it was put in the cart
        out.append(_l("Only %(left)s left.", left=availability.jin_text(listing.left_g)))
    return out


def items(session: Session, buyer: User) -> list[CartItem]:
    """The cart's lines with their listings, the price for each quantity and warnings."""
    require_role(buyer, Role.BUYER)
    rows = session.scalars(
        select(CartLine).where(CartLine.buyer_id == buyer.id)
        .options(selectinload(CartLine.listing).selectinload(Listing.producer),
                 selectinload(CartLine.listing).selectinload(Listing.product),
                 selectinload(CartLine.listing).selectinload(Listing.batch),
                 selectinload(CartLine.listing).selectinload(Listing.tiers))
        .order_by(CartLine.added_at, CartLine.listing_id)).all()
    out = []
    for line in rows:
        price = listings.price_for(session, line.listing, line.quantity_g, buyer)
        out.append(CartItem(line, line.listing, price, amount_fen(line.quantity_g, price),
                            _warnings(line.listing, line.quantity_g)))
    return out


def by_producer(cart: list[CartItem]) -> list[ProducerGroup]:
    groups: dict[int, ProducerGroup] = {}
    for item in cart:
        group = groups.get(item.listing.producer_id)
        if group is None:
            group = groups[item.listing.producer_id] = ProducerGroup(item.listing.producer, [])
        group.items.append(item)
    return list(groups.values())


def order_lines(cart: list[CartItem]) -> list[dict]:
    """The orderable lines as `orders.checkout` takes them (grams, so nothing is rounded)."""
    return [{"listing_id": item.listing.id, "quantity": item.line.quantity_g, "unit": "g"}
            for item in cart if item.orderable]


def preview(session: Session, buyer: User, site_id, cart: list[CartItem],
            now: dt.datetime | None = None) -> dict[int, orders.Preview]:
    """Dispatch day, cut-off, arrival and freight per producer for the orderable lines."""
    lines = order_lines(cart)
    if not lines:
        return {}
    return {p.producer_id: p for p in orders.preview(session, buyer, site_id, lines, now)}


def checkout(session: Session, buyer: User, site_id, now: dt.datetime | None = None
             ) -> list[Order]:
    """Order every orderable line (one order per producer) and take them out of the cart.

    All or nothing: a line that cannot be had raises (InvalidInput or Conflict with
    `errors["lines.N"]`, N the line's index in `order_lines(items(...))`) and the request's
    transaction is rolled back, so the cart stays as it was.
    """
    cart = items(session, buyer)
    lines = order_lines(cart)
    placed = orders.checkout(session, buyer, site_id, lines, now)
    session.execute(delete(CartLine).where(
        CartLine.buyer_id == buyer.id,
        CartLine.listing_id.in_([line["listing_id"] for line in lines])))
    session.flush()
    return placed


def line_for_error(cart: list[CartItem], key: str) -> CartItem | None:
    """The cart item an `errors` key such as 'lines.2' (from checkout) is about."""
    orderable = [item for item in cart if item.orderable]
    try:
        index = int(key.split(".", 1)[1])
    except (IndexError, ValueError):
        return None
    return orderable[index] if 0 <= index < len(orderable) else None


def line_errors(cart: list[CartItem], errors: dict) -> dict[int, dict]:
    """Checkout errors by listing id: {'left_g': grams} for a lost race, or messages."""
    out: dict[int, dict] = defaultdict(dict)
    for key, value in (errors or {}).items():
        if key == "lines" and isinstance(value, dict):  # InvalidInput from orders._requested
            for index, messages in value.items():
                item = line_for_error(cart, f"lines.{index}")
                if item is not None:
                    out[item.listing.id]["messages"] = messages
            continue
        item = line_for_error(cart, key)
        if item is None:
            continue
        if isinstance(value, dict):
            out[item.listing.id].update(value)
        else:
            out[item.listing.id]["messages"] = value
    return dict(out)

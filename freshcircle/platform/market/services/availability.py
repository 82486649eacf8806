"""What a buyer may have of a listing, and how to say so (issue 13).

The cart checks a quantity when it is added or changed, and checkout checks it again when it
reserves: at least the listing's minimum order, in whole 斤 (the step; listings are priced
per 斤), and no more than is left. Every message states the possible quantity in 斤 with
thousands separators ("只剩 6,400 斤"), and says that other buyers took the rest only when
their orders are the reason (`ordered_by_others`).
"""

from __future__ import annotations

from babel.numbers import format_decimal
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from freshcircle.platform.core.services.errors import InvalidInput
from freshcircle.platform.core.services.quantities import grams_to_jin
from freshcircle.platform.models import Listing, Order, OrderLine, OrderStatus

STEP_G = 500  # one 斤
RELEASED = (OrderStatus.CANCELLED, OrderStatus.DECLINED)


def jin_text(grams: int) -> str:
    """'6,400 斤' (or '6,400 jin' in English), a no-break space before the unit."""
    locale = get_locale()
    number = format_decimal(grams_to_jin(grams), locale=locale or "zh")
    unit = "jin" if locale is not None and str(locale) == "en" else "斤"
    return f"{number}\u00a0{unit}"


def ordered_by_others(session: Session, listing_id: int, buyer_id: int | None) -> int:
    """Grams of the listing that other buyers' orders (not cancelled or declined) hold."""
    stmt = (select(func.coalesce(func.sum(OrderLine.quantity_g), 0))
            .join(Order, Order.id == OrderLine.order_id)
            .where(OrderLine.listing_id == listing_id, Order.status.not_in(RELEASED)))
    if buyer_id is not None:
        stmt = stmt.where(Order.buyer_id != buyer_id)
    return int(session.scalar(stmt) or 0)


def shortfall(session: Session, listing_id: int, left_g: int, wanted_g: int,
              buyer_id: int | None):
    """Why `wanted_g` more cannot be had when only `left_g` is left: others' orders, or the
    offer itself."""
    if left_g <= 0 and ordered_by_others(session, listing_id, buyer_id) == 0:
        return _l("Nothing of this listing is left.")
    if wanted_g <= left_g + ordered_by_others(session, listing_id, buyer_id):
        return _l("Only %(left)s left; other buyers have ordered the rest.",
                  left=jin_text(left_g))
    return _l("Only %(left)s left.", left=jin_text(left_g))


def check_quantity(session: Session, buyer_id: int, listing: Listing, grams: int,
                   field: str = "quantity") -> None:
    """Refuse a cart quantity below the minimum, not in whole 斤, or more than is left."""
    if grams < listing.min_order_g:
        raise InvalidInput.field(field, _l(
            "The minimum order is %(min)s; %(asked)s is less.",
            min=jin_text(listing.min_order_g), asked=jin_text(grams)))
    if grams % STEP_G:
        raise InvalidInput.field(field, _l(
            "Order in whole jin (%(asked)s is not).", asked=jin_text(grams)))
    if grams > listing.left_g:
        raise InvalidInput.field(field, shortfall(session, listing.id, listing.left_g, grams,
                                                  buyer_id))

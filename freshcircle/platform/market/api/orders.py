"""Orders: preview and checkout, the caller's orders, line edits, the life cycle."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_smorest import Blueprint

from freshcircle.platform.core.services.errors import InvalidInput
from freshcircle.platform.extensions import db
from freshcircle.platform.market.schemas.orders import (
    CheckoutSchema,
    DeclineSchema,
    LineChangeSchema,
    OrderQuerySchema,
    OrderSchema,
    PreviewSchema,
    StatusChangeSchema,
)
from freshcircle.platform.market.services import orders
from freshcircle.platform.models import Role
from freshcircle.platform.web.api import Listing, SelectPage, actor, actor_with_role

blp = Blueprint("orders", __name__, url_prefix="/orders", description="Marketplace orders")


@blp.post("/preview")
@blp.arguments(CheckoutSchema)
@blp.response(200, PreviewSchema(many=True))
def preview(data):
    """Per producer: dispatch day (after the cut-off, the next one), cut-off, arrival estimate,
    freight and goods total, before committing."""
    buyer = actor_with_role(Role.BUYER)
    return orders.preview(db.session, buyer, data["site_id"], data["lines"])


@blp.post("")
@blp.arguments(CheckoutSchema)
@blp.response(201, OrderSchema(many=True))
@blp.alt_response(409, description="A line lost a race or the listing is not on sale; "
                                   "errors name the line and what is left")
def checkout(data):
    """Order the lines: one order per producer for the site and dispatch day (added to the
    open order if there is one). All or nothing."""
    buyer = actor_with_role(Role.BUYER)
    return orders.checkout(db.session, buyer, data["site_id"], data["lines"]), 201


@blp.get("")
@blp.arguments(OrderQuerySchema, location="query", as_kwargs=True)
@blp.response(200, OrderSchema(many=True))
@blp.paginate(SelectPage)
def list_orders(status=None):
    """The caller's orders: a buyer's own, a producer member's producers', all for staff."""
    user = actor_with_role(Role.BUYER, Role.FARMER, Role.COOP_ADMIN, Role.INSPECTOR, Role.ADMIN)
    return Listing(orders.orders_query(user, status), lambda page: page)


@blp.get("/<int:order_id>")
@blp.response(200, OrderSchema)
def get_order(order_id):
    """One order (its buyer, the producer's members and staff; others get 404)."""
    return orders.get_order(db.session, actor(), order_id)


@blp.put("/<int:order_id>/lines/<int:listing_id>")
@blp.arguments(LineChangeSchema)
@blp.response(200, OrderSchema)
def change_line(data, order_id, listing_id):
    """Set a line's quantity (0 removes it) until the cut-off."""
    buyer = actor_with_role(Role.BUYER)
    order = orders.get_order(db.session, buyer, order_id)
    return orders.change_line(db.session, buyer, order, listing_id, data["quantity"],
                              data.get("unit") or "jin")


@blp.post("/<int:order_id>/status")
@blp.arguments(StatusChangeSchema)
@blp.response(200, OrderSchema)
@blp.alt_response(409, description="The order's state does not allow this")
def change_status(data, order_id):
    """confirmed, packed, shipped, delivered (producer; `delivered` grams per line for
    catch-weight); completed or cancelled (buyer)."""
    user = actor()
    order = orders.get_order(db.session, user, order_id)
    delivered = None
    if data.get("delivered"):
        try:
            delivered = {int(k): v for k, v in data["delivered"].items()}
        except ValueError as error:
            raise InvalidInput.field("delivered", _l("Give grams per order line id.")) from error
    return orders.advance(db.session, user, order, data["status"], delivered)


@blp.post("/<int:order_id>/decline")
@blp.arguments(DeclineSchema)
@blp.response(200, OrderSchema)
@blp.alt_response(409, description="Already shipped, cancelled or declined")
def decline(data, order_id):
    """Decline an order (its producer's members), with a reason the buyer is told; the
    stock goes back to the listings."""
    user = actor()
    order = orders.get_order(db.session, user, order_id)
    return orders.decline(db.session, user, order, data["reason"])

"""The buyer's cart: read it, add to a line, change or remove a line. Checkout is
POST /api/v1/orders with the lines (the cart is the pages' convenience, kept on the server)."""

from __future__ import annotations

from flask_smorest import Blueprint

from freshcircle.platform.extensions import db
from freshcircle.platform.market.schemas.cart import CartAddSchema, CartChangeSchema, CartSchema
from freshcircle.platform.market.services import cart
from freshcircle.platform.models import Role
from freshcircle.platform.web.api import actor_with_role

blp = Blueprint("cart", __name__, url_prefix="/cart", description="The buyer's cart")


def _cart(user) -> dict:
    items = cart.items(db.session, user)
    return {"lines": items, "goods_fen": sum(i.amount_fen for i in items if i.orderable)}


@blp.get("")
@blp.response(200, CartSchema)
def get_cart():
    """The caller's cart: each line priced for its quantity (tier or contract), with warnings
    (under the minimum order, more than is left, no longer on sale)."""
    return _cart(actor_with_role(Role.BUYER))


@blp.post("/lines")
@blp.arguments(CartAddSchema)
@blp.response(201, CartSchema)
def add_line(data):
    """Add a quantity of a listing; it is added to the line already in the cart."""
    user = actor_with_role(Role.BUYER)
    cart.add(db.session, user, data["listing_id"], data["quantity"], data["unit"])
    return _cart(user), 201


@blp.put("/lines/<int:listing_id>")
@blp.arguments(CartChangeSchema)
@blp.response(200, CartSchema)
def change_line(data, listing_id):
    """Set a line's quantity (0 removes it)."""
    user = actor_with_role(Role.BUYER)
    cart.set_quantity(db.session, user, listing_id, data["quantity"], data["unit"])
    return _cart(user)


@blp.delete("/lines/<int:listing_id>")
@blp.response(204)
def remove_line(listing_id):
    """Take a listing out of the cart."""
    cart.remove(db.session, actor_with_role(Role.BUYER), listing_id)

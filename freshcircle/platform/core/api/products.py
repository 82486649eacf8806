"""The product catalog: list and read."""

from __future__ import annotations

from flask_smorest import Blueprint

from freshcircle.platform.core.schemas.products import ProductQuerySchema, ProductSchema
from freshcircle.platform.core.services import products
from freshcircle.platform.extensions import db
from freshcircle.platform.web.api import SelectPage, actor

blp = Blueprint("products", __name__, url_prefix="/products",
                description="The produce catalog, with storage conditions")


@blp.get("")
@blp.arguments(ProductQuerySchema, location="query", as_kwargs=True)
@blp.response(200, ProductSchema(many=True))
@blp.paginate(SelectPage)
def list_products(**filters):
    """List catalog products by English name; filter by category, storage class or name."""
    return products.products_query(actor(), **filters)


@blp.get("/<int:product_id>")
@blp.response(200, ProductSchema)
def get_product(product_id):
    """One product with its storage temperature, humidity, storage life and ethylene data."""
    return products.get_product(db.session, actor(), product_id)

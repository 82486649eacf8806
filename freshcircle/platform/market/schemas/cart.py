"""Cart schemas: a line to add or change, and the cart as buyers read it."""

from __future__ import annotations

import marshmallow as ma

from freshcircle.platform.batches.schemas.batches import unit_field
from freshcircle.platform.core.services.money import fen_per_kg
from freshcircle.platform.web import fields
from freshcircle.platform.web.schemas import StrictSchema


class CartAddSchema(StrictSchema):
    listing_id = fields.Integer(required=True, strict=True)
    quantity = fields.Decimal(required=True, allow_nan=False,
                              metadata={"description": "Added to the line already in the cart"})
    unit = unit_field


class CartChangeSchema(StrictSchema):
    quantity = fields.Decimal(required=True, allow_nan=False,
                              metadata={"description": "0 removes the line"})
    unit = unit_field


class CartLineSchema(ma.Schema):
    listing_id = fields.Function(lambda item: item.listing.id)
    producer_id = fields.Function(lambda item: item.listing.producer_id)
    producer = fields.Function(lambda item: item.listing.producer.name)
    product = fields.Function(lambda item: item.listing.product.name_zh)
    quantity_g = fields.Function(lambda item: item.line.quantity_g)
    price_fen_per_jin = fields.Integer()
    price_fen_per_kg = fields.Function(lambda item: fen_per_kg(item.price_fen_per_jin))
    amount_fen = fields.Integer()
    min_order_g = fields.Function(lambda item: item.listing.min_order_g)
    left_g = fields.Function(lambda item: item.listing.left_g)
    on_sale = fields.Boolean(attribute="orderable")
    warnings = fields.Function(lambda item: [str(w) for w in item.warnings])


class CartSchema(ma.Schema):
    lines = fields.List(fields.Nested(CartLineSchema))
    goods_fen = fields.Integer(metadata={"description": "Lines on sale, before freight"})

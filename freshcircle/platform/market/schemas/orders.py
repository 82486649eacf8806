"""Order schemas: checkout lines, previews, orders with their totals, status changes."""

from __future__ import annotations

import marshmallow as ma
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from marshmallow import validate

from freshcircle.platform.batches.schemas.batches import unit_field
from freshcircle.platform.core.services.money import fen_per_kg, format_money
from freshcircle.platform.market.services import orders
from freshcircle.platform.models import OrderStatus
from freshcircle.platform.web import fields
from freshcircle.platform.web.schemas import StrictSchema, enum_field

MAX_LINES = 100


def _money(fen: int) -> str:
    return format_money(fen, str(get_locale()))


class OrderLineInputSchema(StrictSchema):
    listing_id = fields.Integer(required=True, strict=True)
    quantity = fields.Decimal(required=True, allow_nan=False)
    unit = unit_field


class CheckoutSchema(StrictSchema):
    site_id = fields.Integer(required=True, strict=True,
                             metadata={"description": "One of the buyer's delivery sites"})
    lines = fields.List(fields.Nested(OrderLineInputSchema), required=True,
                        validate=validate.Length(min=1, max=MAX_LINES,
                                                 error=_l("Between {min} and {max} items.")))


class LineChangeSchema(StrictSchema):
    quantity = fields.Decimal(required=True, allow_nan=False,
                              metadata={"description": "0 removes the line"})
    unit = unit_field


class StatusChangeSchema(StrictSchema):
    status = enum_field(OrderStatus, required=True)
    delivered = fields.Dict(keys=fields.String(), values=fields.Integer(strict=True),
                            load_default=None,
                            metadata={"description": "Delivering: grams delivered per line id"})


class DeclineSchema(StrictSchema):
    reason = fields.String(required=True, metadata={"description": "Why (the buyer reads it)"})


class PreviewSchema(ma.Schema):
    producer_id = fields.Integer()
    dispatch_date = fields.Function(lambda p: p.estimate.dispatch_date.isoformat())
    cutoff = fields.Function(lambda p: p.estimate.cutoff.isoformat())
    arrival = fields.Function(lambda p: p.estimate.arrival.isoformat())
    distance_km = fields.Function(lambda p: round(p.estimate.distance_km))
    grams = fields.Integer()
    goods_fen = fields.Integer()
    freight_fen = fields.Function(lambda p: p.estimate.freight_fen)
    total = fields.Function(lambda p: _money(p.goods_fen + p.estimate.freight_fen))


class OrderLineSchema(ma.Schema):
    id = fields.Integer()
    listing_id = fields.Integer()
    batch_id = fields.Integer()
    lot_code = fields.Function(lambda line: line.batch.lot_code)
    product = fields.Function(lambda line: line.batch.product.name_zh)
    quantity_g = fields.Integer()
    delivered_g = fields.Integer(allow_none=True)
    price_fen_per_jin = fields.Integer()
    price_fen_per_kg = fields.Function(lambda line: fen_per_kg(line.price_fen_per_jin))


class OrderSchema(ma.Schema):
    id = fields.Integer()
    status = fields.Function(lambda o: o.status.value)
    buyer_id = fields.Integer()
    producer_id = fields.Integer()
    producer = fields.Function(lambda o: o.producer.name)
    site_id = fields.Integer()
    dispatch_date = fields.Date()
    placed_at = fields.DateTime()
    confirmed_at = fields.DateTime(allow_none=True)
    shipped_at = fields.DateTime(allow_none=True)
    delivered_at = fields.DateTime(allow_none=True)
    cancelled_at = fields.DateTime(allow_none=True)
    declined_at = fields.DateTime(allow_none=True)
    decline_reason = fields.String(allow_none=True)
    may_cancel = fields.Function(lambda o: orders.may_cancel(o))
    lines = fields.List(fields.Nested(OrderLineSchema))
    goods_fen = fields.Function(lambda o: orders.totals(o).goods_fen)
    freight_fen = fields.Integer()
    total_fen = fields.Function(lambda o: orders.totals(o).total_fen)
    ordered_total_fen = fields.Function(lambda o: orders.ordered_totals(o).total_fen)
    total = fields.Function(lambda o: _money(orders.totals(o).total_fen))


class OrderQuerySchema(ma.Schema):
    status = enum_field(OrderStatus, load_default=None)

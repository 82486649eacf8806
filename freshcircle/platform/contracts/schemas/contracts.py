"""Forward contract (订单农业) schemas: propose, change, shortfall, release, and what a contract
shows (its weeks with agreed, ordered and delivered quantities, shortfalls, orders)."""

from __future__ import annotations

import marshmallow as ma

from freshcircle.platform.models import ContractStatus, PriceKind, ShortfallStatus
from freshcircle.platform.web import fields
from freshcircle.platform.web.schemas import StrictSchema, enum_field, optional_text

jin_field = fields.Raw(allow_none=True, metadata={"description": "Whole 斤 (500 g), above 0"})
yuan_field = fields.Raw(allow_none=True, metadata={"description": "元 per 斤, two decimals"})


class ContractCreateSchema(StrictSchema):
    producer_id = fields.Integer(metadata={"description": "The producer (a buyer proposing)"})
    buyer_phone = fields.String(allow_none=True, metadata={
        "description": "The buyer's mobile number (a producer proposing)"})
    product_id = fields.Integer(required=True)
    grade = optional_text(32)
    site_id = fields.Integer(allow_none=True, metadata={
        "description": "One of the buyer's delivery sites; left out: the buyer's default"})
    first_week = fields.Date(required=True, metadata={
        "description": "Any day of the first delivery week (weeks run Monday to Sunday)"})
    weeks = fields.Integer(required=True, metadata={"description": "Delivery weeks, 1 to 52"})
    quantity_per_week = jin_field
    total_quantity = fields.Raw(allow_none=True, metadata={
        "description": "Instead of quantity_per_week: whole 斤 spread evenly over the weeks"})
    price_kind = enum_field(PriceKind, metadata={
        "description": "fixed (price) or reference: the market's going price inside the "
                       "band (band_min, band_max)"})
    price = yuan_field
    band_min = yuan_field
    band_max = yuan_field
    residue_test_required = fields.Boolean(load_default=False)
    planting_ids = fields.List(fields.Integer(), metadata={
        "description": "The producer's plantings of the product it is grown on"})
    notes = optional_text(500)


class ContractUpdateSchema(ContractCreateSchema):
    product_id = fields.Integer()
    first_week = fields.Date()
    weeks = fields.Integer()
    residue_test_required = fields.Boolean()


class ShortfallCreateSchema(StrictSchema):
    quantity = fields.Raw(required=True, metadata={"description": "Whole 斤 not delivered"})
    week_from = fields.Date(required=True, metadata={"description": "First week affected"})
    week_to = fields.Date(allow_none=True, metadata={"description": "Last week affected"})
    reason = fields.String(required=True)


class ReleaseSchema(StrictSchema):
    reason = optional_text(500)


class WeekSchema(ma.Schema):
    week_start = fields.Date()
    week_end = fields.Date()
    quantity_g = fields.Integer(metadata={"description": "Agreed now (after shortfalls)"})
    original_g = fields.Integer(metadata={"description": "First agreed"})
    ordered_g = fields.Integer()
    delivered_g = fields.Integer()
    on_time_g = fields.Integer(metadata={"description": "Delivered by the week's end"})
    due_g = fields.Integer(metadata={"description": "Agreed, not yet ordered"})


class ShortfallSchema(ma.Schema):
    id = fields.Integer()
    contract_id = fields.Integer()
    planting_id = fields.Integer(allow_none=True)
    quantity_g = fields.Integer()
    week_from = fields.Date()
    week_to = fields.Date()
    reason = fields.String()
    status = enum_field(ShortfallStatus)
    declared_at = fields.AwareDateTime()
    answered_at = fields.AwareDateTime(allow_none=True)


class ContractSchema(ma.Schema):
    id = fields.Integer()
    status = enum_field(ContractStatus, metadata={
        "description": "proposed, confirmed, active, fulfilled (every week delivered) or "
                       "released"})
    waiting_for = fields.String(allow_none=True, metadata={
        "description": "Whose confirmation is missing: buyer, producer or null"})
    buyer_id = fields.Integer()
    buyer = fields.Function(lambda c: c.buyer.name)
    producer_id = fields.Integer()
    producer = fields.Function(lambda c: c.producer.name)
    product_id = fields.Integer()
    product = fields.Function(lambda c: {"id": c.product.id, "name_zh": c.product.name_zh,
                                         "name_en": c.product.name_en})
    grade = fields.String(allow_none=True)
    site_id = fields.Integer()
    price_kind = enum_field(PriceKind)
    price_fen_per_jin = fields.Integer(allow_none=True)
    band_min_fen = fields.Integer(allow_none=True)
    band_max_fen = fields.Integer(allow_none=True)
    residue_test_required = fields.Boolean()
    planting_ids = fields.Function(lambda c: [p.id for p in c.plantings])
    notes = fields.String(allow_none=True)
    buyer_confirmed_at = fields.AwareDateTime(allow_none=True)
    producer_confirmed_at = fields.AwareDateTime(allow_none=True)
    released_at = fields.AwareDateTime(allow_none=True)
    release_reason = fields.String(allow_none=True)
    weeks = fields.List(fields.Nested(WeekSchema))
    shortfalls = fields.List(fields.Nested(ShortfallSchema))
    order_ids = fields.Function(lambda c: [o.order_id for o in c.orders])
    created_at = fields.AwareDateTime()


class FulfilmentSchema(ma.Schema):
    id = fields.Integer()
    name = fields.String()
    contracted_jin = fields.Decimal(as_string=True)
    delivered_jin = fields.Decimal(as_string=True)
    on_time_share = fields.Float(allow_none=True)
    contracts = fields.Integer()


class FulfilmentReportSchema(ma.Schema):
    producers = fields.List(fields.Nested(FulfilmentSchema))
    buyers = fields.List(fields.Nested(FulfilmentSchema))

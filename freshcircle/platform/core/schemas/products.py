"""Product catalog schemas."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from freshcircle.platform.web import fields


class ProductQuerySchema(ma.Schema):
    category = fields.String(
        validate=validate.Length(max=32),
        metadata={"description": "e.g. leafy_vegetable, fruit_vegetable, pome_fruit"},
    )
    temp_class = fields.String(
        validate=validate.Length(max=24),
        metadata={"description": "A storage class (chilled_0_2) or a kind (chilled, cool, frozen)"},
    )
    q = fields.String(validate=validate.Length(max=40),
                      metadata={"description": "Part of the Chinese or English name"})


class ProductSchema(ma.Schema):
    id = fields.Integer()
    name_zh = fields.String()
    name_en = fields.String()
    scientific_name = fields.String(allow_none=True)
    category = fields.String()
    temp_class = fields.String()
    temp_min_c = fields.Decimal(as_string=True)
    temp_max_c = fields.Decimal(as_string=True)
    rh_min_pct = fields.Integer(allow_none=True)
    rh_max_pct = fields.Integer(allow_none=True)
    storage_life_days = fields.Integer()
    storage_life_days_max = fields.Integer(allow_none=True)
    q10 = fields.Decimal(as_string=True, allow_none=True)
    ethylene_producer = fields.Boolean()
    ethylene_sensitive = fields.Boolean()
    chilling_sensitive = fields.Boolean()

"""Farm input (pesticide, fertiliser application) schemas."""

from __future__ import annotations

import marshmallow as ma

from freshcircle.platform.farms.schemas.plots import PlotChoiceSchema, PlotRefSchema
from freshcircle.platform.models import InputKind
from freshcircle.platform.web import fields
from freshcircle.platform.web.schemas import StrictSchema, enum_field, optional_text, required_text

interval_field = fields.Integer(
    allow_none=True,
    metadata={"description": "安全间隔期: days from application until harvest is allowed"},
)


class InputCreateSchema(PlotChoiceSchema):
    producer_id = fields.Integer(required=True)
    kind = enum_field(InputKind, required=True)
    product_name = required_text(100, metadata={"description": "Trade name, e.g. 阿维菌素"})
    active_ingredient = optional_text(100)
    dose = required_text(64, metadata={"description": "e.g. 30 mL/亩"})
    applied_on = fields.Date(required=True)
    pre_harvest_interval_days = interval_field
    notes = optional_text(2000)


class InputUpdateSchema(StrictSchema):
    kind = enum_field(InputKind)
    product_name = optional_text(100)
    active_ingredient = optional_text(100)
    dose = optional_text(64)
    plot_id = fields.Integer()
    applied_on = fields.Date()
    pre_harvest_interval_days = interval_field
    notes = optional_text(2000)


class InputQuerySchema(ma.Schema):
    producer_id = fields.Integer()
    plot_id = fields.Integer()


class InputSchema(ma.Schema):
    id = fields.Integer()
    producer_id = fields.Integer()
    kind = enum_field(InputKind)
    product_name = fields.String()
    active_ingredient = fields.String(allow_none=True)
    dose = fields.String()
    plot = fields.Nested(PlotRefSchema)
    applied_on = fields.Date()
    pre_harvest_interval_days = fields.Integer()
    safe_harvest_date = fields.Date(
        metadata={"description": "First day a harvest from this plot is allowed"}
    )
    notes = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()

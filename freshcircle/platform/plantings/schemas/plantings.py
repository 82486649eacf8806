"""Planting (种植计划) schemas: record, change, season update, and what a planting shows."""

from __future__ import annotations

import marshmallow as ma

from freshcircle.platform.farms.schemas.plots import PlotRefSchema
from freshcircle.platform.models import SeasonStatus
from freshcircle.platform.web import fields
from freshcircle.platform.web.schemas import StrictSchema, enum_field, optional_text

area_field = fields.Raw(metadata={"description": "Area in 亩 (mu), above 0 and at most the "
                                                 "plot's area when it is known"})
yield_field = fields.Raw(allow_none=True, metadata={
    "description": "Expected yield in 斤 per 亩, a whole number; left out: the producer's own "
                   "past yield of the product, else the product table's usual one"})


class PlantingCreateSchema(StrictSchema):
    plot_id = fields.Integer(required=True, metadata={"description": "One of the producer's plots"})
    product_id = fields.Integer(required=True)
    variety = optional_text(64)
    area_mu = area_field
    planted_on = fields.Date(required=True)
    harvest_from = fields.Date(required=True, metadata={"description": "Expected harvest start"})
    harvest_to = fields.Date(required=True, metadata={"description": "Expected harvest end"})
    expected_yield_jin_per_mu = yield_field


class PlantingUpdateSchema(PlantingCreateSchema):
    plot_id = fields.Integer()
    product_id = fields.Integer()
    planted_on = fields.Date()
    harvest_from = fields.Date()
    harvest_to = fields.Date()


class SeasonUpdateCreateSchema(StrictSchema):
    status = enum_field(SeasonStatus, required=True)
    reason = optional_text(200, metadata={"description": "Required for poor and lost"})


class SeasonUpdateSchema(ma.Schema):
    id = fields.Integer()
    status = enum_field(SeasonStatus)
    reason = fields.String(allow_none=True)
    reported_at = fields.AwareDateTime()


class PlantingSchema(ma.Schema):
    id = fields.Integer()
    producer_id = fields.Integer()
    plot = fields.Nested(PlotRefSchema)
    product_id = fields.Integer()
    product = fields.Function(lambda p: {"id": p.product.id, "name_zh": p.product.name_zh,
                                         "name_en": p.product.name_en})
    variety = fields.String(allow_none=True)
    area_mu = fields.Decimal()
    planted_on = fields.Date()
    harvest_from = fields.Date()
    harvest_to = fields.Date()
    expected_yield_jin_per_mu = fields.Integer()
    expected_jin = fields.Decimal(metadata={"description": "area × expected yield, in 斤"})
    status = enum_field(SeasonStatus, allow_none=True,
                        metadata={"description": "The latest season update, if any"})
    status_reason = fields.String(allow_none=True)
    updates = fields.List(fields.Nested(SeasonUpdateSchema))
    created_at = fields.AwareDateTime()

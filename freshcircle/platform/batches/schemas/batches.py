"""Batch (lot) schemas."""

from __future__ import annotations

import marshmallow as ma
from flask_babel import lazy_gettext as _l
from marshmallow import validate

from freshcircle.platform.api_errors import ErrorSchema
from freshcircle.platform.core.services.quantities import UNITS, grams_to_jin, grams_to_kg
from freshcircle.platform.farms.schemas.plots import PlotChoiceSchema, PlotRefSchema
from freshcircle.platform.models import BatchStatus
from freshcircle.platform.web import fields
from freshcircle.platform.web.schemas import (
    FileRefSchema,
    ProductBriefSchema,
    StrictSchema,
    enum_field,
    optional_text,
)

unit_field = fields.String(
    load_default="kg",
    validate=validate.OneOf(UNITS, error=_l("Must be one of: {choices}.")),
    metadata={"description": "jin (斤, 500 g), kg or g"},
)


class BatchCreateSchema(PlotChoiceSchema):
    producer_id = fields.Integer(required=True)
    product_id = fields.Integer(required=True)
    variety = optional_text(64)
    harvest_date = fields.Date(required=True)
    quantity = fields.Decimal(required=True, places=3, allow_nan=False)
    unit = unit_field
    grade = optional_text(32)
    notes = optional_text(2000)
    confirm_in_interval = fields.Boolean(
        load_default=False,
        metadata={"description": "True: harvested inside a pre-harvest interval all the same "
                                 "(registered, never sold); without it such a harvest is 422"})
    idempotency_key = fields.String(
        validate=validate.Length(min=8, max=64),
        metadata={"description": "Client-generated key; a replay returns the first batch."},
    )


class BatchUpdateSchema(StrictSchema):
    variety = optional_text(64)
    plot_id = fields.Integer(metadata={"description": "One of the producer's plots (地块)"})
    harvest_date = fields.Date()
    quantity = fields.Decimal(places=3, allow_nan=False)
    unit = unit_field
    grade = optional_text(32)
    notes = optional_text(2000)


class BatchStatusChangeSchema(StrictSchema):
    status = enum_field(BatchStatus, required=True)
    reason = optional_text(200)


class BatchQuerySchema(ma.Schema):
    producer_id = fields.Integer()
    product_id = fields.Integer()
    status = enum_field(BatchStatus)
    harvested_from = fields.Date()
    harvested_to = fields.Date()
    q = fields.String(validate=validate.Length(max=40))


class BlockingInputSchema(ma.Schema):
    id = fields.Integer()
    product_name = fields.String()
    applied_on = fields.Date()
    pre_harvest_interval_days = fields.Integer()
    safe_harvest_date = fields.Date()


class SafetySchema(ma.Schema):
    ok = fields.Boolean(metadata={"description": "False: harvested inside an interval"})
    outcome = fields.String(metadata={"description": "passed, not_passed or no_records "
                                                     "(no input recorded on the plot)"})
    flag = fields.Function(lambda s: None if s.ok else "安全间隔期未满")
    safe_from = fields.Date(allow_none=True)
    blocking = fields.List(fields.Nested(BlockingInputSchema))


class BatchSchema(ma.Schema):
    id = fields.Integer()
    producer_id = fields.Integer()
    producer_name = fields.String(attribute="producer.name")
    product = fields.Nested(ProductBriefSchema)
    lot_code = fields.String()
    variety = fields.String(allow_none=True)
    plot = fields.Nested(PlotRefSchema)
    planting_id = fields.Integer(allow_none=True, metadata={
        "description": "The planting (种植计划) on its plot this batch harvests, if any"})
    harvest_date = fields.Date()
    quantity_g = fields.Integer()
    quantity_kg = fields.Function(lambda b: str(grams_to_kg(b.quantity_g)))
    quantity_jin = fields.Function(lambda b: str(grams_to_jin(b.quantity_g)))
    remaining_g = fields.Function(lambda b: b.facts.remaining_g if b.facts else None)
    grade = fields.String(allow_none=True)
    notes = fields.String(allow_none=True)
    status = enum_field(BatchStatus)
    status_reason = fields.String(allow_none=True)
    safety = fields.Function(lambda b: SafetySchema().dump(b.facts.safety) if b.facts else None)
    photos = fields.Function(lambda b: FileRefSchema(many=True).dump([p.file for p in b.photos]))
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class BatchKeyConflictSchema(ErrorSchema):
    """409 for an idempotency key replayed with a different request."""

    existing = fields.Nested(BatchSchema, metadata={"description": "The batch the key registered"})

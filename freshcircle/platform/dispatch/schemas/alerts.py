"""Shipment temperature alerts."""

from __future__ import annotations

import marshmallow as ma

from freshcircle.platform.web import fields
from freshcircle.platform.web.schemas import StrictSchema, required_text


class AlertSchema(ma.Schema):
    id = fields.Integer()
    shipment_id = fields.Integer()
    side = fields.String(metadata={"description": "above or below the shipment's band"})
    started_at = fields.DateTime()
    ended_at = fields.DateTime()
    extreme_c = fields.Decimal(as_string=True)
    acknowledged_at = fields.DateTime(allow_none=True)
    acknowledged_by_id = fields.Integer(allow_none=True)
    comment = fields.String(allow_none=True)


class AcknowledgeSchema(StrictSchema):
    comment = required_text(500, metadata={"description": "What was done about it"})

"""Plot (地块) schemas, and the short plot reference inputs and batches show."""

from __future__ import annotations

import marshmallow as ma

from freshcircle.platform.web import fields
from freshcircle.platform.web.schemas import StrictSchema, optional_text


class PlotRefSchema(ma.Schema):
    id = fields.Integer()
    name = fields.String()


class PlotCreateSchema(StrictSchema):
    name = fields.String(required=True, metadata={"description": "Unique per producer"})
    area_mu = fields.Raw(allow_none=True, metadata={"description": "Area in 亩 (mu), above 0"})
    township = optional_text(64)
    latitude = fields.Raw(allow_none=True)
    longitude = fields.Raw(allow_none=True)
    crop_ids = fields.List(fields.Integer(), metadata={"description": "Products grown on it"})


class PlotUpdateSchema(PlotCreateSchema):
    name = fields.String()


class PlotSchema(ma.Schema):
    id = fields.Integer()
    producer_id = fields.Integer()
    name = fields.String()
    area_mu = fields.Decimal(as_string=True, allow_none=True)
    township = fields.String(allow_none=True)
    latitude = fields.Decimal(as_string=True, allow_none=True)
    longitude = fields.Decimal(as_string=True, allow_none=True)
    crops = fields.Function(lambda p: [{"id": c.id, "name_zh": c.name_zh, "name_en": c.name_en}
                                       for c in p.crops])

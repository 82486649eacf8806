"""Plot (地块) schemas, and the short plot reference inputs and batches show."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from freshcircle.platform.web import fields
from freshcircle.platform.web.schemas import StrictSchema, optional_text


class PlotRefSchema(ma.Schema):
    id = fields.Integer()
    name = fields.String()


class PlotChoiceSchema(StrictSchema):
    """A record's plot: one of the producer's (`plot_id`), or one added by name in the same
    request (`new_plot_name`, as the phone forms' 添加地块). One of the two is required."""

    plot_id = fields.Integer(metadata={"description": "One of the producer's plots (地块); "
                                                      "or new_plot_name"})
    new_plot_name = optional_text(64, metadata={
        "description": "Instead of plot_id: a plot added by this name (or the producer's plot "
                       "of exactly this name)"})
    new_plot_area_mu = fields.String(allow_none=True, validate=validate.Length(max=12),
                                     metadata={"description": "The new plot's area in 亩"})

    @ma.validates_schema(skip_on_field_errors=False)
    def _one_plot(self, data, **kwargs):
        if data.get("plot_id") is None and not (data.get("new_plot_name") or "").strip():
            raise ma.ValidationError(
                {"plot_id": [ma.fields.Field.default_error_messages["required"]]})


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

"""Label run and certificate schemas."""

from __future__ import annotations

import marshmallow as ma
from flask_babel import lazy_gettext as _l
from marshmallow import validate

from freshcircle.platform.batches.services.label_runs import LAYOUT_NAMES, MAX_LABELS
from freshcircle.platform.web import fields
from freshcircle.platform.web.schemas import StrictSchema


class LabelRunCreateSchema(StrictSchema):
    layout = fields.String(
        required=True,
        validate=validate.OneOf(LAYOUT_NAMES, error=_l("Must be one of: {choices}.")),
        metadata={"description": "a4-24 (A4, 24 labels of 70×37 mm), a4-40 (A4, 40 of "
                                 "48.5×25.4 mm), roll-60x40 or roll-50x30 (thermal rolls, mm)"},
    )
    count = fields.Integer(
        required=True, strict=True,
        validate=validate.Range(min=1, max=MAX_LABELS,
                                error=_l("Must be between {min} and {max}.")),
    )
    net_weight = fields.Decimal(required=True, places=3, allow_nan=False,
                                metadata={"description": "Net weight of one pack"})
    unit = fields.String(
        load_default="jin",
        validate=validate.OneOf(("jin", "kg"), error=_l("Must be one of: {choices}.")),
        metadata={"description": "jin (斤, 500 g) or kg"},
    )


class LabelRunSchema(ma.Schema):
    id = fields.Integer()
    batch_id = fields.Integer()
    layout = fields.String()
    status = fields.Function(lambda run: run.status.value)
    progress = fields.Integer()
    count = fields.Integer()
    first_serial = fields.Integer()
    net_weight_g = fields.Integer()
    error = fields.String(allow_none=True)
    created_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)
    url = fields.Function(lambda run: f"/api/v1/label-runs/{run.id}")
    pdf_url = fields.Function(
        lambda run: f"/api/v1/label-runs/{run.id}/pdf" if run.status.value == "done" else None
    )

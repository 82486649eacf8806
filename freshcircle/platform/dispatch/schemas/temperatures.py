"""Temperature reading schemas: bulk ingest from loggers, and the readings read back."""

from __future__ import annotations

import marshmallow as ma
from flask_babel import lazy_gettext as _l
from marshmallow import validate

from freshcircle.platform.dispatch.services.temperatures import MAX_READINGS
from freshcircle.platform.web import fields
from freshcircle.platform.web.schemas import StrictSchema, aware_datetime, required_text


class ReadingInputSchema(StrictSchema):
    sensor_id = required_text(64, metadata={"description": "The logger's id, e.g. its serial"})
    recorded_at = aware_datetime(required=True,
                                 metadata={"description": "ISO 8601 with offset, e.g. +08:00"})
    celsius = fields.Decimal(
        required=True, places=2, allow_nan=False, as_string=True,
        validate=validate.Range(min=-60, max=80, error=_l("Between {min} and {max} °C.")),
    )


class ReadingBatchSchema(StrictSchema):
    readings = fields.List(
        fields.Nested(ReadingInputSchema), required=True,
        validate=validate.Length(min=1, max=MAX_READINGS,
                                 error=_l("Between {min} and {max} readings per request.")),
    )


class IngestResultSchema(ma.Schema):
    received = fields.Integer(metadata={"description": "Readings in the request"})
    inserted = fields.Integer(metadata={"description": "Readings stored now"})
    duplicates = fields.Integer(
        metadata={"description": "Readings already stored with the same value, or repeated "
                                 "in the request"}
    )


class ReadingQuerySchema(ma.Schema):
    sensor_id = fields.String(validate=validate.Length(max=64))
    since = aware_datetime(metadata={"description": "From this time (inclusive)"})
    until = aware_datetime(metadata={"description": "Before this time (exclusive)"})


class ReadingSchema(ma.Schema):
    sensor_id = fields.String()
    recorded_at = fields.AwareDateTime()
    celsius = fields.Decimal(as_string=True)

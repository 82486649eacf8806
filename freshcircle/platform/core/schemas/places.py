"""Place schemas."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from freshcircle.platform.models import PlaceKind
from freshcircle.platform.web import fields
from freshcircle.platform.web.schemas import StrictSchema, enum_field, optional_text, required_text


def _coordinate(description: str, **kwargs) -> fields.Decimal:
    return fields.Decimal(places=6, allow_nan=False, as_string=True,
                          metadata={"description": description}, **kwargs)


class PlaceCreateSchema(StrictSchema):
    name_zh = required_text(100)
    name_en = optional_text(120, metadata={"description": "Unique; the Chinese name if left out"})
    kind = enum_field(PlaceKind, required=True)
    latitude = _coordinate("Degrees north, WGS-84", required=True)
    longitude = _coordinate("Degrees east, WGS-84", required=True)
    admin_code = fields.String(
        allow_none=True, metadata={"description": "GB/T 2260 code, 6 digits, e.g. 341222"}
    )
    admin_name = optional_text(
        32, metadata={"description": "Name of the division, e.g. 太和县 (filled in if known)"}
    )
    producer_id = fields.Integer(
        allow_none=True, metadata={"description": "The producer a farm or cold store belongs to"}
    )


class PlaceUpdateSchema(PlaceCreateSchema):
    name_zh = optional_text(100)
    kind = enum_field(PlaceKind)
    latitude = _coordinate("Degrees north, WGS-84")
    longitude = _coordinate("Degrees east, WGS-84")


class PlaceQuerySchema(ma.Schema):
    kind = enum_field(PlaceKind)
    q = fields.String(validate=validate.Length(max=40),
                      metadata={"description": "Part of the Chinese or English name"})
    producer_id = fields.Integer()


class PlaceSchema(ma.Schema):
    id = fields.Integer()
    name_zh = fields.String()
    name_en = fields.String()
    kind = enum_field(PlaceKind)
    latitude = fields.Decimal(as_string=True)
    longitude = fields.Decimal(as_string=True)
    admin_code = fields.String(allow_none=True)
    admin_name = fields.String(allow_none=True)
    producer_id = fields.Integer(allow_none=True)


class PlaceBriefSchema(ma.Schema):
    id = fields.Integer()
    name_zh = fields.String()
    name_en = fields.String()
    kind = enum_field(PlaceKind)

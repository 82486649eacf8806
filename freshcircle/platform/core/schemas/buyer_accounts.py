"""Buyer account schemas: company and default site, delivery sites with receiving hours."""

from __future__ import annotations

import marshmallow as ma

from freshcircle.platform.web import fields
from freshcircle.platform.web.schemas import StrictSchema, optional_text


class AccountChangeSchema(StrictSchema):
    company = optional_text(100)
    default_site_id = fields.Integer(strict=True, allow_none=True,
                                     metadata={"description": "One of the buyer's sites"})


class SiteInputSchema(StrictSchema):
    name = optional_text(100, metadata={"description": "Required for a new site"})
    latitude = fields.Decimal(allow_nan=False, allow_none=True,
                              metadata={"description": "Degrees north, WGS-84"})
    longitude = fields.Decimal(allow_nan=False, allow_none=True,
                               metadata={"description": "Degrees east, WGS-84"})
    reference_place_id = fields.Integer(
        strict=True, allow_none=True,
        metadata={"description": "Copy the coordinates of this city, hub or market instead"})
    receiving_from = fields.Time(allow_none=True, metadata={"description": "China time"})
    receiving_to = fields.Time(allow_none=True, metadata={"description": "China time"})
    make_default = fields.Boolean(load_default=False)


class SiteSchema(ma.Schema):
    id = fields.Integer()
    name = fields.String(attribute="name_zh")
    name_en = fields.String()
    latitude = fields.Decimal(as_string=True)
    longitude = fields.Decimal(as_string=True)
    receiving_from = fields.Time(allow_none=True)
    receiving_to = fields.Time(allow_none=True)


class AccountSchema(ma.Schema):
    phone = fields.Function(lambda a: a.user.phone)
    name = fields.Function(lambda a: a.user.name)
    company = fields.String()
    default_site_id = fields.Integer(allow_none=True)
    sites = fields.List(fields.Nested(SiteSchema))

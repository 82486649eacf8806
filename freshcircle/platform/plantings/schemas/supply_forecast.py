"""Supply forecast schemas: the next 12 weeks per product (and county), with the band."""

from __future__ import annotations

import marshmallow as ma

from freshcircle.platform.web import fields
from freshcircle.platform.web.schemas import StrictSchema


class SupplyForecastQuerySchema(StrictSchema):
    county_code = fields.String(metadata={"description": "One county's plantings (GB/T 2260)"})
    by_county = fields.Boolean(load_default=False,
                               metadata={"description": "A row per product and county"})


class WeekSupplySchema(ma.Schema):
    week = fields.Date(metadata={"description": "The week's Monday"})
    expected_jin = fields.Function(lambda w: round(w.expected_jin))
    low_jin = fields.Function(lambda w: round(w.low_jin))
    high_jin = fields.Function(lambda w: round(w.high_jin))


class ProductSupplySchema(ma.Schema):
    product = fields.Function(lambda s: {"id": s.product.id, "name_zh": s.product.name_zh,
                                         "name_en": s.product.name_en})
    county_code = fields.String(allow_none=True)
    county_name = fields.String(allow_none=True)
    weeks = fields.List(fields.Nested(WeekSupplySchema))


class SupplyForecastSchema(ma.Schema):
    weeks = fields.List(fields.Date())
    products = fields.List(fields.Nested(ProductSupplySchema))
    band = fields.Function(lambda f: {"low": round(f.band.low, 3), "high": round(f.band.high, 3),
                                      "errors": f.band.errors},
                           metadata={"description": "Multipliers of the expected supply for "
                                                    "the 80 % band, and how many past weeks "
                                                    "they were read from (0: the default)"})
    outcomes = fields.Integer(metadata={"description": "Finished plantings the producers' "
                                                      "corrections were learned from"})

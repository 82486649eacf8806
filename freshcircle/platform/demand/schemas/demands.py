"""Standing demand (求购) schemas: what a buyer posts, and a demand with its matches."""

from __future__ import annotations

import marshmallow as ma
from flask_babel import lazy_gettext as _l
from marshmallow import validate

from freshcircle.platform.core.schemas.places import PlaceBriefSchema
from freshcircle.platform.core.services.quantities import grams_to_jin
from freshcircle.platform.market.schemas.quotes import QuoteSchema
from freshcircle.platform.models import DemandStatus
from freshcircle.platform.web import fields
from freshcircle.platform.web.schemas import (
    ProductBriefSchema,
    StrictSchema,
    enum_field,
    optional_text,
)

unit_field = fields.String(
    load_default="jin",
    validate=validate.OneOf(("jin", "kg"), error=_l("Must be one of: {choices}.")),
    metadata={"description": "What quantity and price are given in: jin (斤, 500 g) or kg"},
)


class DemandInSchema(StrictSchema):
    product_id = fields.Integer(required=True)
    grade = optional_text(32, metadata={"description": "特级, 一级, ...; left out: any grade"})
    quantity = fields.Decimal(required=True, places=3, allow_nan=False,
                              metadata={"description": "Per week, in `unit`"})
    unit = unit_field
    first_week = fields.Date(required=True, metadata={
        "description": "Any day of the first week (stored as its Monday); not a past week"})
    last_week = fields.Date(required=True, metadata={
        "description": "Any day of the last week (inclusive); at most 52 weeks in all"})
    site_id = fields.Integer(required=True, metadata={"description": "One of your sites"})
    price = fields.Decimal(allow_none=True, allow_nan=False, metadata={
        "description": "The price you expect, 元 per `unit`; left out or null: 待报价"})
    min_shelf_life_days = fields.Integer(required=True, metadata={
        "description": "Shelf life the produce must still have on arrival, in days (1 to "
                       "the product's storage life)"})


class MatchProducerSchema(ma.Schema):
    id = fields.Integer()
    name = fields.String()
    county_name = fields.String()


class DemandMatchSchema(ma.Schema):
    producer = fields.Nested(MatchProducerSchema)
    rank = fields.Integer()
    score = fields.Float()
    reasons = fields.Function(lambda m: m.reason_list, metadata={
        "description": "Facts behind the match: kind planting (plantings, area_mu, jin, "
                       "first_week, last_week), listings (count, jin), transit (km, hours, "
                       "life_days on arrival, min_days asked)"})
    notified_at = fields.AwareDateTime(allow_none=True)


class DemandSchema(ma.Schema):
    id = fields.Integer()
    buyer_id = fields.Integer()
    product = fields.Nested(ProductBriefSchema)
    grade = fields.String(allow_none=True)
    quantity_g_per_week = fields.Integer()
    quantity_jin_per_week = fields.Function(lambda d: str(grams_to_jin(d.quantity_g_per_week)))
    first_week = fields.Date(metadata={"description": "Monday of the first week"})
    last_week = fields.Date(metadata={"description": "Monday of the last week"})
    site = fields.Nested(PlaceBriefSchema)
    price_fen_per_jin = fields.Integer(allow_none=True, metadata={
        "description": "The price expected; null: 待报价 (to be quoted)"})
    min_shelf_life_days = fields.Integer()
    status = enum_field(DemandStatus)
    quote_request_id = fields.Integer(allow_none=True, metadata={
        "description": "The 询价 matched producers quote on (GET /quote-requests/{id})"})
    created_at = fields.AwareDateTime()
    matched_at = fields.AwareDateTime(allow_none=True)
    matches = fields.List(fields.Nested(DemandMatchSchema), attribute="shown_matches",
                          metadata={"description": "All matches, best first, for the buyer; "
                                                   "only your own for a producer"})
    quotes = fields.List(fields.Nested(QuoteSchema), attribute="shown_quotes")

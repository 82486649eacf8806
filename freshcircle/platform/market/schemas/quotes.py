"""Quote schemas: a buyer's request (询价), a producer's quote (报价), the order an accept makes."""

from __future__ import annotations

import marshmallow as ma
from flask_babel import lazy_gettext as _l
from marshmallow import validate

from freshcircle.platform.core.schemas.places import PlaceBriefSchema
from freshcircle.platform.core.services.money import fen_per_kg, fen_to_yuan
from freshcircle.platform.core.services.quantities import grams_to_jin, grams_to_kg
from freshcircle.platform.market.services import quotes
from freshcircle.platform.web import fields
from freshcircle.platform.web.schemas import (
    ProductBriefSchema,
    StrictSchema,
    aware_datetime,
    optional_text,
)

unit_field = fields.String(
    load_default="jin",
    validate=validate.OneOf(("jin", "kg"), error=_l("Must be one of: {choices}.")),
    metadata={"description": "What quantity or price is given in: jin (斤, 500 g) or kg"},
)


class QuoteRequestInSchema(StrictSchema):
    product_id = fields.Integer(required=True)
    quantity = fields.Decimal(required=True, places=3, allow_nan=False,
                              metadata={"description": "In `unit`"})
    unit = unit_field
    delivery_date = fields.Date(required=True, metadata={"description": "Tomorrow or later"})
    site_id = fields.Integer(required=True, metadata={"description": "One of your sites"})
    notes = optional_text(500)


class QuoteInSchema(StrictSchema):
    listing_id = fields.Integer(required=True, metadata={
        "description": "One of your active listings of the requested product"})
    price = fields.Decimal(required=True, allow_nan=False,
                           metadata={"description": "元 per `unit`"})
    unit = unit_field
    freight = fields.Decimal(load_default=0, allow_nan=False,
                             metadata={"description": "元 for the whole delivery (0 or more)"})
    valid_until = aware_datetime(required=True, metadata={
        "description": "After now, at most 14 days ahead, with its time zone"})


class QuoteProducerSchema(ma.Schema):
    id = fields.Integer()
    name = fields.String()
    county_name = fields.String()


class QuoteSchema(ma.Schema):
    id = fields.Integer()
    request_id = fields.Integer()
    listing_id = fields.Integer()
    producer = fields.Nested(QuoteProducerSchema, attribute="listing.producer")
    lot_code = fields.String(attribute="listing.batch.lot_code")
    price_fen_per_jin = fields.Integer()
    price_per_jin = fields.Function(lambda q: str(fen_to_yuan(q.price_fen_per_jin)),
                                    metadata={"description": "元/斤"})
    price_per_kg = fields.Function(lambda q: str(fen_to_yuan(fen_per_kg(q.price_fen_per_jin))),
                                   metadata={"description": "元/kg"})
    freight_fen = fields.Integer()
    valid_until = fields.AwareDateTime()
    status = fields.Function(quotes.shown_status, metadata={
        "description": "offered, expired (offered but past valid_until), accepted, withdrawn"})
    created_at = fields.AwareDateTime()


class QuoteRequestSchema(ma.Schema):
    id = fields.Integer()
    product = fields.Nested(ProductBriefSchema, attribute="product_brief")
    quantity_g = fields.Integer()
    quantity_jin = fields.Function(lambda r: str(grams_to_jin(r.quantity_g)))
    quantity_kg = fields.Function(lambda r: str(grams_to_kg(r.quantity_g)))
    delivery_date = fields.Date()
    site = fields.Nested(PlaceBriefSchema, attribute="site_brief")
    notes = fields.String(allow_none=True)
    open = fields.Function(quotes.is_open, metadata={
        "description": "No quote accepted and the delivery date not past"})
    created_at = fields.AwareDateTime()
    quotes = fields.List(fields.Nested(QuoteSchema), attribute="shown_quotes", metadata={
        "description": "All quotes for the buyer; only your own for a producer"})


class QuotedOrderLineSchema(ma.Schema):
    id = fields.Integer()
    listing_id = fields.Integer()
    lot_code = fields.String(attribute="batch.lot_code")
    quantity_g = fields.Integer()
    price_fen_per_jin = fields.Integer()


class QuotedOrderSchema(ma.Schema):
    id = fields.Integer()
    quote_id = fields.Integer()
    producer_id = fields.Integer()
    site_id = fields.Integer()
    status = fields.Function(lambda o: o.status.value)
    dispatch_date = fields.Date()
    freight_fen = fields.Integer()
    lines = fields.List(fields.Nested(QuotedOrderLineSchema))

"""Marketplace listing schemas: terms a producer writes, what buyers read, the search query."""

from __future__ import annotations

import marshmallow as ma
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from marshmallow import validate

from freshcircle.platform.core.services.identifiers import FUYANG_COUNTIES
from freshcircle.platform.core.services.money import fen_per_kg, fen_to_yuan, format_money
from freshcircle.platform.core.services.quantities import grams_to_jin, grams_to_kg
from freshcircle.platform.market.services.listing_browse import MAX_LIMIT, SORTS
from freshcircle.platform.market.services.listing_facets import arrive_by_at
from freshcircle.platform.models import ListingStatus
from freshcircle.platform.web import fields
from freshcircle.platform.web.schemas import (
    ProductBriefSchema,
    StrictSchema,
    aware_datetime,
    enum_field,
    optional_text,
)

price_unit = fields.String(
    load_default="jin",
    validate=validate.OneOf(("jin", "kg"), error=_l("Must be one of: {choices}.")),
    metadata={"description": "What price and weights are given in: jin (斤, 500 g) or kg"},
)


def _decimal(**kwargs) -> fields.Decimal:
    return fields.Decimal(places=3, allow_nan=False, **kwargs)


class TierSchema(StrictSchema):
    min_quantity = _decimal(required=True, metadata={"description": "From this quantity on"})
    price = fields.Decimal(required=True, allow_nan=False, metadata={"description": "元"})


class ContractPriceInSchema(StrictSchema):
    buyer_phone = fields.String(required=True, validate=validate.Length(max=20))
    price = fields.Decimal(required=True, allow_nan=False, metadata={"description": "元"})


class ListingTermsSchema(StrictSchema):
    """Listing terms: the price in 元 per `unit`, weights in `unit`."""

    price = fields.Decimal(required=True, allow_nan=False,
                           metadata={"description": "元 per unit (a per-kg price must halve "
                                                    "to whole fen)"})
    unit = price_unit
    min_order = _decimal(required=True, metadata={"description": "起订量, in unit"})
    quantity = _decimal(allow_none=True,
                        metadata={"description": "Offered, in unit; default: all the batch "
                                                 "has left"})
    available_from = fields.Date(metadata={"description": "Default: today"})
    available_to = fields.Date(required=True)
    specification = optional_text(64, metadata={"description": "规格, e.g. 5斤/箱"})
    tiers = fields.List(fields.Nested(TierSchema), validate=validate.Length(max=5))
    contract_prices = fields.List(fields.Nested(ContractPriceInSchema),
                                  validate=validate.Length(max=20))


class ListingChangeSchema(ListingTermsSchema):
    """Only the fields given change; the others keep their values."""

    price = fields.Decimal(allow_nan=False)
    min_order = _decimal()
    available_to = fields.Date()


class ListingStatusSchema(StrictSchema):
    status = enum_field(ListingStatus, required=True)


class TierOutSchema(ma.Schema):
    min_g = fields.Integer()
    price_fen_per_jin = fields.Integer()
    price_per_jin = fields.Function(lambda t: str(fen_to_yuan(t.price_fen_per_jin)))
    price_per_kg = fields.Function(lambda t: str(fen_to_yuan(fen_per_kg(t.price_fen_per_jin))))


class ProducerBriefSchema(ma.Schema):
    id = fields.Integer()
    name = fields.String()
    county_code = fields.String()
    county_name = fields.String()


class EstimateSchema(ma.Schema):
    dispatch_date = fields.Date()
    cutoff = fields.AwareDateTime(metadata={"description": "Order before this for that "
                                                           "dispatch"})
    arrival = fields.AwareDateTime()
    distance_km = fields.Function(lambda e: round(e.distance_km, 1))
    freight_fen = fields.Integer(metadata={"description": "For the minimum order (list) or "
                                                          "the quantity asked"})


def _money(fen: int) -> str:
    return format_money(fen, str(get_locale() or "zh"))


class ListingSchema(ma.Schema):
    id = fields.Integer()
    batch_id = fields.Integer()
    lot_code = fields.String(attribute="batch.lot_code")
    product = fields.Nested(ProductBriefSchema)
    variety = fields.String(attribute="batch.variety", allow_none=True)
    category = fields.String()
    producer = fields.Nested(ProducerBriefSchema)
    county_code = fields.String()
    grade = fields.String(allow_none=True)
    specification = fields.String(allow_none=True)
    price_fen_per_jin = fields.Integer()
    price_per_jin = fields.Function(lambda x: str(fen_to_yuan(x.price_fen_per_jin)),
                                    metadata={"description": "元/斤"})
    price_per_kg = fields.Function(lambda x: str(fen_to_yuan(fen_per_kg(x.price_fen_per_jin))),
                                   metadata={"description": "元/kg"})
    price_text = fields.Function(
        lambda x: {"jin": _money(x.price_fen_per_jin),
                   "kg": _money(fen_per_kg(x.price_fen_per_jin))},
        metadata={"description": "Formatted in the request's language (¥ / CN¥)"})
    min_order_g = fields.Integer()
    offered_g = fields.Integer()
    sold_g = fields.Integer()
    left_g = fields.Integer()
    left_kg = fields.Function(lambda x: str(grams_to_kg(x.left_g)))
    left_jin = fields.Function(lambda x: str(grams_to_jin(x.left_g)))
    available_from = fields.Date()
    available_to = fields.Date()
    harvest_date = fields.Date()
    certified = fields.Boolean()
    status = enum_field(ListingStatus)
    tiers = fields.List(fields.Nested(TierOutSchema))
    estimate = fields.Function(
        lambda x: EstimateSchema().dump(x.estimate) if getattr(x, "estimate", None) else None,
        metadata={"description": "Delivery to the buyer's site, when known"})
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class ListingPageSchema(ma.Schema):
    items = fields.List(fields.Nested(ListingSchema))
    facets = fields.Dict(metadata={"description": (
        "With facets=true: per facet (county, product, grade, certified, price, arrive_by) "
        "its values, each with `count`, the results that passing it as the facet's parameter "
        "would leave (every other filter kept), and `active`")})
    next_cursor = fields.String(allow_none=True,
                                metadata={"description": "Pass as `cursor` for the next page; "
                                                         "null on the last page"})


class ListingQuerySchema(ma.Schema):
    q = fields.String(validate=validate.Length(max=40),
                      metadata={"description": "Product (Chinese or English), variety, "
                                               "producer or county"})
    category = fields.String(validate=validate.Length(max=32))
    county = fields.String(validate=validate.Length(max=6),
                           metadata={"description": "County code, e.g. 341222"})
    product = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1),
                             metadata={"description": "Product id"})
    certified = fields.Boolean(load_default=False)
    grade = fields.String(validate=validate.Length(max=32))
    price_min = fields.Decimal(allow_nan=False, validate=validate.Range(min=0),
                               metadata={"description": "元/斤"})
    price_max = fields.Decimal(allow_nan=False, validate=validate.Range(min=0),
                               metadata={"description": "元/斤"})
    harvested_from = fields.Date()
    arrive_by = aware_datetime(metadata={"description": "Can arrive at the site by"})
    site_id = fields.Integer(metadata={"description": "One of your sites; default: your "
                                                     "default site"})
    sort = fields.String(load_default="price",
                         validate=validate.OneOf(SORTS, error=_l("Must be one of: {choices}.")))
    cursor = fields.String(validate=validate.Length(max=200))
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_LIMIT))
    facets = fields.Boolean(load_default=False,
                            metadata={"description": "Also count the results of each filter "
                                                     "value (see `facets` in the answer)"})


def _yuan(fen: int | None) -> str | None:
    return None if fen is None else str(fen_to_yuan(fen))


def facets_json(facets) -> dict:
    """`listing_facets.Facets` as the API gives them: each value as the parameter(s) that
    select it, its count and whether it is active; products and counties with their names."""
    english = str(get_locale()) == "en"

    def entry(item, **extra) -> dict:
        return {**extra, "count": item.count, "active": item.active}

    out = {}
    for name, values in facets.values.items():
        if name == "price":
            out[name] = [entry(v, price_min=_yuan(v.value[0]), price_max=_yuan(v.value[1]))
                         for v in values]
        elif name == "arrive_by":
            out[name] = [entry(v, value=arrive_by_at(v.value).isoformat(),
                               date=v.value.isoformat()) for v in values]
        elif name == "product":
            products = facets.products
            out[name] = [entry(v, value=v.value, name=(
                products[v.value].name_en if english else products[v.value].name_zh))
                for v in values]
        elif name == "county":
            out[name] = [entry(v, value=v.value, name=FUYANG_COUNTIES.get(v.value, v.value))
                         for v in values]
        else:
            out[name] = [entry(v, value=v.value) for v in values]
    return out

"""Splits, merges and lot traces."""

from __future__ import annotations

import marshmallow as ma
from flask_babel import lazy_gettext as _l
from marshmallow import validate

from freshcircle.platform.batches.schemas.batches import BatchSchema, unit_field
from freshcircle.platform.core.services.quantities import grams_to_kg
from freshcircle.platform.web import fields
from freshcircle.platform.web.schemas import StrictSchema

_size = validate.Length(min=1, max=50, error=_l("Between {min} and {max} items."))


class PartSchema(StrictSchema):
    quantity = fields.Decimal(required=True, places=3, allow_nan=False)
    unit = unit_field


class SplitSchema(StrictSchema):
    parts = fields.List(fields.Nested(PartSchema), required=True, validate=_size)


class MergeInputSchema(StrictSchema):
    batch_id = fields.Integer(required=True, strict=True)
    quantity = fields.Decimal(places=3, allow_nan=False, load_default=None,
                              metadata={"description": "Omit to merge all that is left"})
    unit = unit_field


class MergeSchema(StrictSchema):
    inputs = fields.List(fields.Nested(MergeInputSchema), required=True, validate=_size)


class TraceQuerySchema(ma.Schema):
    direction = fields.String(load_default="forward",
                              validate=validate.OneOf(("forward", "backward"),
                                                      error=_l("Must be one of: {choices}.")))


class TracedLotSchema(ma.Schema):
    node = fields.Function(lambda t: t.node.node)
    gtin = fields.String()
    lot = fields.String()
    depth = fields.Function(lambda t: t.node.depth)
    via = fields.Function(lambda t: t.node.via)
    path = fields.Function(lambda t: list(t.node.path))
    quantity_kg = fields.Function(
        lambda t: str(grams_to_kg(t.node.edge.quantity)) if t.node.edge
        and t.node.edge.quantity is not None else None)
    batch_id = fields.Function(lambda t: t.batch.id if t.batch else None)
    status = fields.Function(lambda t: t.batch.status.value if t.batch else None)


class NodeSchema(ma.Schema):
    node = fields.String()
    depth = fields.Integer()
    via = fields.String()


class ShipmentHitSchema(ma.Schema):
    shipment_id = fields.Function(lambda h: h.shipment.id)
    status = fields.Function(lambda h: h.shipment.status.value)
    lot = fields.Function(lambda h: h.batch.lot_code)
    batch_id = fields.Function(lambda h: h.batch.id)
    quantity_kg = fields.Function(lambda h: str(grams_to_kg(h.quantity_g)))
    to_place = fields.Function(lambda h: h.shipment.to_place.name_zh)
    to_place_en = fields.Function(lambda h: h.shipment.to_place.name_en)
    buyer = fields.Function(lambda h: {"id": h.buyer.id, "name": h.buyer.name}
                            if h.buyer else None)
    carrier_id = fields.Function(lambda h: h.shipment.carrier_id)


class OrderHitSchema(ma.Schema):
    order_id = fields.Function(lambda h: h.order.id)
    status = fields.Function(lambda h: h.order.status.value)
    lot = fields.Function(lambda h: h.batch.lot_code)
    quantity_kg = fields.Function(lambda h: str(grams_to_kg(h.quantity_g)))
    site = fields.Function(lambda h: h.order.site.name_zh)
    buyer = fields.Function(lambda h: {"id": h.buyer.id, "name": h.buyer.name})


class FarmSchema(ma.Schema):
    producer_id = fields.Integer()
    producer = fields.Function(lambda b: b.producer.name)
    county_code = fields.Function(lambda b: b.producer.county_code)
    plot = fields.String()
    lot = fields.String(attribute="lot_code")
    harvest_date = fields.Date()


class TraceSchema(ma.Schema):
    direction = fields.String()
    start = fields.Nested(BatchSchema)
    lots = fields.List(fields.Nested(TracedLotSchema))
    containers = fields.List(fields.Nested(NodeSchema))
    consignees = fields.List(fields.Nested(NodeSchema))
    shipments = fields.List(fields.Nested(ShipmentHitSchema))
    orders = fields.List(fields.Nested(OrderHitSchema))
    buyers = fields.Function(lambda t: [{"id": u.id, "name": u.name} for u in t.buyers])
    farms = fields.List(fields.Nested(FarmSchema))


_formats = validate.OneOf(("csv", "xlsx"), error=_l("Must be one of: {choices}."))


class RecordsFormatSchema(ma.Schema):
    format = fields.String(load_default="xlsx", validate=_formats)


class RecordsRangeSchema(RecordsFormatSchema):
    date_from = fields.Date(required=True)
    date_to = fields.Date(required=True)

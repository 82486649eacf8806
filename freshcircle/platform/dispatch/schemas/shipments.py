"""Shipment schemas: plans, lines, status changes."""

from __future__ import annotations

import marshmallow as ma
from flask_babel import lazy_gettext as _l
from marshmallow import validate

from freshcircle.platform.batches.schemas.batches import unit_field
from freshcircle.platform.core.schemas.places import PlaceBriefSchema
from freshcircle.platform.core.services.quantities import grams_to_kg
from freshcircle.platform.models import ShipmentStatus, TemperatureClass, TransportMode
from freshcircle.platform.web import fields
from freshcircle.platform.web.schemas import (
    ProductBriefSchema,
    StrictSchema,
    aware_datetime,
    enum_field,
    optional_text,
)

MAX_LINES = 200


def _set_point(**kwargs) -> fields.Decimal:
    return fields.Decimal(
        places=1, allow_none=True, allow_nan=False, as_string=True,
        validate=validate.Range(min=-60, max=80, error=_l("Between {min} and {max} °C.")),
        metadata={"description": "°C; frozen -18 or colder, chilled 0-4, cool 8-15"},
        **kwargs,
    )


class ShipmentLineInputSchema(StrictSchema):
    batch_id = fields.Integer(required=True)
    # Not rounded: a weight that is not whole grams is refused, never silently rounded.
    quantity = fields.Decimal(required=True, allow_nan=False)
    unit = unit_field


class ShipmentCreateSchema(StrictSchema):
    from_place_id = fields.Integer(required=True)
    to_place_id = fields.Integer(required=True)
    carrier_id = fields.Integer(allow_none=True,
                                metadata={"description": "A user with the carrier role"})
    vehicle_plate = optional_text(12, metadata={"description": "e.g. 皖K12345"})
    mode = enum_field(TransportMode, required=True)
    temp_class = enum_field(TemperatureClass, required=True)
    set_point_c = _set_point()
    planned_departure = aware_datetime(required=True)
    planned_arrival = aware_datetime(required=True)
    lines = fields.List(fields.Nested(ShipmentLineInputSchema),
                        validate=validate.Length(max=MAX_LINES))


class ShipmentUpdateSchema(StrictSchema):
    from_place_id = fields.Integer()
    to_place_id = fields.Integer()
    carrier_id = fields.Integer(allow_none=True)
    vehicle_plate = optional_text(12)
    mode = enum_field(TransportMode)
    temp_class = enum_field(TemperatureClass)
    set_point_c = _set_point()
    planned_departure = aware_datetime()
    planned_arrival = aware_datetime()


class ShipmentStatusChangeSchema(StrictSchema):
    status = enum_field(ShipmentStatus, required=True)
    at = aware_datetime(metadata={"description": "When it left or arrived; now if left out"})


class ShipmentQuerySchema(ma.Schema):
    status = enum_field(ShipmentStatus)
    carrier_id = fields.Integer()
    from_place_id = fields.Integer()
    to_place_id = fields.Integer()


class ShipmentLineSchema(ma.Schema):
    id = fields.Integer()
    batch_id = fields.Integer()
    lot_code = fields.String(attribute="batch.lot_code")
    producer_id = fields.Integer(attribute="batch.producer_id")
    product = fields.Nested(ProductBriefSchema, attribute="batch.product")
    quantity_g = fields.Integer()
    quantity_kg = fields.Function(lambda line: str(grams_to_kg(line.quantity_g)))


class CarrierBriefSchema(ma.Schema):
    id = fields.Integer()
    name = fields.String()


class ShipmentSchema(ma.Schema):
    id = fields.Integer()
    status = enum_field(ShipmentStatus)
    from_place = fields.Nested(PlaceBriefSchema)
    to_place = fields.Nested(PlaceBriefSchema)
    carrier = fields.Nested(CarrierBriefSchema, allow_none=True)
    vehicle_plate = fields.String(allow_none=True)
    mode = enum_field(TransportMode)
    temp_class = enum_field(TemperatureClass)
    set_point_c = fields.Decimal(as_string=True, allow_none=True)
    planned_departure = fields.AwareDateTime()
    planned_arrival = fields.AwareDateTime()
    actual_departure = fields.AwareDateTime(allow_none=True)
    actual_arrival = fields.AwareDateTime(allow_none=True)
    lines = fields.List(fields.Nested(ShipmentLineSchema))
    total_g = fields.Function(lambda s: sum(line.quantity_g for line in s.lines))
    created_by_id = fields.Integer(allow_none=True)
    created_at = fields.AwareDateTime()

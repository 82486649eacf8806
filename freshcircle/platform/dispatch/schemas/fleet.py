"""Vehicle schemas: a producer's reefer trucks and their compartments."""

from __future__ import annotations

import marshmallow as ma

from freshcircle.platform.core.schemas.places import PlaceBriefSchema
from freshcircle.platform.models import TemperatureClass
from freshcircle.platform.web import fields
from freshcircle.platform.web.schemas import StrictSchema, enum_field


def _celsius(**kwargs) -> fields.Decimal:
    return fields.Decimal(places=1, allow_nan=False, as_string=True, **kwargs)


class CompartmentInputSchema(StrictSchema):
    kind = fields.String(required=True, metadata={
        "description": "One of chilled-veg, chilled-fruit, chilled, cool, frozen, ambient "
                       "(the kind must fit temp_class)"})
    temp_class = enum_field(TemperatureClass, required=True)
    min_c = _celsius(required=True, metadata={
        "description": "°C; frozen -25..-18, chilled 0..4, cool 8..15, ambient 15..30"})
    max_c = _celsius(required=True)
    capacity_kg = fields.Integer(required=True)
    capacity_pallets = fields.Integer(required=True)


def _compartments(**kwargs) -> fields.List:
    return fields.List(fields.Nested(CompartmentInputSchema),
                       metadata={"description": "1 to 4 compartments, front to back"}, **kwargs)


class VehicleUpdateSchema(StrictSchema):
    plate = fields.String(metadata={"description": "e.g. 皖K12345"})
    name = fields.String(metadata={"description": "e.g. 9.6 米三温区冷藏车"})
    depot_id = fields.Integer(metadata={"description": "One of the producer's cold stores"})
    driver_id = fields.Integer(allow_none=True,
                               metadata={"description": "A user with the carrier role"})
    fixed_cost_fen = fields.Integer(metadata={"description": "Cost of using it for a day, fen"})
    fen_per_km = fields.Integer()
    shift_hours = fields.Integer()
    active = fields.Boolean()
    compartments = _compartments()


class VehicleCreateSchema(VehicleUpdateSchema):
    producer_id = fields.Integer(required=True)
    plate = fields.String(required=True, metadata={"description": "e.g. 皖K12345"})
    name = fields.String(required=True)
    depot_id = fields.Integer(required=True)
    fixed_cost_fen = fields.Integer(required=True)
    fen_per_km = fields.Integer(required=True)
    compartments = _compartments(required=True)


class VehicleQuerySchema(ma.Schema):
    producer_id = fields.Integer()


class CompartmentSchema(ma.Schema):
    position = fields.Integer()
    kind = fields.String()
    temp_class = enum_field(TemperatureClass)
    min_c = fields.Decimal(as_string=True)
    max_c = fields.Decimal(as_string=True)
    capacity_kg = fields.Integer()
    capacity_pallets = fields.Integer()


class DriverBriefSchema(ma.Schema):
    id = fields.Integer()
    name = fields.String()


class VehicleSchema(ma.Schema):
    id = fields.Integer()
    producer_id = fields.Integer()
    depot = fields.Nested(PlaceBriefSchema)
    plate = fields.String()
    name = fields.String()
    driver = fields.Nested(DriverBriefSchema, allow_none=True)
    fixed_cost_fen = fields.Integer()
    fen_per_km = fields.Integer()
    shift_hours = fields.Integer()
    active = fields.Boolean()
    compartments = fields.List(fields.Nested(CompartmentSchema))
    created_at = fields.AwareDateTime()

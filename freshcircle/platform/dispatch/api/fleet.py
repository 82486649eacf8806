"""Vehicles: a producer's reefer fleet for dispatch planning."""

from __future__ import annotations

from flask_smorest import Blueprint

from freshcircle.platform.dispatch.schemas.fleet import (
    VehicleCreateSchema,
    VehicleQuerySchema,
    VehicleSchema,
    VehicleUpdateSchema,
)
from freshcircle.platform.dispatch.services import fleet
from freshcircle.platform.extensions import db
from freshcircle.platform.web.api import SelectPage, actor

blp = Blueprint("vehicles", __name__, url_prefix="/vehicles",
                description="A producer's reefer trucks, their compartments, depot and driver")


@blp.get("")
@blp.arguments(VehicleQuerySchema, location="query", as_kwargs=True)
@blp.response(200, VehicleSchema(many=True))
@blp.paginate(SelectPage)
def list_vehicles(producer_id=None):
    """List the vehicles of the producers I manage (admins: all), by producer and plate."""
    return fleet.vehicles_query(actor(), producer_id)


@blp.post("")
@blp.arguments(VehicleCreateSchema)
@blp.response(201, VehicleSchema)
def create_vehicle(data):
    """Add a vehicle with 1 to 4 compartments (the producer's managers and admins).

    The plate is a Chinese plate (皖K12345), the depot one of the producer's cold stores, the
    driver a carrier; each compartment's range lies within its temperature class's band.
    """
    producer_id = data.pop("producer_id")
    return fleet.create_vehicle(db.session, actor(), producer_id, data)


@blp.get("/<int:vehicle_id>")
@blp.response(200, VehicleSchema)
def get_vehicle(vehicle_id):
    """One vehicle with its compartments; 404 unless I manage its producer."""
    return fleet.get_vehicle(db.session, actor(), vehicle_id)


@blp.put("/<int:vehicle_id>")
@blp.arguments(VehicleUpdateSchema)
@blp.response(200, VehicleSchema)
def update_vehicle(data, vehicle_id):
    """Change a vehicle; compartments given replace all of its compartments.

    `active: false` takes it out of dispatch planning.
    """
    user = actor()
    vehicle = fleet.get_vehicle(db.session, user, vehicle_id)
    return fleet.update_vehicle(db.session, user, vehicle, data)

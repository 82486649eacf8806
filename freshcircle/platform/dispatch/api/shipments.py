"""Shipments: plan, read, edit, list; add and remove lines; depart, deliver, cancel."""

from __future__ import annotations

from flask_smorest import Blueprint

from freshcircle.platform.dispatch.schemas.shipments import (
    ShipmentCreateSchema,
    ShipmentLineInputSchema,
    ShipmentLineSchema,
    ShipmentQuerySchema,
    ShipmentSchema,
    ShipmentStatusChangeSchema,
    ShipmentUpdateSchema,
)
from freshcircle.platform.dispatch.services import shipment_lines, shipments
from freshcircle.platform.extensions import db
from freshcircle.platform.web.api import SelectPage, actor

blp = Blueprint("shipments", __name__, url_prefix="/shipments",
                description="Shipments of batches between places, and their status")


@blp.get("")
@blp.arguments(ShipmentQuerySchema, location="query", as_kwargs=True)
@blp.response(200, ShipmentSchema(many=True))
@blp.paginate(SelectPage)
def list_shipments(**filters):
    """List shipments the caller may see, latest planned departure first.

    Shippers see shipments they planned or that carry their producers' batches, carriers
    those assigned to them, inspectors and admins all; buyers none.
    """
    return shipments.shipments_query(actor(), **filters)


@blp.post("")
@blp.arguments(ShipmentCreateSchema)
@blp.response(201, ShipmentSchema)
@blp.alt_response(409, description="A line asks for more of a batch than remains")
def create_shipment(data):
    """Plan a shipment, optionally with lines (batch, quantity, unit).

    The set point must suit the temperature class; a bad line is named by its index.
    """
    return shipments.create_shipment(db.session, actor(), data)


@blp.get("/<int:shipment_id>")
@blp.response(200, ShipmentSchema)
def get_shipment(shipment_id):
    """One shipment with its lines (batch, lot code, product, grams)."""
    return shipments.get_shipment(db.session, actor(), shipment_id)


@blp.patch("/<int:shipment_id>")
@blp.arguments(ShipmentUpdateSchema)
@blp.response(200, ShipmentSchema)
@blp.alt_response(409, description="The shipment is no longer planned")
def update_shipment(changes, shipment_id):
    """Change a planned shipment (the shipper; the carrier may set the vehicle plate)."""
    user = actor()
    shipment = shipments.get_shipment(db.session, user, shipment_id)
    return shipments.update_shipment(db.session, user, shipment, changes)


@blp.post("/<int:shipment_id>/lines")
@blp.arguments(ShipmentLineInputSchema)
@blp.response(201, ShipmentLineSchema)
@blp.alt_response(409, description="More than remains, a held batch, or not planned")
def add_line(data, shipment_id):
    """Put part of one of my producers' batches on a planned shipment (jin, kg or g)."""
    user = actor()
    shipment = shipments.get_shipment(db.session, user, shipment_id)
    return shipment_lines.add_line(db.session, user, shipment, data)


@blp.delete("/<int:shipment_id>/lines/<int:line_id>")
@blp.response(204)
def remove_line(shipment_id, line_id):
    """Take a line off a planned shipment."""
    user = actor()
    shipment = shipments.get_shipment(db.session, user, shipment_id)
    shipment_lines.remove_line(db.session, user, shipment, line_id)


@blp.post("/<int:shipment_id>/status")
@blp.arguments(ShipmentStatusChangeSchema)
@blp.response(200, ShipmentSchema)
@blp.alt_response(409, description="Transition not allowed")
def change_status(data, shipment_id):
    """Depart (planned -> in_transit), deliver (in_transit -> delivered) or cancel a shipment.

    The carrier or the shipper departs and delivers; only the shipper cancels.
    """
    user = actor()
    shipment = shipments.get_shipment(db.session, user, shipment_id)
    return shipments.change_status(db.session, user, shipment, data["status"], data.get("at"))

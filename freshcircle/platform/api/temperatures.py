"""Temperature readings of a shipment: bulk, idempotent upload from loggers; read back."""

from __future__ import annotations

from flask_smorest import Blueprint

from ..extensions import db
from ..schemas.temperatures import (
    IngestResultSchema,
    ReadingBatchSchema,
    ReadingQuerySchema,
    ReadingSchema,
)
from ..services import shipments, temperatures
from .common import SelectPage, actor

blp = Blueprint("temperatures", __name__, url_prefix="/shipments",
                description="Temperature readings from loggers on shipments")


@blp.post("/<int:shipment_id>/temperatures")
@blp.arguments(ReadingBatchSchema)
@blp.response(200, IngestResultSchema)
def record_readings(data, shipment_id):
    """Upload up to 5000 readings; resending readings already stored writes nothing.

    A reading is identified by (sensor_id, recorded_at). One invalid reading fails the
    request, naming its index (`readings.3.celsius`), and nothing is stored. Loggers use a
    bearer token of the carrier or a shipper (POST /api/v1/tokens).
    """
    user = actor()
    shipment = shipments.get_shipment(db.session, user, shipment_id)
    return temperatures.record_readings(db.session, user, shipment, data["readings"])


@blp.get("/<int:shipment_id>/temperatures")
@blp.arguments(ReadingQuerySchema, location="query", as_kwargs=True)
@blp.response(200, ReadingSchema(many=True))
@blp.paginate(SelectPage, page_size=100, max_page_size=1000)
def list_readings(shipment_id, **filters):
    """A shipment's readings in time order; filter by sensor and time window."""
    user = actor()
    shipment = shipments.get_shipment(db.session, user, shipment_id)
    return temperatures.readings_query(db.session, user, shipment, **filters)

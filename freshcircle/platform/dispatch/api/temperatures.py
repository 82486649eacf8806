"""Temperature readings of a shipment: bulk, idempotent upload from loggers; read back."""

from __future__ import annotations

from flask import current_app, request
from flask_babel import lazy_gettext as _l
from flask_smorest import Blueprint

from freshcircle.platform.core.services.errors import InvalidInput
from freshcircle.platform.dispatch.schemas.alerts import AcknowledgeSchema, AlertSchema
from freshcircle.platform.dispatch.schemas.temperatures import (
    IngestResultSchema,
    ReadingBatchSchema,
    ReadingQuerySchema,
    ReadingSchema,
)
from freshcircle.platform.dispatch.services import (
    logger_uploads,
    shipment_alerts,
    shipments,
    temperatures,
)
from freshcircle.platform.extensions import db
from freshcircle.platform.web.api import SelectPage, actor, read_upload

blp = Blueprint("temperatures", __name__, url_prefix="/shipments",
                description="Temperature readings from loggers on shipments")


@blp.post("/<int:shipment_id>/temperatures")
@blp.arguments(ReadingBatchSchema)
@blp.response(200, IngestResultSchema)
def record_readings(data, shipment_id):
    """Upload up to 5000 readings; resending readings already stored writes nothing.

    A reading is identified by (shipment, sensor_id, recorded_at): a logger id counts on this
    shipment only. Resending a stored reading with the same value is a duplicate; a different
    value for a stored logger and time is refused (422, `readings.3.celsius`). One invalid
    reading fails the request, naming its index, and nothing is stored. Loggers use a bearer
    token of the carrier or a shipper (POST /api/v1/tokens).
    """
    user = actor()
    shipment = shipments.get_shipment(db.session, user, shipment_id)
    return temperatures.record_readings(db.session, user, shipment, data["readings"])


@blp.post("/<int:shipment_id>/temperatures/csv")
@blp.response(200, IngestResultSchema)
def upload_logger_csv(shipment_id):
    """Upload a logger's CSV export (multipart field `file`; optional form field `sensor_id`).

    Layouts: time + temperature columns, or date + time + temperature; comma or semicolon
    (decimal commas) separated; °C or °F; Chinese or English headers. Every bad line is
    listed in `errors.file` with its number and nothing is stored; stored readings are
    skipped when uploaded again, and a line whose time is stored with a different
    temperature is listed as bad.
    """
    user = actor()
    shipment = shipments.get_shipment(db.session, user, shipment_id)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise InvalidInput.field("file", _l("Choose a file to upload."))
    sensor = (request.form.get("sensor_id") or "").strip()[:64] or f"csv:{upload.filename}"[:64]
    data = read_upload(upload)
    limit = current_app.config["MAX_FILE_BYTES"]
    if len(data) > limit:
        raise InvalidInput.field("file", _l("The file is larger than %(mb)s MB.",
                                            mb=limit // (1024 * 1024)))
    return logger_uploads.ingest_csv(db.session, user, shipment, data, sensor)


@blp.get("/<int:shipment_id>/temperatures")
@blp.arguments(ReadingQuerySchema, location="query", as_kwargs=True)
@blp.response(200, ReadingSchema(many=True))
@blp.paginate(SelectPage, page_size=100, max_page_size=1000)
def list_readings(shipment_id, **filters):
    """A shipment's readings in time order; filter by sensor and time window."""
    user = actor()
    shipment = shipments.get_shipment(db.session, user, shipment_id)
    return temperatures.readings_query(db.session, user, shipment, **filters)


@blp.get("/<int:shipment_id>/alerts")
@blp.response(200, AlertSchema(many=True))
def list_alerts(shipment_id):
    """The shipment's temperature alerts: spells outside its class's band for more than 30
    minutes, raised as readings arrive."""
    user = actor()
    shipment = shipments.get_shipment(db.session, user, shipment_id)
    return shipment_alerts.alerts_for(db.session, user, shipment)


@blp.post("/<int:shipment_id>/alerts/<int:alert_id>/acknowledge")
@blp.arguments(AcknowledgeSchema)
@blp.response(200, AlertSchema)
@blp.alt_response(409, description="Already acknowledged")
def acknowledge_alert(data, shipment_id, alert_id):
    """Acknowledge an alert with a comment saying what was done."""
    user = actor()
    shipments.get_shipment(db.session, user, shipment_id)
    return shipment_alerts.acknowledge(db.session, user, alert_id, data["comment"],
                                       shipment_id)

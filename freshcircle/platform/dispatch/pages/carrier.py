"""我的运单: a carrier's shipments, with their loads and temperatures; depart and deliver;
upload the logger's CSV file."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from freshcircle.platform.core.services.errors import Conflict, DomainError, InvalidInput
from freshcircle.platform.dispatch.forms import ShipmentStatusForm
from freshcircle.platform.dispatch.services import logger_uploads, shipment_alerts, temperatures
from freshcircle.platform.dispatch.services import shipments as shipment_service
from freshcircle.platform.extensions import db
from freshcircle.platform.models import Role, ShipmentStatus
from freshcircle.platform.web.pages import actor, place_label, roles_required

bp = Blueprint("carrier_pages", __name__, url_prefix="/carrier")
PAGE_SIZE = 20
# The buttons a carrier sees, by the status they lead to (cancelling is the shipper's).
ACTIONS = {
    ShipmentStatus.IN_TRANSIT: _l("Depart"),
    ShipmentStatus.DELIVERED: _l("Mark delivered"),
}


def actions_for(shipment) -> list:
    allowed = shipment_service.TRANSITIONS.get(shipment.status, set())
    return [(status, text) for status, text in ACTIONS.items() if status in allowed]


def list_page(refusal: tuple[int, DomainError] | None = None,
              upload: tuple[int, list[str]] | None = None,
              alert: tuple[int, list[str]] | None = None):
    """The carrier's shipments, latest planned departure first; with a refused action's reason."""
    user = actor()
    page = max(request.args.get("page", 1, type=int), 1)
    rows = db.session.scalars(
        shipment_service.shipments_query(user, carrier_id=user.id)
        .limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)
    ).all()
    shown = list(rows[:PAGE_SIZE])
    body = render_template(
        "dispatch/carrier/shipments.html",
        shipments=shown,
        readings=temperatures.summaries(db.session, user, shown),
        alerts=shipment_alerts.alerts_by_shipment(db.session, user, shown),
        actions={s.id: actions_for(s) for s in shown},
        refused_id=refusal[0] if refusal else None,
        refusal=str(refusal[1].message) if refusal else None,
        upload_id=upload[0] if upload else None,
        upload_errors=upload[1] if upload else None,
        alert_id=alert[0] if alert else None,
        alert_errors=alert[1] if alert else None,
        page=page,
        more=len(rows) > PAGE_SIZE,
    )
    return body, refusal[1].status_code if refusal else (422 if upload or alert else 200)


@bp.get("/shipments")
@roles_required(Role.CARRIER)
def shipments():
    return list_page()


@bp.post("/shipments/<int:shipment_id>/status")
@roles_required(Role.CARRIER)
def change_status(shipment_id: int):
    user = actor()
    shipment = shipment_service.get_shipment(db.session, user, shipment_id)
    form = ShipmentStatusForm()
    target = form.target() if form.validate_on_submit() else None
    if target not in ACTIONS:
        return render_template("error.html", code=400,
                               message=_("The request could not be understood.")), 400
    try:
        shipment_service.change_status(db.session, user, shipment, target)
    except (Conflict, InvalidInput) as error:
        return list_page((shipment_id, error))
    route = f"{place_label(shipment.from_place)} → {place_label(shipment.to_place)}"
    if target == ShipmentStatus.IN_TRANSIT:
        flash(_("Departed: %(route)s.", route=route), "success")
    else:
        flash(_("Delivered: %(route)s.", route=route), "success")
    return redirect(url_for("carrier_pages.shipments", _anchor=f"shipment-{shipment.id}"))


@bp.post("/shipments/<int:shipment_id>/temperatures")
@roles_required(Role.CARRIER)
def upload_readings(shipment_id: int):
    """The logger's CSV export for one shipment, from the phone; bad lines are listed."""
    user = actor()
    shipment = shipment_service.get_shipment(db.session, user, shipment_id)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return list_page(upload=(shipment_id, [_("Choose a file to upload.")]))
    data = upload.read(current_app.config["MAX_FILE_BYTES"] + 1)
    if len(data) > current_app.config["MAX_FILE_BYTES"]:
        return list_page(upload=(shipment_id, [_("The upload is too large.")]))
    try:
        result = logger_uploads.ingest_csv(db.session, user, shipment, data,
                                           f"csv:{upload.filename}"[:64])
    except (Conflict, InvalidInput) as error:
        messages = (error.errors or {}).get("file") or [str(error.message)]
        return list_page(upload=(shipment_id, [str(m) for m in messages]))
    flash(_("%(new)d new readings stored (%(dup)d were already there).",
            new=result.inserted, dup=result.duplicates), "success")
    return redirect(url_for("carrier_pages.shipments", _anchor=f"shipment-{shipment.id}"))


@bp.post("/shipments/<int:shipment_id>/alerts/<int:alert_id>")
@roles_required(Role.CARRIER)
def acknowledge_alert(shipment_id: int, alert_id: int):
    """Acknowledge a temperature alert with what was done about it."""
    user = actor()
    shipment_service.get_shipment(db.session, user, shipment_id)
    try:
        shipment_alerts.acknowledge(db.session, user, alert_id,
                                    request.form.get("comment", ""), shipment_id)
    except (Conflict, InvalidInput) as error:
        messages = (error.errors or {}).get("comment") or [str(error.message)]
        return list_page(upload=None, alert=(alert_id, [str(m) for m in messages]))
    flash(_("Alert acknowledged."), "success")
    return redirect(url_for("carrier_pages.shipments", _anchor=f"shipment-{shipment_id}"))

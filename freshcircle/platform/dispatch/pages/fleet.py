"""车队: a producer's reefer trucks with their compartments; add, change, retire.

For the producer's managers and admins. The form has four compartment slots; a slot left
blank is no compartment. Costs are typed in yuan and stored in fen.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from freshcircle.platform.core.services.errors import DomainError, InvalidInput
from freshcircle.platform.dispatch.services import fleet
from freshcircle.platform.extensions import db
from freshcircle.platform.models import Producer, Role, TemperatureClass
from freshcircle.platform.web.pages import actor, roles_required

bp = Blueprint("fleet_pages", __name__, url_prefix="/fleet")
FLEET_ROLES = (Role.COOP_ADMIN, Role.FARMER, Role.ADMIN)
TEMP_CLASS_LABELS = {
    TemperatureClass.FROZEN: _l("Frozen (-25 to -18 °C)"),
    TemperatureClass.CHILLED: _l("Chilled (0 to 4 °C)"),
    TemperatureClass.COOL: _l("Cool (8 to 15 °C)"),
    TemperatureClass.AMBIENT: _l("Ambient (15 to 30 °C)"),
}
CLASS_NAMES = {
    TemperatureClass.FROZEN: _l("Frozen"),
    TemperatureClass.CHILLED: _l("Chilled"),
    TemperatureClass.COOL: _l("Cool"),
    TemperatureClass.AMBIENT: _l("Ambient"),
}
VEHICLE_INPUTS = ("plate", "name", "depot_id", "driver_id", "fixed_cost", "per_km", "shift_hours")
SLOT_INPUTS = ("kind", "temp_class", "min_c", "max_c", "capacity_kg", "capacity_pallets")
BLANK_SLOT = dict.fromkeys(SLOT_INPUTS, "") | {"temp_class": "chilled"}
FIRST_SLOT = {"kind": "chilled-veg", "temp_class": "chilled", "min_c": "0", "max_c": "4",
              "capacity_kg": "", "capacity_pallets": ""}


@bp.app_template_filter("compartment_kind")
def compartment_kind(kind: str) -> str:
    """A compartment kind in the reader's language (an unknown one as it is stored)."""
    return str(fleet.KIND_LABELS.get(kind, kind))


def _producer():
    """The producer whose fleet is shown: ?producer=<id>, else the first the user manages."""
    producers = fleet.managed_producers(db.session, actor())
    if not producers:
        abort(403)
    wanted = request.values.get("producer", type=int)
    chosen = next((p for p in producers if p.id == wanted), producers[0])
    return chosen, producers


def _fen(text: str):
    """Yuan as typed ('1200', '4.5') to whole fen; anything else goes on for the service to
    name."""
    try:
        yuan = Decimal(text.strip())
    except (InvalidOperation, ValueError):
        return text
    if not yuan.is_finite() or yuan != yuan.quantize(Decimal("0.01")):
        return text
    return int(yuan * 100)


def _yuan(fen: int | None) -> str:
    return "" if fen is None else str(Decimal(fen) / 100)


def _values_of(vehicle) -> dict:
    slots = [{"kind": c.kind, "temp_class": c.temp_class.value, "min_c": str(c.min_c),
              "max_c": str(c.max_c), "capacity_kg": str(c.capacity_kg),
              "capacity_pallets": str(c.capacity_pallets)} for c in vehicle.compartments]
    return {"plate": vehicle.plate, "name": vehicle.name, "depot_id": str(vehicle.depot_id),
            "driver_id": str(vehicle.driver_id or ""), "fixed_cost": _yuan(vehicle.fixed_cost_fen),
            "per_km": _yuan(vehicle.fen_per_km), "shift_hours": str(vehicle.shift_hours),
            "slots": slots + [dict(BLANK_SLOT) for _ in range(fleet.MAX_COMPARTMENTS - len(slots))]}


def _posted() -> tuple[dict, dict, list[int]]:
    """(what was typed, the service's data, the slot of each compartment sent)."""
    form = request.form
    values = {name: form.get(name, "").strip() for name in VEHICLE_INPUTS}
    values["slots"] = [{name: form.get(f"c{i}-{name}", "").strip() for name in SLOT_INPUTS}
                       for i in range(fleet.MAX_COMPARTMENTS)]
    used = [i for i, slot in enumerate(values["slots"])
            if any(slot[name] for name in ("kind", "min_c", "max_c", "capacity_kg",
                                           "capacity_pallets"))]
    data = {"plate": values["plate"], "name": values["name"], "depot_id": values["depot_id"],
            "driver_id": values["driver_id"] or None,
            "fixed_cost_fen": _fen(values["fixed_cost"]) if values["fixed_cost"] else "",
            "fen_per_km": _fen(values["per_km"]) if values["per_km"] else "",
            "shift_hours": values["shift_hours"] or "14",
            "compartments": [values["slots"][i] for i in used]}
    return values, data, used


def _errors_by_input(error: InvalidInput, used: list[int]) -> dict[str, list[str]]:
    """The service's errors keyed by the form's input names (c<slot>-<field> for compartments)."""
    names = {"fixed_cost_fen": "fixed_cost", "fen_per_km": "per_km"}
    out: dict[str, list[str]] = {}
    for key, messages in (error.errors or {}).items():
        if key == "compartments" and isinstance(messages, dict):
            for index, problems in messages.items():
                for name, texts in problems.items():
                    out[f"c{used[int(index)]}-{name}"] = [str(t) for t in texts]
        else:
            out[names.get(key, key)] = [str(t) for t in messages]
    return out


def _form_page(producer, producers, values, errors=None, vehicle=None, status=200):
    return render_template(
        "dispatch/fleet/form.html", producer=producer, producers=producers, vehicle=vehicle,
        values=values, errors=errors or {}, depots=fleet.depots(db.session, producer.id),
        drivers=fleet.drivers(db.session), temp_classes=TEMP_CLASS_LABELS,
        kinds=fleet.KIND_LABELS,
    ), status


@bp.get("")
@roles_required(*FLEET_ROLES)
def index():
    """The producer's vehicles, active first, each with its compartments; with no producer to
    manage (an admin before any co-op has a cold store), what to do first."""
    if actor().role in (Role.ADMIN, Role.COOP_ADMIN) \
            and not fleet.managed_producers(db.session, actor()):
        return render_template("dispatch/fleet/none.html")  # it is in their navigation
    producer, producers = _producer()
    return render_template("dispatch/fleet/index.html", producer=producer, producers=producers,
                           vehicles=fleet.vehicles_for(db.session, actor(), producer.id),
                           class_names=CLASS_NAMES, yuan=lambda fen: Decimal(fen) / 100)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*FLEET_ROLES)
def new():
    producer, producers = _producer()
    if request.method == "GET":
        depots = fleet.depots(db.session, producer.id)
        values = {name: "" for name in VEHICLE_INPUTS} | {
            "shift_hours": "14", "depot_id": str(depots[0].id) if depots else "",
            "slots": [dict(FIRST_SLOT)] + [dict(BLANK_SLOT) for _ in range(3)]}
        return _form_page(producer, producers, values)
    values, data, used = _posted()
    try:
        vehicle = fleet.create_vehicle(db.session, actor(), producer.id, data)
    except InvalidInput as error:
        return _form_page(producer, producers, values, _errors_by_input(error, used),
                          status=422)
    flash(_("Vehicle %(plate)s added.", plate=vehicle.plate), "success")
    return redirect(url_for("fleet_pages.index", producer=producer.id,
                            _anchor=f"vehicle-{vehicle.id}"))


@bp.route("/<int:vehicle_id>/edit", methods=["GET", "POST"])
@roles_required(*FLEET_ROLES)
def edit(vehicle_id: int):
    user = actor()
    try:
        vehicle = fleet.get_vehicle(db.session, user, vehicle_id)
    except DomainError:
        abort(404)
    producers = fleet.managed_producers(db.session, user)
    producer = db.session.get(Producer, vehicle.producer_id)
    if request.method == "GET":
        return _form_page(producer, producers, _values_of(vehicle), vehicle=vehicle)
    values, data, used = _posted()
    data["active"] = request.form.get("active") == "on"
    try:
        fleet.update_vehicle(db.session, user, vehicle, data)
    except InvalidInput as error:
        return _form_page(producer, producers, values, _errors_by_input(error, used),
                          vehicle=vehicle, status=422)
    flash(_("Vehicle %(plate)s saved.", plate=vehicle.plate), "success")
    return redirect(url_for("fleet_pages.index", producer=producer.id,
                            _anchor=f"vehicle-{vehicle.id}"))


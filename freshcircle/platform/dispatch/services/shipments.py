"""Shipments: planning, editing while planned, listing, and moving through their status."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from freshcircle.platform.core.services.access import require_role
from freshcircle.platform.core.services.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from freshcircle.platform.core.services.identifiers import is_valid_plate
from freshcircle.platform.dispatch.services.shipment_access import (
    READER_ROLES,
    SHIPPER_ROLES,
    is_carrier,
    is_shipper,
    require_shipper,
    require_view,
    visible_filter,
)
from freshcircle.platform.dispatch.services.shipment_lines import add_lines, lock_shipment
from freshcircle.platform.ledger.services import epcis_events
from freshcircle.platform.models import (
    Batch,
    BatchStatus,
    Place,
    Role,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
    TemperatureClass,
    TransportMode,
    User,
    utcnow,
)

PLAN_FIELDS = ("from_place_id", "to_place_id", "carrier_id", "vehicle_plate", "mode",
               "temp_class", "set_point_c", "planned_departure", "planned_arrival")
REQUIRED = ("from_place_id", "to_place_id", "mode", "temp_class", "planned_departure",
            "planned_arrival")
# Set points each temperature class allows (°C, inclusive); None is open-ended.
SET_POINT_RANGES = {
    TemperatureClass.FROZEN: (None, Decimal(-18)),
    TemperatureClass.CHILLED: (Decimal(0), Decimal(4)),
    TemperatureClass.COOL: (Decimal(8), Decimal(15)),
    TemperatureClass.AMBIENT: (None, None),
}
SET_POINT_MESSAGES = {
    TemperatureClass.FROZEN: _l("A frozen shipment needs a set point of -18 °C or colder."),
    TemperatureClass.CHILLED: _l("A chilled shipment needs a set point from 0 to 4 °C."),
    TemperatureClass.COOL: _l("A cool shipment needs a set point from 8 to 15 °C."),
}
TRANSITIONS = {
    ShipmentStatus.PLANNED: {ShipmentStatus.IN_TRANSIT, ShipmentStatus.CANCELLED},
    ShipmentStatus.IN_TRANSIT: {ShipmentStatus.DELIVERED},
}
CLOCK_SKEW = dt.timedelta(minutes=5)
PLATE_SEPARATORS = re.compile(r"[\s·•.\-]")


def status_label(status: ShipmentStatus):
    return {
        ShipmentStatus.PLANNED: _l("planned"),
        ShipmentStatus.IN_TRANSIT: _l("in transit"),
        ShipmentStatus.DELIVERED: _l("delivered"),
        ShipmentStatus.CANCELLED: _l("cancelled"),
    }[ShipmentStatus(status)]


def _with_details(stmt: Select) -> Select:
    """Load places, carrier and lines (with batch and product) for a page in a few queries."""
    return stmt.options(
        selectinload(Shipment.from_place), selectinload(Shipment.to_place),
        selectinload(Shipment.carrier),
        selectinload(Shipment.lines).selectinload(ShipmentLine.batch).selectinload(Batch.product),
    )


def get_shipment(session: Session, actor: User, shipment_id: int) -> Shipment:
    shipment = session.get(Shipment, shipment_id)
    if shipment is None:
        require_role(actor, *READER_ROLES)
        raise NotFound(_l("No such shipment."))
    require_view(session, actor, shipment)
    return shipment


def shipments_query(
    actor: User,
    *,
    status: ShipmentStatus | None = None,
    carrier_id: int | None = None,
    from_place_id: int | None = None,
    to_place_id: int | None = None,
) -> Select:
    """Shipments the actor may see, latest planned departure first."""
    require_role(actor, *READER_ROLES)
    stmt = _with_details(
        select(Shipment)
        .where(visible_filter(actor))
        .order_by(Shipment.planned_departure.desc(), Shipment.id.desc())
    )
    if status:
        stmt = stmt.where(Shipment.status == status)
    if carrier_id:
        stmt = stmt.where(Shipment.carrier_id == carrier_id)
    if from_place_id:
        stmt = stmt.where(Shipment.from_place_id == from_place_id)
    if to_place_id:
        stmt = stmt.where(Shipment.to_place_id == to_place_id)
    return stmt


def _check_places(session: Session, merged: dict, errors: dict) -> None:
    for field in ("from_place_id", "to_place_id"):
        if merged.get(field) is not None and session.get(Place, merged[field]) is None:
            errors[field] = [_l("No such place.")]
    if merged.get("from_place_id") is not None and (
        merged.get("from_place_id") == merged.get("to_place_id")
    ):
        errors["to_place_id"] = [_l("The destination must differ from the origin.")]


def _check_set_point(merged: dict, errors: dict) -> None:
    temp_class, set_point = merged.get("temp_class"), merged.get("set_point_c")
    if temp_class is None or set_point is None:
        return
    low, high = SET_POINT_RANGES[TemperatureClass(temp_class)]
    if (low is not None and set_point < low) or (high is not None and set_point > high):
        errors["set_point_c"] = [SET_POINT_MESSAGES[TemperatureClass(temp_class)]]


def _check_plan(session: Session, data: dict, shipment: Shipment | None = None) -> dict:
    """Validate plan fields, merged with the stored ones for an edit; return them cleaned."""
    clean = {k: data[k] for k in PLAN_FIELDS if k in data}
    merged = {k: getattr(shipment, k) for k in PLAN_FIELDS} if shipment else {}
    merged.update(clean)
    errors = {n: [_l("This field is required.")] for n in REQUIRED if merged.get(n) is None}
    _check_places(session, merged, errors)
    if clean.get("carrier_id") is not None:
        carrier = session.get(User, clean["carrier_id"])
        if carrier is None or carrier.role != Role.CARRIER or not carrier.active:
            errors["carrier_id"] = [_l("Choose a registered carrier.")]
    if "vehicle_plate" in clean:
        plate = PLATE_SEPARATORS.sub("", clean["vehicle_plate"] or "").upper() or None
        if plate is not None and not is_valid_plate(plate):
            errors["vehicle_plate"] = [_l("Enter a Chinese plate number, e.g. 皖K12345.")]
        clean["vehicle_plate"] = plate
    _check_set_point(merged, errors)
    departure, arrival = merged.get("planned_departure"), merged.get("planned_arrival")
    for field, value in (("planned_departure", departure), ("planned_arrival", arrival)):
        if value is not None and value.tzinfo is None:
            errors[field] = [_l("Not a valid datetime: a time zone is required.")]
        elif field in clean:
            clean[field] = value.astimezone(dt.UTC)  # as it reads back from the database
    if departure and arrival and "planned_arrival" not in errors and not departure < arrival:
        errors["planned_arrival"] = [_l("The arrival must be after the departure.")]
    if errors:
        raise InvalidInput(errors=errors)
    for enum_cls, field in ((TransportMode, "mode"), (TemperatureClass, "temp_class")):
        if clean.get(field) is not None:
            clean[field] = enum_cls(clean[field])
    return clean


def create_shipment(session: Session, actor: User, data: dict) -> Shipment:
    """Plan a shipment, optionally with its lines (batches and quantities) at once.

    Farmers and cooperative admins plan shipments of their producers' batches; a line that
    cannot be added fails the whole request, naming its index (`lines.2.quantity`).
    """
    require_role(actor, *SHIPPER_ROLES)
    shipment = Shipment(created_by_id=actor.id, status=ShipmentStatus.PLANNED,
                        **_check_plan(session, data))
    session.add(shipment)
    session.flush()
    add_lines(session, actor, shipment, data.get("lines") or [])
    return shipment


def update_shipment(session: Session, actor: User, shipment: Shipment, changes: dict):
    """Change the plan while the shipment is planned; the carrier may set only the plate."""
    lock_shipment(session, shipment)
    plate_only = is_carrier(actor, shipment) and set(changes) <= {"vehicle_plate"}
    if not plate_only and not is_shipper(session, actor, shipment):
        raise PermissionDenied(_l("Only the shipper can change this shipment."))
    if shipment.status != ShipmentStatus.PLANNED:
        raise Conflict(_l("A shipment can be changed only while it is planned."))
    for key, value in _check_plan(session, changes, shipment).items():
        setattr(shipment, key, value)
    session.flush()
    return shipment


def change_status(
    session: Session, actor: User, shipment: Shipment, new_status, at: dt.datetime | None = None
) -> Shipment:
    """Depart (needs a line, no held batch), deliver, or cancel (the shipper only).

    planned -> in_transit | cancelled; in_transit -> delivered; nothing leaves delivered or
    cancelled. `at` (default now) becomes the actual departure or arrival time.
    """
    new_status = ShipmentStatus(new_status)
    lock_shipment(session, shipment)
    if new_status == ShipmentStatus.CANCELLED:
        require_shipper(session, actor, shipment)
    elif not (is_carrier(actor, shipment) or is_shipper(session, actor, shipment)):
        raise PermissionDenied(_l("Only the shipper or the carrier can move this shipment."))
    if new_status not in TRANSITIONS.get(shipment.status, set()):
        raise Conflict(_l("A shipment cannot go from %(old)s to %(new)s.",
                          old=status_label(shipment.status), new=status_label(new_status)))
    now = utcnow()
    if at is not None and at.tzinfo is None:
        raise InvalidInput.field("at", _l("Not a valid datetime: a time zone is required."))
    at = at.astimezone(dt.UTC) if at else now
    if at > now + CLOCK_SKEW:
        raise InvalidInput.field("at", _l("The time cannot be in the future."))
    if new_status == ShipmentStatus.IN_TRANSIT:
        _check_ready_to_leave(shipment)
        shipment.actual_departure = at
    elif new_status == ShipmentStatus.DELIVERED:
        if shipment.actual_departure and at < shipment.actual_departure:
            raise InvalidInput.field("at", _l("The arrival cannot be before the departure."))
        shipment.actual_arrival = at
    shipment.status = new_status
    session.flush()
    epcis_events.record_shipment_status(session, shipment, actor)
    epcis_events.record_stored(session, shipment, actor)
    return shipment


def _check_ready_to_leave(shipment: Shipment) -> None:
    if not shipment.lines:
        raise Conflict(_l("Add at least one batch before the shipment leaves."))
    blocked = [line.batch.lot_code for line in shipment.lines
               if line.batch.status in (BatchStatus.HELD, BatchStatus.RECALLED)]
    if blocked:
        raise Conflict(_l("Held or recalled batches cannot leave: %(lots)s. Remove them first.",
                          lots=", ".join(blocked)))

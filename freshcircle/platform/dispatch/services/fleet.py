"""The reefer fleet: a producer's vehicles and their compartments; a driver's day of stops.

A producer's managers (and admins) list, add, change and retire its vehicles. Every field is
checked before anything is written, and each problem is named by its field (a compartment's by
its index), so a bad form writes nothing. A driver sees the stops of the accepted dispatch
plans they drive, for one dispatch day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from freshcircle.platform.core.services.access import require_manager, require_role
from freshcircle.platform.core.services.errors import InvalidInput, NotFound
from freshcircle.platform.core.services.identifiers import is_valid_plate
from freshcircle.platform.dispatch.services.shipments import PLATE_SEPARATORS
from freshcircle.platform.models import (
    Batch,
    DispatchPlan,
    MemberRole,
    Membership,
    Place,
    PlaceKind,
    Producer,
    Role,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
    TemperatureClass,
    User,
    Vehicle,
    VehicleCompartment,
)

MAX_COMPARTMENTS = 4
# The compartment kinds a truck may have, each in one temperature class. The planner stows a
# product in the kind whose range and name suit it (logistics.planning: "fruit", "veg").
COMPARTMENT_KINDS = {
    "chilled-veg": TemperatureClass.CHILLED,
    "chilled-fruit": TemperatureClass.CHILLED,
    "chilled": TemperatureClass.CHILLED,
    "cool": TemperatureClass.COOL,
    "frozen": TemperatureClass.FROZEN,
    "ambient": TemperatureClass.AMBIENT,
}
KIND_LABELS = {
    "chilled-veg": _l("Chilled, vegetables"),
    "chilled-fruit": _l("Chilled, fruit"),
    "chilled": _l("Chilled"),
    "cool": _l("Cool"),
    "frozen": _l("Frozen"),
    "ambient": _l("Ambient"),
}
# The range (°C, inclusive) a compartment of each class may be set to: the shipment set-point
# classes of dispatch/services/shipments.py, closed at both ends so a compartment has a
# definite band.
COMPARTMENT_RANGES = {
    TemperatureClass.FROZEN: (Decimal(-25), Decimal(-18)),
    TemperatureClass.CHILLED: (Decimal(0), Decimal(4)),
    TemperatureClass.COOL: (Decimal(8), Decimal(15)),
    TemperatureClass.AMBIENT: (Decimal(15), Decimal(30)),
}
RANGE_MESSAGES = {
    TemperatureClass.FROZEN: _l("A frozen compartment runs between -25 and -18 °C."),
    TemperatureClass.CHILLED: _l("A chilled compartment runs between 0 and 4 °C."),
    TemperatureClass.COOL: _l("A cool compartment runs between 8 and 15 °C."),
    TemperatureClass.AMBIENT: _l("An ambient compartment runs between 15 and 30 °C."),
}
VEHICLE_FIELDS = ("plate", "name", "depot_id", "driver_id", "fixed_cost_fen", "fen_per_km",
                  "shift_hours", "active")
COMPARTMENT_FIELDS = ("kind", "temp_class", "min_c", "max_c", "capacity_kg", "capacity_pallets")
REQUIRED = _l("This field is required.")
WHOLE_ABOVE_ZERO = _l("Enter a whole number above zero.")


# --- who may manage which producer's fleet -------------------------------------------------


def managed_producers(session: Session, actor: User) -> list[Producer]:
    """Producers whose fleet `actor` manages: all with a cold store for an admin, else those
    the actor is a manager of."""
    if actor.role == Role.ADMIN:
        with_stores = select(Place.producer_id).where(Place.kind == PlaceKind.COLD_STORE)
        stmt = select(Producer).where(Producer.id.in_(with_stores))
    else:
        stmt = select(Producer).join(Membership, Membership.producer_id == Producer.id).where(
            Membership.user_id == actor.id, Membership.role == MemberRole.MANAGER)
    return list(session.scalars(stmt.order_by(Producer.id)))


def depots(session: Session, producer_id: int) -> list[Place]:
    """The producer's cold stores, where its vehicles are based."""
    return list(session.scalars(select(Place).where(
        Place.producer_id == producer_id, Place.kind == PlaceKind.COLD_STORE).order_by(Place.id)))


def drivers(session: Session) -> list[User]:
    """Active users with the carrier role: who may drive a vehicle."""
    return list(session.scalars(select(User).where(
        User.role == Role.CARRIER, User.active.is_(True)).order_by(User.name, User.id)))


def vehicles_for(session: Session, actor: User, producer_id: int,
                 include_inactive: bool = True) -> list[Vehicle]:
    """A producer's vehicles (its managers and admins only), active first, by plate."""
    require_manager(session, actor, producer_id)
    stmt = (select(Vehicle).where(Vehicle.producer_id == producer_id)
            .options(selectinload(Vehicle.compartments), selectinload(Vehicle.depot),
                     selectinload(Vehicle.driver))
            .order_by(Vehicle.active.desc(), Vehicle.plate))
    if not include_inactive:
        stmt = stmt.where(Vehicle.active.is_(True))
    return list(session.scalars(stmt))


def vehicles_query(actor: User, producer_id: int | None = None):
    """Vehicles of every producer `actor` manages (admins: all), for the API's list."""
    stmt = select(Vehicle).order_by(Vehicle.producer_id, Vehicle.plate)
    if producer_id is not None:
        stmt = stmt.where(Vehicle.producer_id == producer_id)
    if actor.role == Role.ADMIN:
        return stmt
    managed = select(Membership.producer_id).where(
        Membership.user_id == actor.id, Membership.role == MemberRole.MANAGER)
    return stmt.where(Vehicle.producer_id.in_(managed))


def get_vehicle(session: Session, actor: User, vehicle_id: int) -> Vehicle:
    """One vehicle; someone who does not manage its producer learns nothing about it (404)."""
    vehicle = session.get(Vehicle, vehicle_id)
    if vehicle is None or not (actor.role == Role.ADMIN or vehicle.producer_id in
                               _managed_ids(session, actor)):
        raise NotFound(_l("No such vehicle."))
    return vehicle


def _managed_ids(session: Session, actor: User) -> set[int]:
    return set(session.scalars(select(Membership.producer_id).where(
        Membership.user_id == actor.id, Membership.role == MemberRole.MANAGER)))


# --- checking input --------------------------------------------------------------------------


def _whole(value) -> int | None:
    """A positive whole number from an int or a string, else None."""
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite() or number != number.to_integral_value() or number <= 0:
        return None
    return int(number)


def _celsius(value) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite() or abs(number) >= 1000 or number != number.quantize(Decimal("0.1")):
        return None
    return number.quantize(Decimal("0.1"))


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _check_compartment(raw: dict) -> tuple[dict, dict]:
    clean: dict = {}
    errors: dict[str, list] = {}
    kind = (raw.get("kind") or "").strip().lower() if isinstance(raw.get("kind"), str) else ""
    if not kind:
        errors["kind"] = [REQUIRED]
    elif kind not in COMPARTMENT_KINDS:
        errors["kind"] = [_l("Choose one of the compartment kinds.")]
    clean["kind"] = kind
    temp_class = None
    try:
        temp_class = TemperatureClass(raw.get("temp_class"))
    except ValueError:
        errors["temp_class"] = [REQUIRED if _blank(raw.get("temp_class"))
                                else _l("Not a valid choice.")]
    if temp_class is not None and COMPARTMENT_KINDS.get(kind, temp_class) != temp_class:
        errors["temp_class"] = [_l("A %(kind)s compartment is not in this temperature class.",
                                   kind=KIND_LABELS[kind])]
    clean["temp_class"] = temp_class
    for name in ("min_c", "max_c"):
        value = _celsius(raw.get(name))
        if value is None:
            errors[name] = [REQUIRED if _blank(raw.get(name))
                            else _l("Enter a temperature in °C, e.g. 2 or -18.5.")]
        clean[name] = value
    low, high = clean["min_c"], clean["max_c"]
    if low is not None and high is not None:
        if low > high:
            errors.setdefault("max_c", []).append(
                _l("The highest temperature cannot be below the lowest."))
        elif temp_class is not None:
            band_low, band_high = COMPARTMENT_RANGES[temp_class]
            for name, value in (("min_c", low), ("max_c", high)):
                if not band_low <= value <= band_high:
                    errors.setdefault(name, []).append(RANGE_MESSAGES[temp_class])
    for name in ("capacity_kg", "capacity_pallets"):
        value = _whole(raw.get(name))
        if value is None:
            errors[name] = [REQUIRED if _blank(raw.get(name)) else WHOLE_ABOVE_ZERO]
        clean[name] = value
    return clean, errors


def _check(session: Session, producer_id: int, data: dict,
           vehicle: Vehicle | None) -> tuple[dict, list[dict]]:
    """The vehicle's fields and compartments, cleaned; InvalidInput naming every bad field."""
    errors: dict = {}
    clean: dict = {}
    merged = {name: getattr(vehicle, name) for name in VEHICLE_FIELDS} if vehicle else {}
    merged.update({k: v for k, v in data.items() if k in VEHICLE_FIELDS})

    plate = merged.get("plate")
    plate = PLATE_SEPARATORS.sub("", plate).upper() if isinstance(plate, str) else ""
    if not plate:
        errors["plate"] = [REQUIRED]
    elif not is_valid_plate(plate):
        errors["plate"] = [_l("Enter a Chinese plate number, e.g. 皖K12345.")]
    else:
        same = session.scalar(select(Vehicle.id).where(
            Vehicle.producer_id == producer_id, Vehicle.plate == plate))
        if same is not None and (vehicle is None or same != vehicle.id):
            errors["plate"] = [_l("This producer already has a vehicle with this plate.")]
    clean["plate"] = plate

    name = merged.get("name")
    name = name.strip() if isinstance(name, str) else ""
    if not name:
        errors["name"] = [REQUIRED]
    elif len(name) > 60:
        errors["name"] = [_l("At most 60 characters.")]
    clean["name"] = name

    depot = session.get(Place, _whole(merged.get("depot_id")) or 0)
    if depot is None or depot.kind != PlaceKind.COLD_STORE or depot.producer_id != producer_id:
        errors["depot_id"] = [REQUIRED if _blank(merged.get("depot_id"))
                              else _l("Choose one of this producer's cold stores.")]
    clean["depot_id"] = depot.id if depot else None

    if _blank(merged.get("driver_id")):
        clean["driver_id"] = None
    else:
        driver = session.get(User, _whole(merged.get("driver_id")) or 0)
        if driver is None or driver.role != Role.CARRIER or not driver.active:
            errors["driver_id"] = [_l("Choose a registered carrier.")]
        clean["driver_id"] = driver.id if driver else None

    for money in ("fixed_cost_fen", "fen_per_km"):
        value = _whole(merged.get(money))
        if value is None:
            errors[money] = [REQUIRED if _blank(merged.get(money))
                             else _l("Enter an amount above zero.")]
        clean[money] = value
    hours = _whole(merged.get("shift_hours", 14))
    if hours is None or hours > 24:
        errors["shift_hours"] = [_l("Enter whole hours from 1 to 24.")]
    clean["shift_hours"] = hours
    active = merged.get("active", True)
    clean["active"] = active if isinstance(active, bool) else str(active).lower() in (
        "1", "true", "on", "yes")

    compartments: list[dict] = []
    if "compartments" in data or vehicle is None:
        raw = data.get("compartments") or []
        if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_COMPARTMENTS:
            errors["compartments"] = [_l("A vehicle has 1 to 4 compartments.")]
        else:
            per_index = {}
            for index, item in enumerate(raw):
                part, problems = _check_compartment(item if isinstance(item, dict) else {})
                compartments.append(part)
                if problems:
                    per_index[str(index)] = problems
            if per_index:
                errors["compartments"] = per_index
    else:
        compartments = [{name: getattr(c, name) for name in COMPARTMENT_FIELDS}
                        for c in vehicle.compartments]
    if errors:
        raise InvalidInput(errors=errors)
    return clean, compartments


def _apply(vehicle: Vehicle, clean: dict, compartments: list[dict] | None) -> None:
    for name, value in clean.items():
        setattr(vehicle, name, value)
    if compartments is not None:  # replaced wholesale: a compartment is its position
        vehicle.compartments[:] = [VehicleCompartment(position=index + 1, **part)
                                   for index, part in enumerate(compartments)]


def create_vehicle(session: Session, actor: User, producer_id: int, data: dict) -> Vehicle:
    """Add a vehicle with 1 to 4 compartments to a producer's fleet (its managers, admins)."""
    require_manager(session, actor, producer_id)
    if session.get(Producer, producer_id) is None:
        raise InvalidInput.field("producer_id", _l("No such producer."))
    clean, compartments = _check(session, producer_id, data, None)
    vehicle = Vehicle(producer_id=producer_id)
    _apply(vehicle, clean, compartments)
    session.add(vehicle)
    session.flush()
    return vehicle


def update_vehicle(session: Session, actor: User, vehicle: Vehicle, data: dict) -> Vehicle:
    """Change a vehicle; given compartments replace the old ones, left out they stay."""
    require_manager(session, actor, vehicle.producer_id)
    clean, compartments = _check(session, vehicle.producer_id, data, vehicle)
    if "compartments" not in data:
        _apply(vehicle, clean, None)
        session.flush()
        return vehicle
    vehicle.compartments.clear()
    session.flush()  # the old compartments go before the new ones take their positions
    _apply(vehicle, clean, compartments)
    session.flush()
    return vehicle


def deactivate_vehicle(session: Session, actor: User, vehicle: Vehicle) -> Vehicle:
    """Take a vehicle out of planning; its record and past shipments stay."""
    require_manager(session, actor, vehicle.producer_id)
    vehicle.active = False
    session.flush()
    return vehicle


# --- a driver's day ----------------------------------------------------------------------


@dataclass
class Route:
    """One vehicle's run on a dispatch day: its stops in order."""

    plate: str | None
    route_no: int | None
    stops: list[Shipment] = field(default_factory=list)


def driver_day(session: Session, actor: User, day: dt.date) -> list[Route]:
    """The actor's planned stops for dispatch day `day`, by route and stop order.

    Only shipments an accepted dispatch plan created and assigned to the actor; cancelled
    ones are left out.
    """
    require_role(actor, Role.CARRIER)
    rows = session.scalars(
        select(Shipment)
        .join(DispatchPlan, DispatchPlan.id == Shipment.dispatch_plan_id)
        .where(Shipment.carrier_id == actor.id, DispatchPlan.dispatch_date == day,
               Shipment.status != ShipmentStatus.CANCELLED)
        .options(selectinload(Shipment.to_place), selectinload(Shipment.from_place),
                 selectinload(Shipment.lines).selectinload(ShipmentLine.batch)
                 .selectinload(Batch.product))
        .order_by(Shipment.dispatch_plan_id, Shipment.route_no, Shipment.stop_no, Shipment.id)
    )
    routes: list[Route] = []
    for shipment in rows:
        key = (shipment.vehicle_plate, shipment.route_no)
        if not routes or (routes[-1].plate, routes[-1].route_no) != key:
            routes.append(Route(shipment.vehicle_plate, shipment.route_no))
        routes[-1].stops.append(shipment)
    return routes


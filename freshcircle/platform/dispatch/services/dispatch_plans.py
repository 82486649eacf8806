"""Dispatch plans: request one for a cold store's day, compute it (in a background job, see
`platform.dispatch.jobs`), read it, and accept it into shipments.

Who: a manager of the producer that owns the cold store, or an admin.

The computed plan is stored as JSON (`DispatchPlan.result`): routes with their vehicle,
departure, stops (arrival, unloading start, what each order gets from which lot, in which
compartment, and the predicted life left on arrival), cost and distance; unassigned orders
with the reason; and the FEFO allocation's summary. Accepting it, once, re-cuts the day's order
lines to the allocated lots (grams per lot unchanged, each piece at the price the buyer paid),
creates one planned shipment per stop and temperature class with its lines (loading events
recorded), and moves each order to packed (packing events); an order changed since planning
makes the acceptance fail, to plan again.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from freshcircle.logistics import planner
from freshcircle.logistics import planning as p
from freshcircle.logistics.travel import TravelProvider
from freshcircle.platform.core.services.access import require_manager
from freshcircle.platform.core.services.errors import Conflict, InvalidInput, NotFound
from freshcircle.platform.dispatch.services import dispatch_problem, plan_admission
from freshcircle.platform.dispatch.services.shipments import SET_POINT_RANGES
from freshcircle.platform.ledger.services import epcis_events
from freshcircle.platform.market.services import orders
from freshcircle.platform.models import (
    Batch,
    DispatchPlan,
    Listing,
    Order,
    OrderLine,
    OrderStatus,
    Place,
    PlaceKind,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
    TemperatureClass,
    TransportMode,
    User,
    Vehicle,
    VehicleCompartment,
)

MIN_LIMIT_S, MAX_LIMIT_S, DEFAULT_LIMIT_S = 5, 60, 20
QUEUED, RUNNING, DONE, FAILED, ACCEPTED = "queued", "running", "done", "failed", "accepted"
# A failed plan's `error` starts with what failed: the travel provider (the road server) or the
# job itself; the rest is the technical detail.
TRAVEL_FAILED, JOB_FAILED = "travel: ", "job: "


def _depot(session: Session, depot_id: int | None) -> Place:
    depot = session.get(Place, depot_id or 0)
    if depot is None or depot.kind != PlaceKind.COLD_STORE or depot.producer_id is None:
        raise InvalidInput.field("depot_id", _l("Choose one of your cold stores."))
    return depot


def request_plan(session: Session, actor: User, data: dict) -> DispatchPlan:
    """Queue a plan for `depot_id` and `dispatch_date`; nothing is written on bad input.

    Refused while the cold store has a plan queued or running (409), past the producer's
    daily quota (429), and for days outside today..a year ahead (422, see plan_admission)."""
    errors: dict[str, list] = {}
    try:
        depot = _depot(session, data.get("depot_id"))
    except InvalidInput as error:
        errors.update(error.errors or {})
        depot = None
    day = data.get("dispatch_date")
    if not isinstance(day, dt.date):
        errors["dispatch_date"] = [_l("Enter a date.")]
    elif (refusal := plan_admission.day_error(day)) is not None:
        errors["dispatch_date"] = [refusal]
    limit = data.get("time_limit_s", DEFAULT_LIMIT_S)
    if not isinstance(limit, int) or not MIN_LIMIT_S <= limit <= MAX_LIMIT_S:
        errors["time_limit_s"] = [_l("Between %(low)s and %(high)s seconds.",
                                     low=MIN_LIMIT_S, high=MAX_LIMIT_S)]
    if errors:
        raise InvalidInput(errors=errors)
    assert depot is not None and depot.producer_id is not None
    require_manager(session, actor, depot.producer_id)
    plan_admission.admit(session, depot)
    plan = DispatchPlan(producer_id=depot.producer_id, depot_id=depot.id, dispatch_date=day,
                        status=QUEUED, progress=Decimal(0), time_limit_s=limit,
                        seed=int(data.get("seed") or 0), created_by_id=actor.id)
    try:
        with session.begin_nested():  # a racing request queued one first: the index says so
            session.add(plan)
    except IntegrityError:
        raise Conflict(plan_admission.BUSY) from None
    return plan


def get_plan(session: Session, actor: User, plan_id: int) -> DispatchPlan:
    plan = session.get(DispatchPlan, plan_id)
    if plan is None:
        raise NotFound()
    require_manager(session, actor, plan.producer_id)
    return plan


def recent_plans(session: Session, depot_id: int, limit: int = 10) -> list[DispatchPlan]:
    return list(session.scalars(select(DispatchPlan).where(DispatchPlan.depot_id == depot_id)
                                .order_by(DispatchPlan.id.desc()).limit(limit)))


def result(plan: DispatchPlan) -> dict | None:
    return json.loads(plan.result) if plan.result else None


def _iso(day: dispatch_problem.DayInput, seconds: int) -> str:
    return (day.epoch + dt.timedelta(seconds=seconds)).isoformat()


def _stop(day: dispatch_problem.DayInput, stop: p.Stop, planned: p.Order,
          stowage: p.Stowage) -> dict:
    order = day.orders[stop.order]
    site = day.sites[stop.order]
    lines = {str(line.id): line for line in order.lines}
    expiry = {i.lot: i.expires_s for i in planned.items}
    items = []
    for piece in day.pieces[stop.order]:
        batch = day.lot_batches[piece.lot]
        record = dispatch_problem.produce_record(batch.product.name_en)
        expires = expiry.get(piece.lot)
        items.append({
            "order_line_id": int(piece.line), "batch_id": batch.id, "lot": piece.lot,
            "moved": piece.lot != lines[piece.line].batch.lot_code,
            "product_zh": batch.product.name_zh, "product_en": batch.product.name_en,
            "grams": piece.grams,
            "kind": stowage.kind_of.get(record.key) if record else None,
            "life_on_arrival_h": (None if expires is None
                                  else round((expires - stop.start_s) / p.HOUR, 1)),
        })
    window = planned.window
    return {"order_id": order.id, "buyer": order.buyer.name if order.buyer else "",
            "buyer_phone": order.buyer.phone if order.buyer else "",
            "site_id": site.id, "site_zh": site.name_zh, "site_en": site.name_en,
            "lat": float(site.latitude), "lon": float(site.longitude),
            "arrival": _iso(day, stop.arrival_s), "start": _iso(day, stop.start_s),
            "leave": _iso(day, stop.leave_s), "rests": stop.rests,
            "window": [_iso(day, window[0]), _iso(day, window[1])], "items": items}


def _driver_name(vehicle) -> str | None:
    return vehicle.driver.name if vehicle.driver else None


def _loads(vehicle, route: p.Route, planned: dict[str, p.Order], stops: list[dict],
           stowage: p.Stowage) -> list[dict]:
    """Per compartment kind on the truck (its compartments of one kind hold the same range):
    kg and pallet places loaded against capacity, and each product stowed there with the
    range it keeps."""
    loads: dict[str, dict] = {}
    for c in vehicle.compartments:
        load = loads.setdefault(c.kind, {
            "kind": c.kind, "temp_class": c.temp_class.value, "min_c": float(c.min_c),
            "max_c": float(c.max_c), "kg": 0, "capacity_kg": 0, "pallets": 0.0,
            "capacity_pallets": 0, "products": []})
        load["capacity_kg"] += c.capacity_kg
        load["capacity_pallets"] += c.capacity_pallets
    for stop in stops:
        for item in stop["items"]:
            if item["kind"] in loads:
                loads[item["kind"]]["kg"] += item["grams"]
    products: dict[tuple[str, str], dict] = {}
    for stop in route.stops:
        for item in planned[stop.order].items:
            kind = stowage.kind_of.get(item.product.key)
            if kind not in loads:
                continue
            loads[kind]["pallets"] += float(item.pallets)
            key = (kind, item.product.name_en)
            if key not in products:
                products[key] = {"en": item.product.name_en, "zh": item.product.name_zh,
                                 "min_c": item.product.temp_min_c,
                                 "max_c": item.product.temp_max_c, "kg": 0}
                loads[kind]["products"].append(products[key])
            products[key]["kg"] += item.kg
    for load in loads.values():
        load["kg"] = round(load["kg"] / 1000)
        load["pallets"] = round(load["pallets"], 2)
    return list(loads.values())


def serialize(day: dispatch_problem.DayInput, plan: p.Plan, provider: str) -> dict:
    planned = {o.key: o for o in day.problem.orders}
    meters, depot_point = day.problem.matrix.meters, day.problem.depots[0].point
    routes = []
    for n, route in enumerate(plan.routes):
        vehicle = day.vehicles[route.vehicle_type]
        stops = [_stop(day, s, planned[s.order], plan.stowage) for s in route.stops]
        last = planned[route.stops[-1].order].point if route.stops else depot_point
        routes.append({
            "no": n + 1, "vehicle_id": vehicle.id, "plate": vehicle.plate,
            "vehicle": vehicle.name,
            "driver": _driver_name(vehicle),
            "departure": _iso(day, route.departure_s), "finish": _iso(day, route.finish_s),
            "return": _iso(day, route.return_s), "distance_km": round(route.distance_m / 1000),
            "empty_km": round(meters[last][depot_point] / 1000),  # the drive home, unloaded
            "cost_fen": planner.route_cost_fen(day.problem, route),
            "compartments": _loads(vehicle, route, planned, stops, plan.stowage),
            "stops": stops})
    unassigned = []
    for u in [*day.unplannable, *plan.unassigned]:
        order = day.orders[u.order]
        unassigned.append({"order_id": order.id, "code": u.code, "detail": u.detail,
                           "site_zh": order.site.name_zh, "site_en": order.site.name_en,
                           "buyer": order.buyer.name if order.buyer else ""})
    idle = [{"vehicle_id": day.vehicles[v.vehicle_type].id,
             "plate": day.vehicles[v.vehicle_type].plate,
             "vehicle": day.vehicles[v.vehicle_type].name, "code": v.code,
             "driver": _driver_name(day.vehicles[v.vehicle_type])} for v in plan.idle]
    depot = day.problem.depots[0]
    return {"epoch": day.epoch.isoformat(), "provider": provider, "idle": idle,
            "no_fleet": not day.vehicles, "vehicles": len(day.vehicles),
            "orders": len(day.orders), "routes": routes, "unassigned": unassigned,
            "cost_fen": plan.cost_fen, "solver_s": round(plan.solver_s, 1),
            "departure_window": [_iso(day, depot.opens_s), _iso(day, depot.closes_s)],
            "allocation": {"moved_lines": day.moved_lines, "kept": list(day.kept_products)}}


def compute(session: Session, plan: DispatchPlan, provider: TravelProvider,
            progress: Callable[[float], None] | None = None,
            now: dt.datetime | None = None, max_iterations: int | None = None) -> dict:
    """Build the day, solve it within the plan's time limit, return the JSON-ready result."""
    now = now or dt.datetime.now(dt.UTC)
    day = dispatch_problem.build(session, plan.producer_id, plan.depot, plan.dispatch_date,
                                 provider, now)
    solved = planner.plan(day.problem, time_limit_s=plan.time_limit_s, seed=plan.seed,
                          max_iterations=max_iterations, progress=progress)
    return serialize(day, solved, provider.name)


def _set_point(temp_class: TemperatureClass, compartments: list[VehicleCompartment],
               batches: list[Batch]) -> Decimal:
    """The middle of the range the compartments and every product on board share (it exists:
    the stowage put only overlapping ranges together), kept inside the class's band."""
    low = max(float(c.min_c) for c in compartments)
    high = min(float(c.max_c) for c in compartments)
    for batch in batches:
        record = dispatch_problem.produce_record(batch.product.name_en)
        if record is not None:
            low, high = max(low, record.temp_min_c), min(high, record.temp_max_c)
    point = Decimal(str(round((low + high) / 2, 1)))
    band_low, band_high = SET_POINT_RANGES[temp_class]
    if band_low is not None:
        point = max(point, band_low)
    if band_high is not None:
        point = min(point, band_high)
    return point


def _recut(session: Session, order: Order, items: list[dict],
           listing_of: dict[int, int]) -> dict[int, OrderLine]:
    """Give the order's lines the allocated lots; returns batch id -> an order line of it."""
    lines = {line.id: line for line in order.lines}
    by_line: dict[int, list[dict]] = {}
    for item in items:
        by_line.setdefault(item["order_line_id"], []).append(item)
    of_batch: dict[int, OrderLine] = {}
    for line_id, pieces in by_line.items():
        line = lines[line_id]
        for n, piece in enumerate(pieces):
            target = line if n == 0 else OrderLine(order=order,
                                                   price_fen_per_jin=line.price_fen_per_jin)
            if target.batch_id != piece["batch_id"] or n:
                if piece["batch_id"] not in listing_of:
                    raise Conflict(_l("The orders changed since this plan was made; plan "
                                      "again."))
                target.batch_id = piece["batch_id"]
                target.listing_id = listing_of[piece["batch_id"]]
            target.quantity_g = piece["grams"]
            session.add(target)
            of_batch.setdefault(piece["batch_id"], target)
    session.flush()
    return of_batch


def accept(session: Session, actor: User, plan: DispatchPlan) -> list[Shipment]:
    require_manager(session, actor, plan.producer_id)
    if plan.status != DONE:
        raise Conflict(_l("Only a finished plan that has not been accepted can be accepted."))
    data = result(plan) or {}
    plan_orders = {s["order_id"] for r in data.get("routes", []) for s in r["stops"]}
    current = {o.id: o for o in dispatch_problem.day_orders(session, plan.producer_id,
                                                            plan.dispatch_date)}
    if not plan_orders <= set(current):
        raise Conflict(_l("The orders changed since this plan was made; plan again."))
    batch_ids = {i["batch_id"] for r in data["routes"] for s in r["stops"] for i in s["items"]}
    batches = {b.id: b for b in session.scalars(select(Batch).where(Batch.id.in_(batch_ids)))}
    listing_of = {batch_id: listing_id for batch_id, listing_id in session.execute(
        select(Listing.batch_id, Listing.id).where(Listing.batch_id.in_(batch_ids)))}
    shipments: list[Shipment] = []
    for route in data["routes"]:
        vehicle = session.get(Vehicle, route["vehicle_id"])
        if vehicle is None or not vehicle.active:
            raise Conflict(_l("A vehicle in this plan is no longer available; plan again."))
        compartments = {c.kind: c for c in vehicle.compartments}
        for stop_no, stop in enumerate(route["stops"], start=1):
            order = current[stop["order_id"]]
            of_batch = _recut(session, order, stop["items"], listing_of)
            by_class: dict[TemperatureClass, list[dict]] = {}
            for item in stop["items"]:
                compartment = compartments[item["kind"]]
                by_class.setdefault(compartment.temp_class, []).append(item)
            for temp_class, items in sorted(by_class.items()):
                shipment = Shipment(
                    from_place_id=plan.depot_id, to_place_id=stop["site_id"],
                    carrier_id=vehicle.driver_id, vehicle_plate=vehicle.plate,
                    mode=TransportMode.REEFER_TRUCK, temp_class=temp_class,
                    set_point_c=_set_point(
                        temp_class, [compartments[i["kind"]] for i in items],
                        [batches[i["batch_id"]] for i in items if i["batch_id"] in batches]),
                    planned_departure=dt.datetime.fromisoformat(route["departure"]),
                    planned_arrival=dt.datetime.fromisoformat(stop["start"]),
                    status=ShipmentStatus.PLANNED, created_by_id=actor.id,
                    dispatch_plan_id=plan.id, route_no=route["no"], stop_no=stop_no)
                session.add(shipment)
                session.flush()
                grams: dict[int, int] = {}
                for item in items:
                    grams[item["batch_id"]] = grams.get(item["batch_id"], 0) + item["grams"]
                lines = [ShipmentLine(shipment=shipment, batch_id=batch_id, quantity_g=g,
                                      order_line_id=of_batch[batch_id].id)
                         for batch_id, g in sorted(grams.items())]
                session.add_all(lines)
                session.flush()
                epcis_events.record_lines_loaded(session, shipment, lines, actor)
                shipments.append(shipment)
                order.shipment_id = order.shipment_id or shipment.id
            orders.advance(session, actor, order, OrderStatus.PACKED)
    plan.status = ACCEPTED
    plan.accepted_at = dt.datetime.now(dt.UTC)
    plan.accepted_by_id = actor.id
    session.flush()
    return shipments

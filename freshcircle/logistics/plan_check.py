"""An independent checker for dispatch plans (`planning.Plan` on a `planning.Problem`).

It shares no code with the planner: it re-derives every time from the travel matrix and the
stop order, in integers (times in seconds, distances in metres) and `Fraction`s (pallets), so
every comparison is exact. Rules:

- every order is in exactly one route or listed unassigned, never both, and no unknown orders;
- no more routes on a vehicle type than it has vehicles;
- a route leaves its depot between the depot's opening and closing times;
- every stop starts by the order's receiving close and its shelf-life deadline (expiry minus
  the buyer's minimum remaining life); a vehicle arriving early waits until receiving opens;
- the delivery run (leaving the last stop minus leaving the depot) is within the shift;
- each compartment kind's load on a route is within the vehicle's kg and pallet capacity for
  that kind, the vehicle has that kind at all, the kind's range overlaps each product's range,
  and the products in one kind on one route are pairwise compatible (`produce.compatible`);
- the stop times and distance the plan states are the ones the matrix gives; where the matrix
  carries the time at the wheel (a rest rule), the legal rests are driven out minute by minute:
  after 4 hours at the wheel, counted across legs, the truck stands 20 minutes before driving
  on, and a stop of 20 minutes or more (waiting and unloading) is a rest. Each stop states how
  many rests it took to get there;
- drivers: where the problem requires them, every route's vehicle has a driver; two runs of
  one driver never overlap, each taking its driver from leaving the cold store until back
  there plus the problem's rest between runs.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from fractions import Fraction

from freshcircle.logistics.planning import Order, Plan, Problem
from freshcircle.logistics.produce import Produce, compatible
from freshcircle.logistics.travel import Matrix

DRIVE_LIMIT_S = 4 * 3600  # the legal rule, restated here: 4 h at the wheel, then 20 minutes
REST_S = 20 * 60

UNKNOWN = "unknown_order"
DUPLICATE = "duplicate"
MISSED = "missed"
FLEET = "fleet"
EARLY_DEPARTURE = "early_departure"
LATE = "late_arrival"
SHELF_LIFE = "shelf_life"
LATE_DEPARTURE = "late_departure"
SHIFT = "shift"
CAPACITY = "capacity"
NO_COMPARTMENT = "no_compartment"
TEMPERATURE = "temperature"
INCOMPATIBLE = "incompatible"
STATED_TIMES = "stated_times"
NO_DRIVER = "no_driver"
DRIVER_OVERLAP = "driver_overlap"


@dataclass(frozen=True)
class Violation:
    kind: str
    reason: str
    route: int | None = None
    order: str | None = None


@dataclass(frozen=True)
class Check:
    violations: tuple[Violation, ...]
    distance_m: int

    @property
    def feasible(self) -> bool:
        return not self.violations


def check(problem: Problem, plan: Plan) -> Check:
    violations: list[Violation] = []
    orders = {o.key: o for o in problem.orders}
    seen: Counter[str] = Counter()
    for r, route in enumerate(plan.routes):
        for stop in route.stops:
            seen[stop.order] += 1
            if stop.order not in orders:
                violations.append(Violation(UNKNOWN, f"{stop.order} is not an order", r,
                                            stop.order))
    listed = seen + Counter(u.order for u in plan.unassigned)
    for key in sorted(listed):
        if listed[key] > 1:
            violations.append(Violation(DUPLICATE, f"order {key} listed {listed[key]} times",
                                        None, key))
    for key in sorted(set(orders) - set(listed)):
        violations.append(Violation(MISSED, f"order {key} neither routed nor unassigned",
                                    None, key))
    per_type = Counter(route.vehicle_type for route in plan.routes if route.stops)
    for vt_index, used in sorted(per_type.items()):
        if used > problem.vehicle_types[vt_index].count:
            violations.append(Violation(
                FLEET, f"{used} routes on vehicle type {vt_index}, which has "
                f"{problem.vehicle_types[vt_index].count}"))

    seconds, meters = problem.matrix.seconds, problem.matrix.meters
    total = 0
    for r, route in enumerate(plan.routes):
        vt = problem.vehicle_types[route.vehicle_type]
        depot = problem.depots[vt.depot]
        stops = [orders[s.order] for s in route.stops if s.order in orders]
        if not stops:
            continue
        if route.departure_s < depot.opens_s:
            violations.append(Violation(EARLY_DEPARTURE, "leaves before the depot opens", r))
        if route.departure_s > depot.closes_s:
            violations.append(Violation(LATE_DEPARTURE, "leaves after the depot closes", r))
        now, here, distance, stint = route.departure_s, depot.point, 0, 0
        stated_ok = True
        for stop, order in zip(route.stops, stops, strict=True):
            arrival, stint, rests = _legal_drive(problem.matrix, here, order.point, now, stint)
            distance += meters[here][order.point]
            start = max(arrival, order.window[0])
            if start > order.window[1]:
                violations.append(Violation(
                    LATE, f"starts at {start} s, receiving closes at {order.window[1]} s", r,
                    order.key))
            for item in order.items:
                if item.expires_s is not None \
                        and start > item.expires_s - order.min_remaining_life_s:
                    violations.append(Violation(
                        SHELF_LIFE, f"lot {item.lot} would have {item.expires_s - start} s of "
                        f"life left, the buyer needs {order.min_remaining_life_s} s", r,
                        order.key))
            now = start + order.service_s
            if now - arrival >= REST_S:
                stint = 0
            stated_ok &= (stop.arrival_s, stop.start_s, stop.leave_s, stop.rests) \
                == (arrival, start, now, rests)
            here = order.point
        back = now + seconds[here][depot.point]
        distance += meters[here][depot.point]
        total += distance
        stated_ok &= (route.finish_s, route.return_s, route.distance_m) == (now, back, distance)
        if not stated_ok:
            violations.append(Violation(STATED_TIMES,
                                        "stated times or distance differ from the matrix", r))
        if now - route.departure_s > vt.shift_s:
            violations.append(Violation(SHIFT, f"run of {now - route.departure_s} s, the shift "
                                        f"is {vt.shift_s} s", r))
        violations += _load(problem, plan, r, stops)
    violations += _drivers(problem, plan)
    return Check(tuple(violations), total)


def _drivers(problem: Problem, plan: Plan) -> list[Violation]:
    out: list[Violation] = []
    runs: dict[str, list[tuple[int, int, int]]] = {}
    for r, route in enumerate(plan.routes):
        if not route.stops:
            continue
        driver = problem.vehicle_types[route.vehicle_type].driver
        if driver is None:
            if problem.drivers_required:
                out.append(Violation(NO_DRIVER, "the vehicle has no driver", r))
            continue
        runs.setdefault(driver, []).append(
            (route.departure_s, route.return_s + problem.rest_between_runs_s, r))
    for driver, spans in sorted(runs.items()):
        spans.sort()
        free_at, busy_on = spans[0][1], spans[0][2]
        for leaves, until, run in spans[1:]:
            if leaves < free_at:
                out.append(Violation(
                    DRIVER_OVERLAP, f"driver {driver} leaves on run {run} at {leaves} s, "
                    f"free again only at {free_at} s after run {busy_on}", run))
            if until > free_at:
                free_at, busy_on = until, run
    return out


def _legal_drive(matrix: Matrix, a: int, b: int, now: int, stint: int) -> tuple[int, int, int]:
    """Drive from point a to b leaving at `now`, `stint` seconds at the wheel since the last
    rest: (arrival, stint on arrival, rests taken on the way). Without a rest rule in the
    matrix, the trip takes `seconds[a][b]` and no rests are counted."""
    if matrix.driving is None:
        return now + matrix.seconds[a][b], 0, 0
    left, rests = matrix.driving[a][b], 0
    while left > 0:
        if stint == DRIVE_LIMIT_S:
            now, stint, rests = now + REST_S, 0, rests + 1
        step = min(left, DRIVE_LIMIT_S - stint)
        now, stint, left = now + step, stint + step, left - step
    return now, stint, rests


def _load(problem: Problem, plan: Plan, r: int, stops: list[Order]) -> list[Violation]:
    vt = problem.vehicle_types[plan.routes[r].vehicle_type]
    out: list[Violation] = []
    kg: Counter[str] = Counter()
    pallets: dict[str, Fraction] = {}
    products: dict[str, dict[str, Produce]] = {}
    for order in stops:
        for item in order.items:
            kind = plan.stowage.kind_of.get(item.product.key)
            held = [c for c in vt.compartments if c.kind == kind]
            if not held:
                out.append(Violation(NO_COMPARTMENT, f"{item.product.name_en} has no "
                                     f"compartment on this vehicle", r, order.key))
                continue
            assert kind is not None
            if max(item.product.temp_min_c, held[0].min_c) \
                    > min(item.product.temp_max_c, held[0].max_c):
                out.append(Violation(TEMPERATURE, f"{item.product.name_en} cannot be kept "
                                     f"in {kind}", r, order.key))
            kg[kind] += item.kg
            pallets[kind] = pallets.get(kind, Fraction(0)) + item.pallets
            products.setdefault(kind, {})[item.product.key] = item.product
    for kind in sorted(kg):
        cap_kg = sum(c.capacity_kg for c in vt.compartments if c.kind == kind)
        cap_pallets = sum(c.capacity_pallets for c in vt.compartments if c.kind == kind)
        if kg[kind] > cap_kg or pallets[kind] > cap_pallets:
            out.append(Violation(CAPACITY, f"{kind}: {kg[kind]} kg / {pallets[kind]} pallets "
                                 f"over {cap_kg} kg / {cap_pallets} pallets", r))
        group = sorted(products[kind].values(), key=lambda prod: prod.key)
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                verdict = compatible(a, b)
                if not verdict.ok:
                    out.append(Violation(INCOMPATIBLE, f"{kind}: {'; '.join(verdict.reasons)}",
                                         r))
    return out

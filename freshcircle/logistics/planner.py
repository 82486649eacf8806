"""Dispatch planning with PyVRP: reefer routes with compartments, windows, shelf-life deadlines
and shifts, every order either routed or returned unassigned with its reason.

Steps:
1. `stow` puts each product in a compartment kind (see `planning`).
2. Each order is checked alone (`screen`): a product with no kind, a load no vehicle carries,
   a straight drive that arrives after the shelf-life deadline or after receiving closes, or a
   round trip that does not fit any shift: these orders are unassigned with that reason and
   kept out of the model.
3. The rest go to PyVRP as optional clients with a prize far above any route's cost, so the
   search serves every order it can fit; one it leaves out is unassigned as `fleet`.

PyVRP model: one load dimension per compartment kind for kg and one for pallet places (in
hundredths, rounded up per order so the sum never understates); a client's latest start is its
`Order.latest_arrival_s` (receiving close or shelf-life deadline, whichever is first); the
vehicle's shift is PyVRP's `shift_duration`. Cost, in tenths of a fen: the fixed cost per
vehicle used, the per-km cost on distances in units of 100 m (rounded; the plan's distance is
recomputed in metres), and the freshness term (`fen_per_hour_out`) on every second of a run.
The returned plan's stop times are recomputed from the matrix, not taken from PyVRP, and
`plan_check.check` verifies them independently in the tests. Legal rests: PyVRP's durations
are additive per leg, so a leg takes its wheel time plus 5 minutes per hour (`travel.budgeted`),
never less than the rests the run needs; `schedule` then places the real rests, counting the
driving across legs (`travel.drive`), so the stated times are never later than the model's.

Deterministic for a seed and `max_iterations`; a wall-clock `time_limit_s` bounds the run (see
`solvers` for why a time stop alone is not bit-for-bit repeatable).
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable
from fractions import Fraction

from pyvrp import Model, PenaltyParams, SolveParams
from pyvrp.stop import MaxIterations

from freshcircle.logistics import planning as p
from freshcircle.logistics.travel import REST_S, Matrix, budgeted, drive

DECI = 10  # PyVRP's cost unit: a tenth of a fen
HECTO = 100  # PyVRP's distance unit: 100 m, so fen per km is tenths of a fen per unit
PRIZE = 10**10  # ¥10 million in tenths of a fen: above any route's cost, so serving pays
PALLET_SCALE = 100
# PyVRP's default penalty ceiling (1e5 per unit) is below a 700 km route's cost in tenths of a
# fen, so an overloaded route could look cheaper than a second truck; raise it.
PARAMS = SolveParams(penalty=PenaltyParams(max_penalty=1e9))


class Progress:
    """A PyVRP stopping criterion that also reports progress (0..1).

    PyVRP calls it once per iteration with the best cost so far; `report` is called at most
    once a second. The clock runs from `started` (a `time.perf_counter()` reading), so the
    time spent screening orders and building the model counts against the limit: `plan`
    returns within `time_limit_s` plus one iteration and the final scheduling.
    """

    def __init__(self, time_limit_s: float, max_iterations: int | None,
                 report: Callable[[float], None] | None,
                 started: float | None = None) -> None:
        self._iterations = MaxIterations(max_iterations) if max_iterations else None
        self._limit = time_limit_s
        self._report = report
        self._start = time.perf_counter() if started is None else started
        self._last = 0.0

    def __call__(self, best_cost: int) -> bool:
        now = time.perf_counter()
        stop = now - self._start >= self._limit
        if self._iterations is not None:
            stop = self._iterations(best_cost) or stop
        if self._report is not None and (stop or now - self._last >= 1.0):
            self._last = now
            self._report(1.0 if stop else min((now - self._start) / self._limit, 0.99))
        return stop


def _hecto(meters: int) -> int:
    return round(meters / HECTO)


def _pallet_units(pallets: Fraction) -> int:
    return math.ceil(pallets * PALLET_SCALE)


def screen(problem: p.Problem, stowage: p.Stowage, order: p.Order) -> p.Unassigned | None:
    """Why `order` cannot be served even by a vehicle of its own, or None if one could."""
    for item in order.items:
        if item.product.key in stowage.refused:
            return p.Unassigned(order.key, p.NO_COMPARTMENT,
                                f"{item.product.name_en}: {stowage.refused[item.product.key]}")
    load = p.order_load(order, stowage)
    fits = [vt for vt in problem.vehicle_types
            if all(kg <= vt.capacity(kind)[0] and pallets <= vt.capacity(kind)[1]
                   for kind, (kg, pallets) in load.items())]
    if not fits:
        need = ", ".join(f"{kind} {kg} kg / {float(pl):.2f} pallets"
                         for kind, (kg, pl) in sorted(load.items()))
        return p.Unassigned(order.key, p.TOO_BIG, f"needs {need}; no vehicle carries that")
    arrival = min(problem.depots[vt.depot].opens_s
                  + _leg_s(problem.matrix, problem.depots[vt.depot].point, order.point)
                  for vt in fits)
    start = max(arrival, order.window[0])  # an early truck waits for receiving to open
    deadline = order.shelf_deadline_s
    if deadline is not None and start > deadline:
        return p.Unassigned(
            order.key, p.SHELF_LIFE,
            f"unloading {start} s at the earliest, but its shelf life allows it only until "
            f"{deadline} s (buyer needs {order.min_remaining_life_s} s left)")
    if start > order.window[1]:
        return p.Unassigned(order.key, p.WINDOW,
                            f"earliest arrival {start} s, receiving closes at "
                            f"{order.window[1]} s")
    for vt in fits:
        depot = problem.depots[vt.depot]
        out = _leg_s(problem.matrix, depot.point, order.point)
        start = max(depot.opens_s + out, order.window[0])
        departure = min(start - out, depot.closes_s)  # leave late enough not to wait
        if start <= order.latest_arrival_s and start + order.service_s - departure <= vt.shift_s:
            return None
    return p.Unassigned(order.key, p.SHIFT,
                        "even driven straight there, the run does not fit a driver's shift")


def _build(problem: p.Problem, orders: list[p.Order], stowage: p.Stowage,
           kinds: list[str]) -> Model:
    """Locations: the depots, then one "home" per depot (the open end of a run: reached from a
    stop at the real distance home, so the drive back is costed, in zero time, so it is not
    in the shift), then one per order."""
    model = Model()
    n_points = len(problem.matrix.seconds)
    depots = [model.add_depot(model.add_location(x=0, y=0), tw_early=d.opens_s, name=d.key)
              for d in problem.depots]
    homes = [model.add_depot(model.add_location(x=0, y=0), name=f"{d.key} (home)")
             for d in problem.depots]
    duration_cost = round(problem.fen_per_hour_out * DECI / p.HOUR)
    for vt in problem.vehicle_types:
        capacity: list[int] = []
        for kind in kinds:
            kg, pallets = vt.capacity(kind)
            capacity += [kg, pallets * PALLET_SCALE]
        depot = problem.depots[vt.depot]
        model.add_vehicle_type(
            num_available=vt.count, capacity=capacity,
            start_depot=depots[vt.depot], end_depot=homes[vt.depot],
            fixed_cost=vt.fixed_cost_fen * DECI,
            tw_early=depot.opens_s, start_late=depot.closes_s, shift_duration=vt.shift_s,
            unit_distance_cost=vt.fen_per_km,  # fen per km = tenths of a fen per 100 m
            unit_duration_cost=duration_cost, name=vt.key)
    points: list[int] = []
    for order in orders:
        load = p.order_load(order, stowage)
        delivery: list[int] = []
        for kind in kinds:
            kg_load, pallet_load = load.get(kind, (0, Fraction(0)))
            delivery += [kg_load, _pallet_units(pallet_load)]
        model.add_client(model.add_location(x=0, y=0), delivery=delivery,
                         service_duration=order.service_s, tw_early=order.window[0],
                         tw_late=order.latest_arrival_s, required=False, prize=PRIZE,
                         name=order.key)
        points.append(order.point)
    assert all(0 <= pt < n_points for pt in points)
    meters, matrix = problem.matrix.meters, problem.matrix
    locations = model.locations
    n_depots = len(problem.depots)
    clients = locations[2 * n_depots:]
    for d, depot in enumerate(problem.depots):
        model.add_edge(locations[d], homes_loc := locations[n_depots + d], distance=0)
        for loc, pt in zip(clients, points, strict=True):
            model.add_edge(locations[d], loc, distance=_hecto(meters[depot.point][pt]),
                           duration=_leg_s(matrix, depot.point, pt))
            model.add_edge(loc, homes_loc, distance=_hecto(meters[pt][depot.point]),
                           duration=0)
    for i, a in enumerate(points):
        for j, b in enumerate(points):
            if i != j:
                model.add_edge(clients[i], clients[j], distance=_hecto(meters[a][b]),
                               duration=_leg_s(matrix, a, b))
    return model


def _leg_s(matrix: Matrix, i: int, j: int) -> int:
    """A leg's duration in the routing model: with a rest rule, the wheel time plus the rests
    spread over it (`travel.budgeted`), never less than the rests the real run needs."""
    return matrix.seconds[i][j] if matrix.driving is None else budgeted(matrix.driving[i][j])


def _run(problem: p.Problem, vehicle_type: int, orders: list[p.Order],
         departure: int) -> p.Route:
    matrix = problem.matrix
    vt = problem.vehicle_types[vehicle_type]
    depot = problem.depots[vt.depot]
    now, here, distance, stint = departure, depot.point, 0, 0
    stops: list[p.Stop] = []
    for order in orders:
        rests = 0
        if matrix.driving is not None:
            wheel = matrix.driving[here][order.point]
            rests, stint = drive(stint, wheel)
            arrival = now + wheel + rests * REST_S
        else:
            arrival = now + matrix.seconds[here][order.point]
        distance += matrix.meters[here][order.point]
        start = max(arrival, order.window[0])
        now = start + order.service_s
        if now - arrival >= REST_S:  # waiting and unloading, parked: that is the rest
            stint = 0
        stops.append(p.Stop(order.key, arrival, start, now, rests))
        here = order.point
    distance += matrix.meters[here][depot.point]
    # The drive home comes after the shift's end and a rest: one trip on its own.
    return p.Route(vehicle_type, tuple(stops), departure, now,
                   now + matrix.seconds[here][depot.point], distance)


def _fits(problem: p.Problem, vt: p.VehicleType, orders: list[p.Order], route: p.Route) -> bool:
    depot = problem.depots[vt.depot]
    return (depot.opens_s <= route.departure_s <= depot.closes_s
            and route.finish_s - route.departure_s <= vt.shift_s
            and all(stop.start_s <= order.latest_arrival_s
                    for stop, order in zip(route.stops, orders, strict=True)))


def schedule(problem: p.Problem, vehicle_type: int, orders: list[p.Order],
             departure: int | None = None) -> p.Route:
    """Stop times for `orders` in this sequence, leaving the depot at `departure` (by default
    as late as the first stop allows without waiting there); a vehicle arriving before
    receiving opens waits.

    With a rest rule (`travel.Matrix.driving`) the rests fall where the rule puts them,
    counting driving across legs (`travel.drive`); a stop of 20 minutes or more, waiting and
    unloading, counts as a rest. Those times are never later than the routing model's, which
    spreads the rests over every hour at the wheel, so a truck can then arrive before
    receiving opens: if the run still fits, it leaves that much later instead of waiting.
    """
    vt = problem.vehicle_types[vehicle_type]
    depot = problem.depots[vt.depot]
    if departure is None:
        out = _leg_s(problem.matrix, depot.point, orders[0].point)
        departure = max(depot.opens_s, orders[0].window[0] - out)
    route = _run(problem, vehicle_type, orders, departure)
    wait = route.stops[0].start_s - route.stops[0].arrival_s
    if wait > 0:
        later = _run(problem, vehicle_type, orders, departure + wait)
        if _fits(problem, vt, orders, later):
            return later
    return route


def route_cost_fen(problem: p.Problem, route: p.Route) -> int:
    vt = problem.vehicle_types[route.vehicle_type]
    out_s = route.finish_s - route.departure_s
    return (vt.fixed_cost_fen + math.ceil(route.distance_m * vt.fen_per_km / 1000)
            + math.ceil(out_s * problem.fen_per_hour_out / p.HOUR))


def _solve(problem: p.Problem, usable: list[int], stowage: p.Stowage,
           candidates: list[p.Order], stop: Progress, seed: int) -> list[p.Route]:
    """PyVRP on the vehicle types `usable` (indices into `problem.vehicle_types`; a type with a
    driver counts as one vehicle); the routes it finds, scheduled, on the original indices."""
    fleet = tuple(dataclasses.replace(vt, count=1) if vt.driver is not None else vt
                  for vt in (problem.vehicle_types[i] for i in usable))
    if not fleet or not candidates:
        return []
    sub = dataclasses.replace(problem, vehicle_types=fleet)
    kinds = [k.kind for k in problem.kinds()]
    result = _build(sub, candidates, stowage, kinds).solve(stop, seed=seed, display=False,
                                                           params=PARAMS)
    routes: list[p.Route] = []
    if result.best.is_feasible():
        for route in result.best.routes():
            orders = [candidates[act.idx] for act in route if act.is_client()]
            if orders:
                # PyVRP's start time minimises the route's duration (waiting included).
                routes.append(schedule(problem, usable[route.vehicle_type()], orders,
                                       route.start_time()))
    return routes


def _overlap(problem: p.Problem, a: p.Route, b: p.Route) -> bool:
    """Whether one driver could not drive both runs: each occupies its driver from leaving the
    cold store until back there plus the rest between runs."""
    rest = problem.rest_between_runs_s
    return a.departure_s < b.return_s + rest and b.departure_s < a.return_s + rest


def _driver_clashes(problem: p.Problem, routes: list[p.Route]) -> list[p.IdleVehicle]:
    """Per driver, the runs kept (most stops first, then the earliest) and, for each run that
    overlaps a kept one, its vehicle to leave in the yard."""
    by_driver: dict[str, list[p.Route]] = {}
    for route in routes:
        driver = problem.vehicle_types[route.vehicle_type].driver
        if driver is not None:
            by_driver.setdefault(driver, []).append(route)
    idle: list[p.IdleVehicle] = []
    for runs in by_driver.values():
        kept: list[p.Route] = []
        for run in sorted(runs, key=lambda r: (-len(r.stops), r.departure_s, r.vehicle_type)):
            clash = next((k for k in kept if _overlap(problem, k, run)), None)
            if clash is None:
                kept.append(run)
                continue
            other = problem.vehicle_types[clash.vehicle_type]
            idle.append(p.IdleVehicle(
                run.vehicle_type, p.DRIVER_BUSY,
                f"its driver drives {other.name or other.key} from {clash.departure_s} s "
                f"until back at {clash.return_s} s"))
    return idle


def plan(problem: p.Problem, time_limit_s: float = 10.0, seed: int = 0,
         max_iterations: int | None = None,
         progress: Callable[[float], None] | None = None) -> p.Plan:
    """The cheapest plan PyVRP finds within the limit; never raises for an unservable order.

    Drivers (see `planning`): with `drivers_required`, vehicles without a driver stay in the
    yard. PyVRP has no resource shared between vehicles, so when two runs of one driver
    overlap, the run with fewer stops gives up its vehicle (idle: `DRIVER_BUSY`) and the day
    is solved again without it; each clash removes a vehicle, so this ends, and each solve
    has the full time limit.
    """
    began = started = time.perf_counter()
    stowage = p.stow(problem.kinds(), problem.orders)
    unassigned: list[p.Unassigned] = []
    candidates: list[p.Order] = []
    for order in problem.orders:
        why = screen(problem, stowage, order)
        if why is None:
            candidates.append(order)
        else:
            unassigned.append(why)
    idle = [p.IdleVehicle(i, p.NO_DRIVER, "nobody drives it")
            for i, vt in enumerate(problem.vehicle_types)
            if problem.drivers_required and vt.driver is None]
    while True:
        left_out = {v.vehicle_type for v in idle}
        usable = [i for i in range(len(problem.vehicle_types)) if i not in left_out]
        stop = Progress(time_limit_s, max_iterations, progress, started)
        routes = _solve(problem, usable, stowage, candidates, stop, seed)
        clashes = _driver_clashes(problem, routes)
        if not clashes:
            break
        idle += clashes
        started = time.perf_counter()
    if not candidates and progress is not None:
        progress(1.0)
    served = {key for route in routes for key in route.order_keys}
    for order in candidates:
        if order.key not in served:
            unassigned.append(p.Unassigned(
                order.key, p.FLEET,
                "it fits a vehicle alone, but no vehicle had room or time left for it"))
    by_order = {o.key: i for i, o in enumerate(problem.orders)}
    unassigned.sort(key=lambda u: by_order[u.order])
    return p.Plan(tuple(routes), tuple(unassigned), stowage,
                  sum(route_cost_fen(problem, r) for r in routes),
                  time.perf_counter() - began, tuple(sorted(idle, key=lambda v: v.vehicle_type)))

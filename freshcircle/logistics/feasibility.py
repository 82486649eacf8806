"""An independent feasibility checker for route plans, in (near-)exact arithmetic.

It shares no code with any solver: it re-derives every arrival time from the instance and the
plan's stop order, so a plan a solver calls feasible is checked, not trusted.

Arithmetic: the Solomon inputs are integers, so every travel time is the square root of an
integer. Those are computed with ``decimal`` at 50 significant digits (``Decimal.sqrt`` is
correctly rounded) and summed at that precision, so the accumulated error over a route of 100
legs is below 1e-45 time units. A comparison is therefore exact except for a sum of square roots
that lies within ``tolerance`` (default 1e-9) of an integer window bound; such a stop is
accepted. A solver working in floats or scaled integers must stay on the safe side of the
bound by more than that (the PyVRP adapter rounds travel times up for this reason).

A plan is a ``Plan`` of ``Route``s; each route lists stop ids in visiting order, without the
depot at either end. Orders left out go in ``Plan.unassigned`` with a reason. The structure is
meant to grow: a route can name its vehicle (compartments, shift length) and stops can carry
per-compartment loads later, with more ``Violation`` kinds.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Context, Decimal

from freshcircle.logistics.solomon import Instance, Node

PRECISION = 50
DEFAULT_TOLERANCE = Decimal("1e-9")

# Violation kinds.
MISSED = "missed"
DUPLICATE = "duplicate"
UNKNOWN_STOP = "unknown_stop"
CAPACITY = "capacity"
LATE_ARRIVAL = "late_arrival"
LATE_RETURN = "late_return"
FLEET = "fleet"


@dataclass(frozen=True)
class Route:
    """Stop ids in visiting order; the depot is implied at both ends."""

    stops: tuple[int, ...]
    vehicle: int = 0  # index of the vehicle (type) that drives it; one type in Solomon


@dataclass(frozen=True)
class Unassigned:
    stop: int
    reason: str


@dataclass(frozen=True)
class Plan:
    routes: tuple[Route, ...]
    unassigned: tuple[Unassigned, ...] = ()


@dataclass(frozen=True)
class Violation:
    """What is wrong, where: ``route`` is the index in ``Plan.routes`` (None for plan-wide)."""

    kind: str
    reason: str
    route: int | None = None
    stop: int | None = None


@dataclass(frozen=True)
class Check:
    violations: tuple[Violation, ...]
    distance: Decimal  # total travel distance of the plan, at PRECISION digits
    routes_used: int = 0
    arrivals: tuple[tuple[Decimal, ...], ...] = field(default=(), repr=False)

    @property
    def feasible(self) -> bool:
        return not self.violations


def _leg(ctx: Context, a: Node, b: Node) -> Decimal:
    dx, dy = a.x - b.x, a.y - b.y
    return ctx.sqrt(Decimal(dx * dx + dy * dy))


def check_plan(
    instance: Instance, plan: Plan, tolerance: Decimal = DEFAULT_TOLERANCE
) -> Check:
    """Every violation of ``plan`` on ``instance``, and the plan's total distance.

    Checks: every customer is visited exactly once or listed unassigned (not both), no unknown
    ids, at most ``instance.vehicles`` non-empty routes, the load of each route within the
    capacity, each service starts by the customer's due date (a vehicle arriving early waits
    until its ready time), and each vehicle is back at the depot by the depot's due date.
    Routes leave the depot at its ready time (leaving later never helps with waiting allowed).
    """
    ctx = Context(prec=PRECISION)
    violations: list[Violation] = []
    nodes = instance.nodes
    customer_ids = {c.id for c in instance.customers}
    depot = instance.depot

    seen: Counter[int] = Counter()
    for r, route in enumerate(plan.routes):
        for stop in route.stops:
            if stop not in customer_ids:
                violations.append(Violation(UNKNOWN_STOP, f"{stop} is not a customer", r, stop))
            seen[stop] += 1
    unassigned = Counter(u.stop for u in plan.unassigned)
    for stop, count in sorted((seen + unassigned).items()):
        if count > 1 and stop in customer_ids:
            where = f"{seen[stop]} times in routes, {unassigned[stop]} times unassigned"
            violations.append(Violation(DUPLICATE, f"customer {stop} listed {where}", None, stop))
    for stop in sorted(customer_ids - set(seen) - set(unassigned)):
        violations.append(Violation(MISSED, f"customer {stop} neither visited nor unassigned",
                                    None, stop))

    used = [route for route in plan.routes if route.stops]
    if len(used) > instance.vehicles:
        violations.append(Violation(
            FLEET, f"{len(used)} routes for a fleet of {instance.vehicles} vehicles"))

    total = Decimal(0)
    all_arrivals: list[tuple[Decimal, ...]] = []
    for r, route in enumerate(plan.routes):
        stops = [nodes[s] for s in route.stops if s in customer_ids]
        load = sum(node.demand for node in stops)
        if load > instance.capacity:
            violations.append(Violation(
                CAPACITY, f"load {load} over capacity {instance.capacity}", r))
        time = Decimal(depot.ready)
        here = depot
        arrivals: list[Decimal] = []
        for node in stops:
            leg = _leg(ctx, here, node)
            total = ctx.add(total, leg)
            arrival = ctx.add(time, leg)
            arrivals.append(arrival)
            if ctx.subtract(arrival, Decimal(node.due)) > tolerance:
                violations.append(Violation(
                    LATE_ARRIVAL,
                    f"arrives at {arrival:.4f} after the due time {node.due}", r, node.id))
            start = max(arrival, Decimal(node.ready))
            time = ctx.add(start, Decimal(node.service))
            here = node
        if stops:
            leg = _leg(ctx, here, depot)
            total = ctx.add(total, leg)
            back = ctx.add(time, leg)
            if ctx.subtract(back, Decimal(depot.due)) > tolerance:
                violations.append(Violation(
                    LATE_RETURN,
                    f"back at the depot at {back:.4f} after its due time {depot.due}", r))
        all_arrivals.append(tuple(arrivals))
    return Check(tuple(violations), total, len(used), tuple(all_arrivals))

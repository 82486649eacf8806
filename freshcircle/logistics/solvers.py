"""Route solver: PyVRP (hybrid genetic search) on Solomon VRPTW instances.

PyVRP works on integers, so the instance is scaled by ``SCALE`` (1000):
- travel durations are rounded UP (``ceil(1000 * d)``) and windows and service times are exact
  multiples of 1000, so every arrival PyVRP computes is at or after the true one; a plan PyVRP
  calls time-feasible is time-feasible on the unscaled instance (waiting is ``max``, monotone).
  The exact checker in ``feasibility.py`` confirms it on the unscaled instance anyway.
- travel distances (the objective) are rounded to the nearest integer, an error of at most
  0.0005 per leg, about 0.05 over a 100-customer plan: below the 0.05 % noise in the BKS.
The returned plan's distance is recomputed by the checker, never taken from PyVRP.

Objectives (``objective=`` of ``solve_solomon`` and ``build_model``):
- ``"distance"`` (the default): total travel distance only, vehicles free (no cost per vehicle;
  the convention of ``bks_distance_only.csv``).
- ``"vehicles"``: hierarchical, fewest vehicles first, then distance (the convention of
  ``bks.csv``). Each used vehicle costs ``vehicle_fixed_cost(instance)``, which is larger than the
  scaled distance of ANY plan, so one vehicle fewer always wins whatever the distances. The
  bound: by the triangle inequality a route is never longer than the depot round trips of its
  customers, so no plan is longer than the sum of all customers' round trips; PyVRP rounds each
  leg to the nearest integer (at most 0.5 off), and a plan of n customers has at most 2n legs.

Deterministic for a seed up to the time limit: PyVRP's search is seeded, but a wall-clock stop
cuts it at a different iteration on a busier machine; ``max_iterations`` gives bit-for-bit
reproducible runs when that matters.
"""

from __future__ import annotations

import math

from pyvrp import Model, Result
from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria, StoppingCriterion

from freshcircle.logistics.feasibility import Plan, Route, Unassigned
from freshcircle.logistics.solomon import Instance, distance

SCALE = 1000
OBJECTIVES = ("distance", "vehicles")


def vehicle_fixed_cost(instance: Instance) -> int:
    """Cost of one vehicle under the ``"vehicles"`` objective: above any plan's scaled distance.

    ``SCALE`` times the sum of every customer's depot round trip (an upper bound on the unscaled
    distance of any plan, by the triangle inequality), plus half a unit of rounding on each of at
    most ``2n`` legs, plus one. Two plans' scaled distances thus differ by less than this, so a
    plan with fewer vehicles always costs less.
    """
    depot = instance.depot
    round_trips = sum(2 * distance(depot, c) for c in instance.customers)
    return math.ceil(round_trips * SCALE) + len(instance.customers) + 1


def build_model(instance: Instance, *, objective: str = "distance") -> Model:
    """The PyVRP model of ``instance``, scaled by SCALE (see the module docstring).

    ``objective="distance"`` costs distance only (vehicles free); ``"vehicles"`` adds
    ``vehicle_fixed_cost(instance)`` per vehicle used, so PyVRP minimises the number of vehicles
    first, then distance. Raises ValueError on any other objective.
    """
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {OBJECTIVES}, not {objective!r}")
    model = Model()
    nodes = instance.nodes
    locations = [model.add_location(x=node.x, y=node.y) for node in nodes]
    depot = instance.depot
    model.add_depot(locations[0], tw_early=depot.ready * SCALE, tw_late=depot.due * SCALE)
    for node in instance.customers:
        model.add_client(
            locations[node.id],
            delivery=[node.demand],
            service_duration=node.service * SCALE,
            tw_early=node.ready * SCALE,
            tw_late=node.due * SCALE,
        )
    model.add_vehicle_type(
        num_available=instance.vehicles,
        capacity=[instance.capacity],
        fixed_cost=vehicle_fixed_cost(instance) if objective == "vehicles" else 0,
        tw_early=depot.ready * SCALE,
        tw_late=depot.due * SCALE,
    )
    for a in nodes:
        for b in nodes:
            if a.id == b.id:
                continue
            d = distance(a, b)
            model.add_edge(
                locations[a.id],
                locations[b.id],
                distance=round(d * SCALE),
                duration=math.ceil(d * SCALE),
            )
    return model


def solve_solomon(
    instance: Instance,
    time_limit_s: float,
    seed: int = 0,
    max_iterations: int | None = None,
    *,
    objective: str = "distance",
) -> Plan:
    """Solve ``instance`` with PyVRP within ``time_limit_s`` seconds.

    ``objective="distance"`` (the default) minimises total distance, vehicles free;
    ``"vehicles"`` minimises the number of vehicles first, then total distance (a fixed cost per
    vehicle above any plan's distance, see ``vehicle_fixed_cost``). Raises ValueError on any
    other objective. ``max_iterations`` also stops the search after that many iterations.

    Customers PyVRP could not fit feasibly come back as unassigned (the whole plan, if the best
    solution found is infeasible), never as an exception.
    """
    stop: StoppingCriterion = MaxRuntime(time_limit_s)
    if max_iterations is not None:
        stop = MultipleCriteria([stop, MaxIterations(max_iterations)])
    model = build_model(instance, objective=objective)
    result: Result = model.solve(stop, seed=seed, display=False)
    return plan_from_result(instance, result)


def plan_from_result(instance: Instance, result: Result) -> Plan:
    """Routes of Solomon stop ids from a PyVRP result."""
    best = result.best
    if not best.is_feasible():
        return Plan(
            routes=(),
            unassigned=tuple(
                Unassigned(c.id, "no feasible plan found within the time limit")
                for c in instance.customers
            ),
        )
    # Clients were added in the order of instance.customers; activity.idx indexes that order.
    ids = [c.id for c in instance.customers]
    routes = tuple(
        Route(tuple(ids[act.idx] for act in route if act.is_client()))
        for route in best.routes()
    )
    served = {stop for route in routes for stop in route.stops}
    unassigned = tuple(
        Unassigned(c.id, "not served by the solver")
        for c in instance.customers
        if c.id not in served
    )
    return Plan(routes=routes, unassigned=unassigned)

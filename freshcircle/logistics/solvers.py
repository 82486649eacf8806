"""Route solver: PyVRP (hybrid genetic search) on Solomon VRPTW instances.

PyVRP works on integers, so the instance is scaled by ``SCALE`` (1000):
- travel durations are rounded UP (``ceil(1000 * d)``) and windows and service times are exact
  multiples of 1000, so every arrival PyVRP computes is at or after the true one; a plan PyVRP
  calls time-feasible is time-feasible on the unscaled instance (waiting is ``max``, monotone).
  The exact checker in ``feasibility.py`` confirms it on the unscaled instance anyway.
- travel distances (the objective) are rounded to the nearest integer, an error of at most
  0.0005 per leg, about 0.05 over a 100-customer plan: below the 0.05 % noise in the BKS.
The returned plan's distance is recomputed by the checker, never taken from PyVRP.

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


def build_model(instance: Instance) -> Model:
    """The PyVRP model of ``instance``, scaled by SCALE (see the module docstring)."""
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
) -> Plan:
    """Minimise total distance with PyVRP within ``time_limit_s`` seconds (vehicles free).

    Customers PyVRP could not fit feasibly come back as unassigned (the whole plan, if the best
    solution found is infeasible), never as an exception.
    """
    stop: StoppingCriterion = MaxRuntime(time_limit_s)
    if max_iterations is not None:
        stop = MultipleCriteria([stop, MaxIterations(max_iterations)])
    result: Result = build_model(instance).solve(stop, seed=seed, display=False)
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

"""Drivers are a resource: one person drives one truck at a time, with the return to the cold
store and the legal rest between runs; a truck without a driver stays in the yard.

Issue 13: the demo plan gave one driver three trucks leaving at 17:19, 18:57 and 23:00, and
routed a truck with no driver.
"""

from __future__ import annotations

import dataclasses
import itertools

from freshcircle.logistics import plan_check, planner
from freshcircle.logistics import planning as p
from tests.logistics.planning_helpers import item, order, problem, truck

# Three buyers in three cities, one chilled-veg truckload each: three trucks' work.
ORDERS = [order("sh", "shanghai", item("Spinach", 6000)),
          order("hz", "hangzhou", item("Celery", 6000)),
          order("nj", "nanjing", item("Chinese cabbage (napa)", 6000))]


def crewed(key: str, driver: str | None) -> p.VehicleType:
    return dataclasses.replace(truck(key, count=1), driver=driver)


def solve(pr: p.Problem) -> p.Plan:
    plan = planner.plan(pr, time_limit_s=10, seed=1, max_iterations=2000)
    verdict = plan_check.check(pr, plan)
    assert verdict.feasible, verdict.violations
    return plan


def runs_by_driver(pr: p.Problem, plan: p.Plan) -> dict[str | None, list[p.Route]]:
    runs: dict[str | None, list[p.Route]] = {}
    for route in plan.routes:
        runs.setdefault(pr.vehicle_types[route.vehicle_type].driver, []).append(route)
    return runs


def test_one_driver_with_three_trucks_never_drives_two_at_once():
    pr = dataclasses.replace(
        problem(ORDERS, [crewed("t1", "zhao"), crewed("t2", "zhao"), crewed("t3", "zhao")]),
        drivers_required=True)
    plan = solve(pr)
    (runs,) = runs_by_driver(pr, plan).values()
    runs.sort(key=lambda r: r.departure_s)
    for before, after in itertools.pairwise(runs):
        assert after.departure_s >= before.return_s + pr.rest_between_runs_s
    # what the driver cannot take waits, with the reason; the idle trucks say why
    assert {u.order for u in plan.unassigned} | {k for r in runs for k in r.order_keys} \
        == {"sh", "hz", "nj"}
    assert all(u.code == p.FLEET for u in plan.unassigned)
    idle = {pr.vehicle_types[i.vehicle_type].key: i.code for i in plan.idle}
    assert len(idle) == 3 - len(runs) and set(idle.values()) == {p.DRIVER_BUSY}


def test_three_drivers_take_three_trucks():
    pr = dataclasses.replace(
        problem(ORDERS, [crewed("t1", "zhao"), crewed("t2", "qian"), crewed("t3", "sun")]),
        drivers_required=True)
    plan = solve(pr)
    assert len(plan.routes) == 3 and plan.unassigned == () and plan.idle == ()


def test_a_truck_without_a_driver_is_left_out_and_says_so():
    pr = dataclasses.replace(
        problem(ORDERS, [crewed("t1", "zhao"), crewed("t2", None), crewed("t3", "sun")]),
        drivers_required=True)
    plan = solve(pr)
    assert {pr.vehicle_types[r.vehicle_type].key for r in plan.routes} <= {"t1", "t3"}
    assert [(pr.vehicle_types[i.vehicle_type].key, i.code) for i in plan.idle] \
        == [("t2", p.NO_DRIVER)]


def test_without_drivers_required_every_vehicle_has_its_own_crew():
    """Benchmarks (Solomon, the YRD day) do not model drivers: nothing changes for them."""
    plan = solve(problem(ORDERS, [truck("fleet", count=3)]))
    assert len(plan.routes) == 3 and plan.idle == ()


def test_checker_refuses_overlapping_runs_and_a_driverless_route():
    pr = dataclasses.replace(
        problem(ORDERS, [crewed("t1", "zhao"), crewed("t2", "qian"), crewed("t3", "sun")]),
        drivers_required=True)
    plan = solve(pr)
    one_driver = dataclasses.replace(pr, vehicle_types=tuple(
        dataclasses.replace(vt, driver="zhao") for vt in pr.vehicle_types))
    kinds = {v.kind for v in plan_check.check(one_driver, plan).violations}
    assert kinds == {plan_check.DRIVER_OVERLAP}
    no_driver = dataclasses.replace(pr, vehicle_types=tuple(
        dataclasses.replace(vt, driver=None) for vt in pr.vehicle_types))
    kinds = {v.kind for v in plan_check.check(no_driver, plan).violations}
    assert kinds == {plan_check.NO_DRIVER}

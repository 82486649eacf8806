"""The dispatch planner: every constraint it promises, verified by the independent checker."""

from __future__ import annotations

import dataclasses

import pytest

from freshcircle.logistics import plan_check, planner
from freshcircle.logistics import planning as p
from tests.logistics.planning_helpers import (
    CHILLED_FRUIT,
    CHILLED_VEG,
    COOL,
    H,
    item,
    order,
    problem,
    truck,
)


def solve(pr: p.Problem, seed: int = 1) -> p.Plan:
    plan = planner.plan(pr, time_limit_s=10, seed=seed, max_iterations=3000)
    verdict = plan_check.check(pr, plan)
    assert verdict.feasible, verdict.violations
    return plan


def reasons(plan: p.Plan) -> dict[str, str]:
    return {u.order: u.code for u in plan.unassigned}


def routed(plan: p.Plan) -> set[str]:
    return {key for route in plan.routes for key in route.order_keys}


def test_apples_never_ride_with_lettuce():
    pr = problem([order("veg", "shanghai", item("Lettuce (leafy greens)", 2000)),
                  order("fruit", "shanghai", item("Apple", 1500))],
                 [truck(compartments=(CHILLED_VEG, CHILLED_FRUIT), count=1)])
    plan = solve(pr)
    assert routed(plan) == {"veg", "fruit"}
    assert len(plan.routes) == 1  # one truck, two compartments
    kinds = plan.stowage.kind_of
    assert kinds["apple"] != kinds["lettuce-leafy-greens"]


def test_without_a_second_chilled_compartment_the_apples_stay_home_with_the_reason():
    pr = problem([order("veg", "nanjing", item("Lettuce (leafy greens)", 3000)),
                  order("fruit", "nanjing", item("Apple", 500))])
    plan = solve(pr)
    assert routed(plan) == {"veg"}
    assert reasons(plan) == {"fruit": p.NO_COMPARTMENT}
    assert "ethylene" in plan.unassigned[0].detail


def test_a_product_no_compartment_holds_is_unassigned():
    plan = solve(problem([order("beans", "hefei", item("Green / snap beans", 200))]))
    assert reasons(plan) == {"beans": p.NO_COMPARTMENT}
    assert "5 to 7.5 °C" in plan.unassigned[0].detail


def test_capacity_is_per_compartment():
    # Each order fills the cool compartment (5,000 kg): two trucks, one order each.
    orders = [order("c1", "nanjing", item("Cucumber", 4000)),
              order("c2", "hefei", item("Cucumber", 3000))]
    plan = solve(problem(orders))
    assert routed(plan) == {"c1", "c2"}
    assert len(plan.routes) == 2
    # One truck only: one order waits, and says the fleet was full.
    plan = solve(problem(orders, [truck(count=1)]))
    assert len(routed(plan)) == 1
    assert list(reasons(plan).values()) == [p.FLEET]


def test_an_order_bigger_than_any_truck_is_too_big():
    plan = solve(problem([order("big", "bengbu", item("Pak choi / bok choy", 9000))]))
    assert reasons(plan) == {"big": p.TOO_BIG}


def test_pallet_places_limit_as_well_as_weight():
    # 12 pallet places in the chilled compartment; 13 light pallets do not fit one truck.
    light = [dataclasses.replace(item("Spinach", 100), pallets=1) for _ in range(13)]
    plan = solve(problem([order("airy", "bengbu", *light)], [truck(count=1)]))
    assert reasons(plan) == {"airy": p.TOO_BIG}


def test_receiving_window_closed_before_the_truck_can_get_there():
    # Receiving at Shanghai closes at 23:00; the truck leaves at 18:00 and needs ~11 h.
    plan = solve(problem([order("late", "shanghai", item("Spinach", 300), window_h=(20, 23))]))
    assert reasons(plan) == {"late": p.WINDOW}


def test_arrival_within_the_window():
    pr = problem([order("sh", "shanghai", item("Spinach", 300), window_h=(30, 32)),
                  order("hz", "hangzhou", item("Celery", 300), window_h=(26, 30))])
    plan = solve(pr)
    for route in plan.routes:
        for stop in route.stops:
            window = next(o.window for o in pr.orders if o.key == stop.order)
            assert window[0] <= stop.start_s <= window[1]


def test_shelf_life_deadline_and_buyer_minimum():
    # The lot runs out 42 h after midnight; the buyer wants 12 h left, so arrive by 30 h
    # (the truck leaves at 18:00 and needs about 11 h).
    pr = problem([order("fresh", "shanghai", item("Strawberry", 200, expires_h=42),
                        min_life_h=12)])
    plan = solve(pr)
    assert routed(plan) == {"fresh"}
    assert plan.routes[0].stops[0].start_s <= 30 * H
    # Wanting 20 h left moves the deadline to 22 h, before the truck can be there.
    pr = problem([order("fresh", "shanghai", item("Strawberry", 200, expires_h=42),
                        min_life_h=20)])
    plan = solve(pr)
    assert reasons(plan) == {"fresh": p.SHELF_LIFE}
    assert "buyer needs" in plan.unassigned[0].detail


def test_shelf_life_orders_the_stops():
    # Bengbu's short-lived lot must be first although the windows would allow either order.
    orders = [order("hf", "hefei", item("Spinach", 500)),
              order("bb", "bengbu", item("Strawberry", 300, expires_h=21), window_h=(18, 34))]
    plan = solve(problem(orders, [truck(count=1)]))
    assert plan.routes[0].order_keys == ("bb", "hf")


def test_receiving_that_opens_after_the_lot_expires_is_a_shelf_life_reason():
    plan = solve(problem([order("bb", "bengbu", item("Strawberry", 300, expires_h=21))]))
    assert reasons(plan) == {"bb": p.SHELF_LIFE}


def test_shift_length():
    orders = [order("sh", "shanghai", item("Spinach", 300))]
    assert routed(solve(problem(orders, [truck(shift_h=14)]))) == {"sh"}
    plan = solve(problem(orders, [truck(shift_h=6)]))
    assert reasons(plan) == {"sh": p.SHIFT}


def test_shift_splits_a_long_day_over_two_trucks():
    orders = [order("sh", "shanghai", item("Spinach", 300)),
              order("hz", "hangzhou", item("Celery", 300)),
              order("nj", "nanjing", item("Carrot (topped)", 300))]
    plan = solve(problem(orders, [truck(shift_h=12, count=3)]))
    assert routed(plan) == {"sh", "hz", "nj"}
    for route in plan.routes:
        assert route.finish_s - route.departure_s <= 12 * H


def test_a_day_with_nothing_servable_is_a_plan_not_an_error():
    plan = solve(problem([order("beans", "hefei", item("Green / snap beans", 200))]))
    assert plan.routes == ()
    assert solve(problem([])).unassigned == ()


def test_same_seed_same_plan():
    orders = [order(f"o{i}", city, item("Spinach", 200 + 50 * i))
              for i, city in enumerate(["shanghai", "hangzhou", "nanjing", "suzhou",
                                        "hefei", "bengbu"])]
    pr = problem(orders, [truck(count=3)])
    first = planner.plan(pr, time_limit_s=30, seed=7, max_iterations=1500)
    again = planner.plan(pr, time_limit_s=30, seed=7, max_iterations=1500)
    assert first.routes == again.routes


def test_progress_is_reported_to_the_end():
    seen: list[float] = []
    planner.plan(problem([order("a", "hefei", item("Spinach", 100))]), time_limit_s=1.5,
                 seed=1, progress=seen.append)
    assert seen and seen[-1] == 1.0
    assert all(0 <= f <= 1 for f in seen)


@pytest.fixture()
def feasible() -> tuple[p.Problem, p.Plan]:
    pr = problem([order("veg", "shanghai", item("Lettuce (leafy greens)", 2000)),
                  order("hz", "hangzhou", item("Celery", 300)),
                  order("cool", "suzhou", item("Cucumber", 800))], [truck(count=1)])
    return pr, solve(pr)


def kinds_of(pr: p.Problem, plan: p.Plan) -> set[str]:
    return {v.kind for v in plan_check.check(pr, plan).violations}


def test_checker_catches_a_missing_and_a_doubled_order(feasible):
    pr, plan = feasible
    route = plan.routes[0]
    dropped = dataclasses.replace(plan, routes=(dataclasses.replace(
        route, stops=route.stops[1:]),))
    assert p.FLEET != plan_check.MISSED
    assert plan_check.MISSED in kinds_of(pr, dropped)
    doubled = dataclasses.replace(plan, unassigned=(p.Unassigned(
        route.stops[0].order, p.FLEET, ""),))
    assert plan_check.DUPLICATE in kinds_of(pr, doubled)


def test_checker_catches_overload_and_a_mixed_compartment(feasible):
    pr, plan = feasible
    heavy = dataclasses.replace(pr, orders=tuple(
        dataclasses.replace(o, items=(dataclasses.replace(o.items[0], kg=9000),))
        if o.key == "veg" else o for o in pr.orders))
    assert plan_check.CAPACITY in kinds_of(heavy, plan)
    mixed = dataclasses.replace(pr, orders=(
        *pr.orders, order("apples", "shanghai", item("Apple", 100))))
    route = plan.routes[0]
    extra = p.Stop("apples", 0, 0, 0)
    wrong = dataclasses.replace(plan, routes=(dataclasses.replace(
        route, stops=(*route.stops, extra)),), stowage=p.Stowage(
        {**plan.stowage.kind_of, "apple": "chilled-veg"}))
    assert plan_check.INCOMPATIBLE in kinds_of(mixed, wrong)


def test_checker_catches_late_arrival_shift_and_made_up_times(feasible):
    pr, plan = feasible
    first = plan.routes[0].stops[0].order
    tight = dataclasses.replace(pr, orders=tuple(
        dataclasses.replace(o, window=(0, 20 * H)) if o.key == first else o
        for o in pr.orders))
    assert plan_check.LATE in kinds_of(tight, plan)
    short = dataclasses.replace(pr, vehicle_types=(dataclasses.replace(
        pr.vehicle_types[0], shift_s=4 * H),))
    assert plan_check.SHIFT in kinds_of(short, plan)
    route = plan.routes[0]
    fib = dataclasses.replace(plan, routes=(dataclasses.replace(
        route, stops=(dataclasses.replace(route.stops[0], arrival_s=0), *route.stops[1:])),))
    assert plan_check.STATED_TIMES in kinds_of(pr, fib)


def test_checker_catches_an_expired_lot(feasible):
    pr, plan = feasible
    stale = dataclasses.replace(pr, orders=tuple(
        dataclasses.replace(o, items=tuple(dataclasses.replace(i, expires_s=20 * H)
                                           for i in o.items)) for o in pr.orders))
    assert plan_check.SHELF_LIFE in kinds_of(stale, plan)


def test_cool_and_chilled_goods_share_a_truck_in_their_own_compartments():
    pr = problem([order("mixed", "suzhou", item("Cucumber", 1000), item("Spinach", 1000))],
                 [truck(count=1, compartments=(CHILLED_VEG, COOL))])
    plan = solve(pr)
    assert routed(plan) == {"mixed"}
    assert plan.stowage.kind_of == {"cucumber": "cool", "spinach": "chilled-veg"}

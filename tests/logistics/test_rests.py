"""The legal rest counted across the legs of a run: 20 minutes after 4 hours at the wheel."""

from __future__ import annotations

import dataclasses
import random

from freshcircle.logistics import plan_check, planner
from freshcircle.logistics import planning as p
from freshcircle.logistics.travel import DRIVE_BEFORE_REST_S, REST_S, budgeted, drive
from tests.logistics.planning_helpers import NAMES, H, item, order, problem, truck


def test_drive_counts_the_stint_across_legs():
    assert drive(0, 4 * H) == (0, 4 * H)  # exactly 4 h: no rest until the truck moves on
    assert drive(4 * H, 1) == (1, 1)
    assert drive(3 * H, 2 * H) == (1, H)  # the rest falls 1 h into this leg
    assert drive(0, 9 * H) == (2, H)
    assert drive(2 * H, 0) == (0, 2 * H)


def test_the_budget_never_promises_less_than_the_rests_a_run_needs():
    rng = random.Random(7)
    for _ in range(2000):
        legs = [rng.randrange(0, 6 * H) for _ in range(rng.randrange(1, 8))]
        stint = rests = 0
        for leg in legs:
            more, stint = drive(stint, leg)
            rests += more
        assert sum(budgeted(leg) for leg in legs) >= sum(legs) + rests * REST_S
    assert budgeted(12 * H) == 13 * H  # 5 minutes per hour at the wheel


def two_stop_day(service_min: int = 15) -> p.Problem:
    # Fuyang -> Hefei 3.4 h, Hefei -> Nanjing 2.7 h at the wheel: each leg under 4 h, the run
    # over it, so the driver rests on the way to Nanjing.
    hefei = dataclasses.replace(order("hefei", "hefei", item("Spinach", 500)),
                                service_s=service_min * 60)
    return problem([hefei, order("nanjing", "nanjing", item("Spinach", 500))],
                   [truck(count=1)])


def solved(pr: p.Problem) -> p.Route:
    plan = planner.plan(pr, time_limit_s=10, seed=1, max_iterations=2000)
    verdict = plan_check.check(pr, plan)
    assert verdict.feasible, verdict.violations
    (route,) = plan.routes
    assert route.order_keys == ("hefei", "nanjing")
    return route


def test_a_run_rests_once_its_legs_add_up_to_four_hours():
    pr = two_stop_day()
    route = solved(pr)
    hefei, nanjing = route.stops
    hefei_pt, nanjing_pt = NAMES.index("hefei"), NAMES.index("nanjing")
    wheel = pr.matrix.driving
    assert wheel is not None
    assert (hefei.rests, nanjing.rests) == (0, 1)
    assert nanjing.arrival_s - hefei.leave_s == wheel[hefei_pt][nanjing_pt] + REST_S
    assert wheel[0][hefei_pt] + wheel[hefei_pt][nanjing_pt] \
        > DRIVE_BEFORE_REST_S


def test_the_checker_refuses_a_run_that_skips_the_rest():
    pr = two_stop_day()
    route = solved(pr)
    first, second = route.stops
    skipped = dataclasses.replace(second, arrival_s=second.arrival_s - REST_S,
                                  start_s=second.start_s - REST_S,
                                  leave_s=second.leave_s - REST_S, rests=0)
    plan = p.Plan((dataclasses.replace(route, stops=(first, skipped),
                                       finish_s=route.finish_s - REST_S,
                                       return_s=route.return_s - REST_S),), (),
                  p.stow(pr.kinds(), pr.orders))
    kinds = {v.kind for v in plan_check.check(pr, plan).violations}
    assert kinds == {plan_check.STATED_TIMES}


def test_a_long_unloading_stop_counts_as_the_rest():
    route = solved(two_stop_day(service_min=30))
    assert [s.rests for s in route.stops] == [0, 0]

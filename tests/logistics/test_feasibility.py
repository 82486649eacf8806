"""The independent checker on hand-made plans, the published C101 optimum, and PyVRP's plans."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from freshcircle.logistics.feasibility import (
    CAPACITY,
    DUPLICATE,
    FLEET,
    LATE_ARRIVAL,
    LATE_RETURN,
    MISSED,
    UNKNOWN_STOP,
    Plan,
    Route,
    Unassigned,
    check_plan,
)
from freshcircle.logistics.solomon import read_instance
from freshcircle.logistics.solvers import solve_solomon

DATA = Path(__file__).resolve().parents[2] / "bench" / "data" / "solomon"

# Depot at the origin, open until 100; two vehicles of capacity 10.
#   1: 5 away, ready 20 (a vehicle waits), due 50     2: 10 away, due 50
#   3: sqrt(2) away, due 1 (always late)             4: 50 away, service 10 (back at 110)
#   5: exactly 5 away, due 5 (arrival equal to due)
TINY = """TINY

VEHICLE
NUMBER     CAPACITY
  2         10

CUSTOMER
CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME

    0       0          0          0          0        100          0
    1       3          4          5         20         50          1
    2       6          8          5          0         50          1
    3       1          1          1          0          1          0
    4      30         40          1          0         60         10
    5       4          3          1          0          5          0
"""

C101_OPTIMUM = (
    (5, 3, 7, 8, 10, 11, 9, 6, 4, 2, 1, 75),
    (13, 17, 18, 19, 15, 16, 14, 12),
    (20, 24, 25, 27, 29, 30, 28, 26, 23, 22, 21),
    (32, 33, 31, 35, 37, 38, 39, 36, 34),
    (43, 42, 41, 40, 44, 46, 45, 48, 51, 50, 52, 49, 47),
    (57, 55, 54, 53, 56, 58, 60, 59),
    (67, 65, 63, 62, 74, 72, 61, 64, 68, 66, 69),
    (81, 78, 76, 71, 70, 73, 77, 79, 80),
    (90, 87, 86, 83, 82, 84, 85, 88, 89, 91),
    (98, 96, 95, 94, 92, 93, 97, 100, 99),
)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    path = tmp_path_factory.mktemp("solomon") / "TINY.txt"
    path.write_text(TINY)
    return read_instance(path)


def plan(*routes, unassigned=()):
    return Plan(tuple(Route(tuple(r)) for r in routes),
                tuple(Unassigned(s, "left out") for s in unassigned))


def kinds(check):
    return [(v.kind, v.route, v.stop) for v in check.violations]


def test_a_valid_plan_passes_with_its_exact_distance(tiny):
    # 1 is reached at 5, served at 20 (waits), 2 at 21 + 5 = 26; 5 exactly at its due time 5.
    check = check_plan(tiny, plan((1, 2), (5,), unassigned=(3, 4)))
    assert check.feasible, check.violations
    assert check.distance == Decimal(5 + 5 + 10 + 5 + 5)
    assert check.arrivals[0] == (Decimal(5), Decimal(26))
    assert check.routes_used == 2


def test_missed_and_duplicate_customers(tiny):
    missed = check_plan(tiny, plan((1, 2), (5,), unassigned=(3,)))
    assert kinds(missed) == [(MISSED, None, 4)]
    twice = check_plan(tiny, plan((1, 2), (5, 1), unassigned=(3, 4)))
    assert (DUPLICATE, None, 1) in kinds(twice)
    routed_and_unassigned = check_plan(tiny, plan((1, 2), (5,), unassigned=(3, 4, 5)))
    assert kinds(routed_and_unassigned) == [(DUPLICATE, None, 5)]
    unknown = check_plan(tiny, plan((1, 2, 7), (5,), unassigned=(3, 4)))
    assert kinds(unknown) == [(UNKNOWN_STOP, 0, 7)]
    depot = check_plan(tiny, plan((1, 2, 0), (5,), unassigned=(3, 4)))
    assert kinds(depot) == [(UNKNOWN_STOP, 0, 0)]


def test_over_capacity(tiny):
    check = check_plan(tiny, plan((5,), (1, 2, 4), unassigned=(3,)))
    assert (CAPACITY, 1, None) in kinds(check)
    assert "load 11 over capacity 10" in check.violations[0].reason


def test_late_arrival_even_by_an_irrational_margin(tiny):
    # sqrt(2) > 1: late, though the arrival rounds to 1 at one decimal.
    check = check_plan(tiny, plan((3,), (1, 2), unassigned=(4, 5)))
    assert kinds(check) == [(LATE_ARRIVAL, 0, 3)]
    # 5 after 1: reached at 21 + sqrt(2), long after its due time 5.
    later = check_plan(tiny, plan((1, 5), (2,), unassigned=(3, 4)))
    assert kinds(later) == [(LATE_ARRIVAL, 0, 5)]


def test_late_return_to_the_depot(tiny):
    check = check_plan(tiny, plan((4,), (1, 2, 5), unassigned=(3,)))
    # 4: arrive 50, leave 60, back at 110 > 100; route 1 has its own late arrival at 5.
    assert (LATE_RETURN, 0, None) in kinds(check)
    assert (LATE_ARRIVAL, 1, 5) in kinds(check)


def test_more_routes_than_vehicles(tiny):
    check = check_plan(tiny, plan((1,), (2,), (5,), (), unassigned=(3, 4)))
    assert kinds(check) == [(FLEET, None, None)]


def test_published_c101_optimum_is_feasible_at_the_bks_distance():
    c101 = read_instance(DATA / "C101.txt")
    check = check_plan(c101, plan(*C101_OPTIMUM))
    assert check.feasible, check.violations
    # bks_distance_only.csv: 828.94, with unrounded Euclidean distances.
    assert round(check.distance, 2) == Decimal("828.94")


def test_c101_optimum_with_a_route_reversed_is_late():
    c101 = read_instance(DATA / "C101.txt")
    backwards = [*C101_OPTIMUM]
    backwards[0] = tuple(reversed(C101_OPTIMUM[0]))
    check = check_plan(c101, plan(*backwards))
    assert check.violations
    assert {v.kind for v in check.violations} == {LATE_ARRIVAL, LATE_RETURN}
    assert {v.route for v in check.violations} == {0}
    assert check.distance == check_plan(c101, plan(*C101_OPTIMUM)).distance


@pytest.mark.parametrize("name", ["C101", "R101"])
def test_a_short_pyvrp_solve_passes_the_checker_near_the_bks(name):
    instance = read_instance(DATA / f"{name}.txt")
    bks = {"C101": 828.94, "R101": 1642.88}[name]
    solved = solve_solomon(instance, time_limit_s=1.5, seed=1)
    check = check_plan(instance, solved)
    assert not solved.unassigned
    assert check.feasible, check.violations
    assert float(check.distance) <= bks * 1.03


def test_same_seed_same_plan_when_bounded_by_iterations():
    instance = read_instance(DATA / "RC101.txt")
    first = solve_solomon(instance, time_limit_s=60, seed=7, max_iterations=300)
    second = solve_solomon(instance, time_limit_s=60, seed=7, max_iterations=300)
    assert first == second
    assert check_plan(instance, first).feasible

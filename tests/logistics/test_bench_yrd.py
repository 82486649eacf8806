"""bench/yrd.py: the synthetic YRD dispatch day is deterministic, stows, and solves feasibly."""

from __future__ import annotations

import importlib.util
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from freshcircle.logistics import plan_check, planner
from freshcircle.logistics import planning as p

BENCH = Path(__file__).resolve().parents[2] / "bench" / "yrd.py"


@pytest.fixture(scope="module")
def yrd():
    spec = importlib.util.spec_from_file_location("bench_yrd", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def small(yrd) -> p.Problem:
    return yrd.build(60, seed=3)


def test_the_instance_is_deterministic_for_a_seed(yrd, small):
    again = yrd.build(60, seed=3)
    assert again.orders == small.orders
    assert again.vehicle_types == small.vehicle_types
    assert again.matrix == small.matrix
    assert yrd.build(60, seed=4).orders != small.orders


def test_the_instance_is_a_yrd_day_with_compartments(yrd, small):
    assert len(small.orders) == 60
    assert 2 <= len(small.depots) <= 3
    assert all((d.opens_s, d.closes_s) == (16 * p.HOUR, 23 * p.HOUR) for d in small.depots)
    assert len({k.kind for k in small.kinds()}) >= 3
    assert any(len(vt.compartments) >= 3 for vt in small.vehicle_types)
    n_points = len(small.matrix.meters)
    assert 150 <= n_points < 300
    for order in small.orders:
        assert 1 <= len(order.items) <= 3
        assert 27 * p.HOUR <= order.window[0] < order.window[1] <= 38 * p.HOUR
        assert 2 * p.HOUR <= order.window[1] - order.window[0] <= 6 * p.HOUR
        assert all(50 <= i.kg <= 1500 and i.pallets == Fraction(i.kg, 500)
                   for i in order.items)
        assert len(small.depots) <= order.point < n_points


def test_every_product_stows(yrd):
    # Bigger days too: whatever the weights, the greedy stowage refuses nothing.
    for n, seed in ((60, 3), (300, 0), (1000, 1)):
        problem = yrd.build(n, seed)
        stowage = p.stow(problem.kinds(), problem.orders)
        assert stowage.refused == {}
        products = {i.product.key for o in problem.orders for i in o.items}
        assert set(stowage.kind_of) == products


def test_the_plan_is_feasible_and_routes_most_orders(small):
    plan = planner.plan(small, time_limit_s=30, seed=0, max_iterations=1500)
    verdict = plan_check.check(small, plan)
    assert verdict.feasible, verdict.violations[:5]
    codes = {u.code for u in plan.unassigned}
    assert p.NO_COMPARTMENT not in codes and p.TOO_BIG not in codes
    routed = sum(len(r.stops) for r in plan.routes)
    assert routed >= 0.85 * len(small.orders)


def test_run_reports_the_summary(yrd):
    out = yrd.run(budget_s=2, seed=0, n_orders=40)
    assert out["orders"] == 40
    assert out["routed"] + out["unassigned"] == 40
    assert sum(out["unassigned_by_reason"].values()) == out["unassigned"]
    assert out["feasible"] is True and out["violations"] == 0
    assert out["vehicles"] >= 1 and out["distance_km"] > 0 and out["cost_yuan"] > 0
    assert out["solve_s"] >= 0 and out["build_s"] >= 0

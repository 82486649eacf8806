"""Solomon VRPTW: PyVRP against the distance-only best known solutions, with peers.

    .venv/bin/python bench/routing.py [--instances C101,R101] [--budget 10] [--seed 1]
                                      [--peers vroom,ortools] [--hierarchical C101,R101,RC101]

- Every instance in bench/data/solomon/ (all 56 by default) is solved with total distance as the
  objective (vehicles free) by `freshcircle.logistics.solvers.solve_solomon` (PyVRP) within
  --budget seconds, checked by the independent checker (`feasibility.check_plan`, on the
  unscaled instance, distances recomputed there), and compared with bks_distance_only.csv.
  A plan the checker rejects, or no plan, counts in `infeasible` and not in the gaps.
- Peers, same budget, same checker, one thread each (PyVRP is single-threaded):
  VROOM through pyvroom (exploration level 5) and OR-Tools (parallel cheapest insertion, then
  guided local search; its PATH_CHEAPEST_ARC start finds no solution on tight-window
  instances such as R101). Both get integer matrices scaled by 1000, travel times rounded up
  (so their feasible plans are feasible unscaled), distances rounded. `--peers ''` skips them.
  Install them with `pip install -e .[bench]`.
- Then, in the same run, the hierarchical objective (fewest vehicles first, then distance):
  the --hierarchical instances (C101, R101, RC101 by default, whatever --instances says; ''
  skips it) are solved by `solve_solomon(..., objective="vehicles")` (PyVRP, same budget and
  seed), checked by the same checker, and compared with bks.csv: vehicles found against the
  BKS vehicles, and the distance gap to the BKS distance (comparable only when the vehicle
  counts match: a plan with more vehicles can be shorter than the BKS).

Prints one line per instance and engine, then one per hierarchical instance; the last line is
one JSON object with `instances`, `mean_gap_pct`, `worst_gap_pct`, `infeasible` (PyVRP),
`per_class` (class to PyVRP's mean gap), `peers` (engine to mean gap, only engines that ran;
`peers_infeasible` the misses), `yrd_s` (solve time of the synthetic YRD day of
--yrd-orders orders (1,000) with compartments, bench/yrd.py, at --yrd-budget seconds; `yrd`
its cost, vehicles, routed and unassigned orders and checker verdict, `yrd_routed`,
`yrd_vehicles`, `yrd_cost_yuan`, `yrd_feasible` from it; null with --yrd-budget 0),
`hierarchical` (instance to {"vehicles", "bks_vehicles", "distance", "gap_pct",
"feasible"}; vehicles, distance and gap null when the plan is infeasible), plus `budget_s`,
`seed`, `bench`, and the goals (benchkit). All keys but `hierarchical` and `yrd*` are about
the distance-only part.

Goals: PyVRP's mean gap at most 0.5 %; checks (any size): every instance and every
hierarchical and YRD plan feasible by the checkers.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import math
import re
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from statistics import mean

import yrd as yrd_bench  # bench/yrd.py, beside this script
from benchkit import HIGHER, LOWER, Goal, finish

from freshcircle.logistics.feasibility import Plan, Route, Unassigned, check_plan
from freshcircle.logistics.solomon import Instance, distance, read_instance
from freshcircle.logistics.solvers import SCALE, solve_solomon

DATA = Path(__file__).parent / "data" / "solomon"
CLASSES = ("C1", "C2", "R1", "R2", "RC1", "RC2")
PEER_MODULES = {"vroom": "vroom (pyvroom)", "ortools": "ortools"}
GOALS = (
    Goal("mean_gap_pct", "<=", 0.5),
    Goal("infeasible", "==", 0, check=True),
    Goal("hierarchical_infeasible", "==", 0, check=True),
    Goal("yrd_feasible", "==", True, check=True),
)
WATCH = {"worst_gap_pct": LOWER, "yrd_routed": HIGHER, "yrd_vehicles": LOWER,
         "yrd_cost_yuan": LOWER}


def instance_class(name: str) -> str:
    match = re.fullmatch(r"(RC|R|C)([12])\d\d", name)
    if not match:
        raise ValueError(f"not a Solomon instance name: {name}")
    return match.group(1) + match.group(2)


def read_bks(path: Path) -> dict[str, float]:
    return {name: dist for name, (_, dist) in read_bks_vehicles(path).items()}


def read_bks_vehicles(path: Path) -> dict[str, tuple[int, float]]:
    """Instance to (vehicles, distance)."""
    with path.open(newline="") as f:
        return {row["instance"]: (int(row["vehicles"]), float(row["distance"]))
                for row in csv.DictReader(f)}


def scaled_matrices(instance: Instance) -> tuple[list[list[int]], list[list[int]]]:
    """(distances rounded, durations rounded up), both times SCALE, indexed by node id."""
    nodes = instance.nodes
    dist = [[round(distance(a, b) * SCALE) for b in nodes] for a in nodes]
    dur = [[math.ceil(distance(a, b) * SCALE) for b in nodes] for a in nodes]
    return dist, dur


def _unassigned_all(instance: Instance, reason: str) -> Plan:
    return Plan((), tuple(Unassigned(c.id, reason) for c in instance.customers))


def solve_vroom(instance: Instance, budget_s: float, seed: int) -> Plan:
    """VROOM (pyvroom); it has no seed, its search is deterministic for a given input."""
    import vroom

    dist, dur = scaled_matrices(instance)
    problem = vroom.Input()
    problem.set_durations_matrix(profile="car", matrix_input=dur)
    problem.set_costs_matrix(profile="car", matrix_input=dist)
    depot = instance.depot
    for v in range(instance.vehicles):
        problem.add_vehicle(vroom.Vehicle(
            id=v + 1, start=0, end=0, capacity=[instance.capacity],
            time_window=vroom.TimeWindow(depot.ready * SCALE, depot.due * SCALE)))
    for c in instance.customers:
        problem.add_job(vroom.Job(
            id=c.id, location=c.id, delivery=[c.demand], default_service=c.service * SCALE,
            time_windows=[vroom.TimeWindow(c.ready * SCALE, c.due * SCALE)]))
    solution = problem.solve(exploration_level=5, nb_threads=1,
                             timeout=timedelta(seconds=budget_s))
    routes: dict[int, list[int]] = {}
    frame = solution.routes
    for vehicle_id, kind, job_id in zip(frame["vehicle_id"], frame["type"], frame["id"],
                                        strict=True):
        if kind == "job":
            routes.setdefault(int(vehicle_id), []).append(int(job_id))
    served = {s for stops in routes.values() for s in stops}
    return Plan(tuple(Route(tuple(stops)) for _, stops in sorted(routes.items())),
                tuple(Unassigned(c.id, "vroom left it out") for c in instance.customers
                      if c.id not in served))


def solve_ortools(instance: Instance, budget_s: float, seed: int) -> Plan:
    """OR-Tools routing: parallel cheapest insertion, then guided local search."""
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    dist, dur = scaled_matrices(instance)
    nodes = instance.nodes
    manager = pywrapcp.RoutingIndexManager(len(nodes), instance.vehicles, 0)
    routing = pywrapcp.RoutingModel(manager)

    def arc(matrix: list[list[int]], service: bool) -> Callable[[int, int], int]:
        def callback(i: int, j: int) -> int:
            a, b = manager.IndexToNode(i), manager.IndexToNode(j)
            return matrix[a][b] + (nodes[a].service * SCALE if service else 0)
        return callback

    cost = routing.RegisterTransitCallback(arc(dist, service=False))
    routing.SetArcCostEvaluatorOfAllVehicles(cost)
    transit = routing.RegisterTransitCallback(arc(dur, service=True))
    horizon = instance.depot.due * SCALE
    routing.AddDimension(transit, horizon, horizon, False, "time")
    time_dim = routing.GetDimensionOrDie("time")
    for c in instance.customers:
        time_dim.CumulVar(manager.NodeToIndex(c.id)).SetRange(c.ready * SCALE, c.due * SCALE)
    for v in range(instance.vehicles):
        time_dim.CumulVar(routing.Start(v)).SetRange(instance.depot.ready * SCALE, horizon)
        time_dim.CumulVar(routing.End(v)).SetRange(instance.depot.ready * SCALE, horizon)
    demand = routing.RegisterUnaryTransitCallback(
        lambda i: nodes[manager.IndexToNode(i)].demand)
    routing.AddDimensionWithVehicleCapacity(
        demand, 0, [instance.capacity] * instance.vehicles, True, "load")
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = (
        routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION)
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH)
    params.time_limit.FromMilliseconds(int(budget_s * 1000))
    solution = routing.SolveWithParameters(params)
    if solution is None:
        return _unassigned_all(instance, "OR-Tools found no solution")
    routes = []
    for v in range(instance.vehicles):
        index, stops = solution.Value(routing.NextVar(routing.Start(v))), []
        while not routing.IsEnd(index):
            stops.append(manager.IndexToNode(index))
            index = solution.Value(routing.NextVar(index))
        if stops:
            routes.append(Route(tuple(stops)))
    return Plan(tuple(routes))


ENGINES: dict[str, Callable[[Instance, float, int], Plan]] = {
    "pyvrp": lambda instance, budget, seed: solve_solomon(instance, budget, seed),
    "vroom": solve_vroom,
    "ortools": solve_ortools,
}


def run(engine: str, instance: Instance, budget: float, seed: int,
        bks: float) -> tuple[float | None, str]:
    """(gap % or None if infeasible, the printed line)."""
    started = time.perf_counter()
    plan = ENGINES[engine](instance, budget, seed)
    seconds = time.perf_counter() - started
    check = check_plan(instance, plan)
    if plan.unassigned or not check.feasible:
        what = (f"{len(plan.unassigned)} unassigned" if plan.unassigned
                else f"{len(check.violations)} violations, first: {check.violations[0].reason}")
        return None, f"{instance.name:6} {engine:8} INFEASIBLE ({what}) {seconds:5.1f} s"
    gap = round((float(check.distance) - bks) / bks * 100, 3) + 0.0  # + 0.0: no "-0.0"
    return gap, (f"{instance.name:6} {engine:8} {check.routes_used:3d} routes "
                 f"{float(check.distance):9.2f} bks {bks:8.2f} gap {gap:6.2f}% {seconds:5.1f} s")


def run_hierarchical(instance: Instance, budget: float, seed: int,
                     bks: tuple[int, float]) -> tuple[dict[str, object], str]:
    """PyVRP with the vehicles-first objective against bks.csv: (JSON entry, printed line)."""
    bks_vehicles, bks_distance = bks
    started = time.perf_counter()
    plan = solve_solomon(instance, budget, seed, objective="vehicles")
    seconds = time.perf_counter() - started
    check = check_plan(instance, plan)
    if plan.unassigned or not check.feasible:
        what = (f"{len(plan.unassigned)} unassigned" if plan.unassigned
                else f"{len(check.violations)} violations, first: {check.violations[0].reason}")
        return ({"vehicles": None, "bks_vehicles": bks_vehicles, "distance": None,
                 "gap_pct": None, "feasible": False},
                f"{instance.name:6} vehicles INFEASIBLE ({what}) {seconds:5.1f} s")
    dist = float(check.distance)
    gap = round((dist - bks_distance) / bks_distance * 100, 3) + 0.0
    return ({"vehicles": check.routes_used, "bks_vehicles": bks_vehicles,
             "distance": round(dist, 2), "gap_pct": gap, "feasible": True},
            f"{instance.name:6} vehicles {check.routes_used:3d} routes (bks {bks_vehicles:3d}) "
            f"{dist:9.2f} bks {bks_distance:8.2f} gap {gap:6.2f}% {seconds:5.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    all_names = sorted(p.stem for p in DATA.glob("*.txt"))
    parser.add_argument("--instances", default=",".join(all_names))
    parser.add_argument("--budget", type=float, default=10.0, help="seconds per instance")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--peers", default="vroom,ortools",
                        help="comma-separated peers among vroom, ortools ('' for none)")
    parser.add_argument("--yrd-budget", type=float, default=60.0,
                        help="seconds for the YRD day (0 to skip)")
    parser.add_argument("--yrd-orders", type=int, default=1000, help="orders in the YRD day")
    parser.add_argument("--hierarchical", default="C101,R101,RC101",
                        help="instances to solve vehicles-first against bks.csv ('' for none)")
    args = parser.parse_args()
    names = [n.strip().upper() for n in args.instances.split(",") if n.strip()]
    hierarchical = [n.strip().upper() for n in args.hierarchical.split(",") if n.strip()]
    for name in [*names, *hierarchical]:
        if name not in all_names:
            parser.error(f"no instance {name!r} in {DATA}")
    peers = [p.strip() for p in args.peers.split(",") if p.strip()]
    for peer in peers:
        if peer not in ENGINES or peer == "pyvrp":
            parser.error(f"unknown peer {peer!r}")
    missing = [PEER_MODULES[p] for p in peers if importlib.util.find_spec(p) is None]
    if missing:
        parser.error(f"peer solvers not installed: {', '.join(missing)}. `make bench-deps` "
                     f"installs them (the bench extra: pip install -e '.[bench]'); --peers '' "
                     f"measures PyVRP alone")
    bks = read_bks(DATA / "bks_distance_only.csv")

    gaps: dict[str, list[float]] = {engine: [] for engine in ["pyvrp", *peers]}
    missed: dict[str, list[str]] = {engine: [] for engine in gaps}
    per_class: dict[str, list[float]] = {}
    print(f"{len(names)} instances, {args.budget:g} s each, seed {args.seed}, "
          f"engines: {', '.join(gaps)}", flush=True)
    for name in names:
        instance = read_instance(DATA / f"{name}.txt")
        for engine in gaps:
            gap, line = run(engine, instance, args.budget, args.seed, bks[name])
            print(line, flush=True)
            if gap is None:
                missed[engine].append(name)
                continue
            gaps[engine].append(gap)
            if engine == "pyvrp":
                per_class.setdefault(instance_class(name), []).append(gap)

    bks_hierarchical = read_bks_vehicles(DATA / "bks.csv")
    hierarchical_results: dict[str, dict[str, object]] = {}
    if hierarchical:
        print(f"hierarchical objective (vehicles, then distance) against bks.csv: "
              f"{len(hierarchical)} instances, {args.budget:g} s each", flush=True)
    for name in hierarchical:
        instance = read_instance(DATA / f"{name}.txt")
        entry, line = run_hierarchical(instance, args.budget, args.seed, bks_hierarchical[name])
        print(line, flush=True)
        hierarchical_results[name] = entry

    yrd = None
    if args.yrd_budget > 0:
        yrd = yrd_bench.run(budget_s=args.yrd_budget, seed=args.seed, n_orders=args.yrd_orders)
        print(f"YRD {args.yrd_orders:,} orders at {args.yrd_budget:g} s: routed {yrd['routed']} on "
              f"{yrd['vehicles']} trucks, {yrd['distance_km']} km, ¥{yrd['cost_yuan']}, "
              f"unassigned {yrd['unassigned_by_reason']}, feasible {yrd['feasible']}, "
              f"solve {yrd['solve_s']} s", flush=True)

    def mean_or_none(values: list[float]) -> float | None:
        return round(mean(values), 3) + 0.0 if values else None

    own = gaps["pyvrp"]
    finish("routing", {
        "instances": len(names),
        "budget_s": args.budget,
        "seed": args.seed,
        "mean_gap_pct": mean_or_none(own),
        "worst_gap_pct": round(max(own), 3) + 0.0 if own else None,
        "infeasible": len(missed["pyvrp"]),
        "per_class": {c: mean_or_none(per_class[c]) for c in CLASSES if c in per_class},
        "peers": {p: mean_or_none(gaps[p]) for p in peers},
        "peers_infeasible": {p: len(missed[p]) for p in peers},
        "hierarchical": hierarchical_results,
        "hierarchical_infeasible": sum(not h["feasible"] for h in hierarchical_results.values()),
        "yrd_orders": args.yrd_orders if yrd else None,
        "yrd_s": yrd["solve_s"] if yrd else None,
        "yrd_routed": yrd["routed"] if yrd else None,
        "yrd_vehicles": yrd["vehicles"] if yrd else None,
        "yrd_cost_yuan": yrd["cost_yuan"] if yrd else None,
        "yrd_feasible": yrd["feasible"] if yrd else None,
        "yrd": yrd,
    }, GOALS, WATCH)


if __name__ == "__main__":
    main()

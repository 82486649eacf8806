"""A synthetic YRD dispatch day of N orders (default 1,000) with compartments, and its timed solve.

    .venv/bin/python bench/yrd.py [--orders 1000] [--budget 60] [--seed 0]

`build(n_orders, seed)` makes a `planning.Problem`, deterministic for the seed
(`random.Random(seed)`; the buyer sites use a fixed generator of their own, so every seed shares
one set of points and one matrix):

- Depots: three Fuyang cold stores (Yingdong District, Yingzhou District, Taihe County, from
  freshcircle/platform/data/places.csv), trucks leave between 16:00 and 23:00 on the dispatch
  day (the plan epoch is midnight of that day).
- Buyer sites: every destination_city and wholesale_market row of places.csv, each spread into
  4 to 8 distinct sites 1 to 6 km from the listed point (39 places, about 230 sites, so the
  matrix is built once over about 235 points with `EstimateProvider`). An order picks a place
  weighted towards Shanghai, Hangzhou, Nanjing and Suzhou (weight 6 for them and their
  markets, 3 for Hefei, Wuxi and Ningbo, 1 for the rest), then one of its sites.
- Products, by the compartment kind they are meant for: chilled-veg 0-4 °C (lettuce, napa
  cabbage, pak choi, spinach, celery, broccoli, green onion, carrot), chilled-fruit 0-4 °C
  (apple, shell eggs: both at 80-95 % RH, which keeps them apart from the 95-100 % greens; the
  apple's ethylene does too), cool 8-15 °C (cucumber, eggplant, watermelon, hot chili) and
  frozen -25 to -18 °C (frozen pork, frozen fish). Within a group every pair is compatible
  (`produce.compatible`) and across the two chilled groups every pair clashes, so the greedy
  `planning.stow` stows every product whatever the day's weights (greens in chilled-veg,
  apples and eggs in chilled-fruit, as the kinds' names say).
- Orders: 12 % are frozen buyers (1-2 frozen items), the rest order 1-3 products from the
  chilled and cool groups (weights veg 6 : fruit 2 : cool 3; within a group napa cabbage 3,
  pak choi 2, apple 2, cucumber 2, the rest 1). Each item is 50-1,500 kg (in
  steps of 10 kg), pallets = kg / 500; an order's load in one kind is kept within 2,500 kg
  (5 pallets) so the smallest compartment of that kind on the large trucks takes it. Receiving
  window 2-6 h (whole half hours) on the next day between 03:00 and 14:00 (27-38 h after the
  epoch). About 30 % of items carry `expires_s`: the buyer's minimum remaining life
  (`min_remaining_life_s`, 0-24 h in whole hours, on every order) plus 0.5-36 h after the
  window opens, so the shelf-life deadline cuts some windows short and rules out a few
  orders. Service 15 min.
- Fleet, at every depot: a 3-compartment 9.6 m reefer (chilled-veg 8 t / 12 pallets,
  chilled-fruit 4 t / 6, cool 4 t / 6; ¥1,500 fixed, ¥6/km), a 2-compartment 7.6 m reefer
  (chilled-veg 5 t / 8, cool 3 t / 6; ¥1,100, ¥5/km), a 4.2 m two-temp chilled truck
  (chilled-veg 2 t / 4, chilled-fruit 2 t / 4; ¥800, ¥4/km) and a 9.6 m freezer (frozen 12 t /
  18; ¥1,400, ¥6/km); shift 14 h; counts sized from the day's demand (pallets per kind over the
  fleet's pallets per kind, with slack for windows and geography, split over the depots).
  Freshness cost ¥20 per hour out.

`run(budget_s, seed, n_orders)` builds the instance (timed), solves it with `planner.plan` in
`budget_s` seconds, checks the plan with `plan_check.check` and returns a dict: `orders`,
`routed`, `unassigned`, `unassigned_by_reason`, `vehicles` (routes), `distance_km`,
`cost_yuan`, `solve_s` (wall time of `planner.plan`, whose budget covers its screening and
model building too), `build_s`, `feasible`, `violations`
(the checker's count), plus `points`, `budget_s`, `seed`. The script prints one human line,
then that dict as one JSON line, last.
"""

from __future__ import annotations

import argparse
import csv
import math
import random
import sys
import time
from collections import Counter
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from benchkit import HIGHER, LOWER, Goal, finish  # noqa: E402  (bench/ is not a package)

from freshcircle.logistics import plan_check, planner  # noqa: E402
from freshcircle.logistics import planning as p  # noqa: E402
from freshcircle.logistics.produce import by_name  # noqa: E402
from freshcircle.logistics.travel import EstimateProvider, Point  # noqa: E402

GOALS = (  # every plan passes the independent checker, at any size
    Goal("feasible", "==", True, check=True),
    Goal("violations", "==", 0, check=True),
)
WATCH = {"routed": HIGHER, "vehicles": LOWER, "distance_km": LOWER, "cost_yuan": LOWER}

H = p.HOUR
PLACES_CSV = ROOT / "freshcircle" / "platform" / "data" / "places.csv"
DEPOT_PLACES = ("Yingdong District", "Yingzhou District", "Taihe County")
DEPOT_HOURS = (16 * H, 23 * H)
SITE_SEED = 20240601  # the buyer sites are the same for every seed
SITES_PER_PLACE = (4, 8)
JITTER_KM = (1.0, 6.0)
BIG = ("Shanghai", "Hangzhou", "Nanjing", "Suzhou (Jiangsu)", "Suzhou Nanhuanqiao")
MEDIUM = ("Hefei", "Wuxi", "Ningbo")

CHILLED_VEG = "chilled-veg"
CHILLED_FRUIT = "chilled-fruit"
COOL = "cool"
FROZEN = "frozen"
PRODUCTS = {
    CHILLED_VEG: ("Lettuce (leafy greens)", "Chinese cabbage (napa)", "Pak choi / bok choy",
                  "Spinach", "Celery", "Broccoli", "Green onion / scallion", "Carrot (topped)"),
    CHILLED_FRUIT: ("Apple", "Eggs (shell)"),
    COOL: ("Cucumber", "Eggplant", "Watermelon", "Chili pepper (hot)"),
    FROZEN: ("Pork (frozen)", "Fish (frozen)"),
}
PRODUCE_GROUP_WEIGHTS = {CHILLED_VEG: 6, CHILLED_FRUIT: 2, COOL: 3}
# Within a group; 1 if not listed. Napa cabbage and pak choi are the bulk greens.
PRODUCT_WEIGHTS = {"Chinese cabbage (napa)": 3, "Pak choi / bok choy": 2, "Apple": 2,
                   "Cucumber": 2}
FROZEN_SHARE = 0.12
ITEM_KG = (50, 1500)
KG_PER_PALLET = 500
MAX_KIND_KG = 2500
WINDOW_OPEN = (27 * H, 38 * H)  # 03:00 to 14:00 the next day
WINDOW_H = (2, 6)
EXPIRING_SHARE = 0.3
SERVICE_S = 15 * 60
SHIFT_S = 14 * H
FEN_PER_HOUR_OUT = 2000


def _compartment(kind: str, kg: int, pallets: int) -> p.Compartment:
    lo, hi = {CHILLED_VEG: (0, 4), CHILLED_FRUIT: (0, 4), COOL: (8, 15),
              FROZEN: (-25, -18)}[kind]
    return p.Compartment(kind, lo, hi, kg, pallets)


# key, compartments, fixed cost (fen), fen per km, share of the sized fleet
TRUCKS = (
    ("reefer-9.6m-3temp", (_compartment(CHILLED_VEG, 8000, 12),
                           _compartment(CHILLED_FRUIT, 4000, 6),
                           _compartment(COOL, 4000, 6)), 150_000, 600),
    ("reefer-7.6m-2temp", (_compartment(CHILLED_VEG, 5000, 8),
                           _compartment(COOL, 3000, 6)), 110_000, 500),
    ("reefer-4.2m-chilled", (_compartment(CHILLED_VEG, 2000, 4),
                             _compartment(CHILLED_FRUIT, 2000, 4)), 80_000, 400),
    ("freezer-9.6m", (_compartment(FROZEN, 12000, 18),), 140_000, 600),
)
# Share of the chilled/cool vehicles by type (the freezers are sized on their own).
PRODUCE_MIX = {"reefer-9.6m-3temp": 0.5, "reefer-7.6m-2temp": 0.3, "reefer-4.2m-chilled": 0.2}
SLACK = 2.0  # vehicles over the pallet-only bound: windows and geography leave trucks part-full


def _places() -> list[dict[str, str]]:
    with PLACES_CSV.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _depot_points(rows: list[dict[str, str]]) -> list[tuple[str, Point]]:
    found = {r["name_en"]: Point(float(r["lat"]), float(r["lon"])) for r in rows
             if r["kind"] in ("origin_city", "origin_county")}
    return [(name, found[name]) for name in DEPOT_PLACES]


def _weight(name: str) -> int:
    if name.startswith(BIG):
        return 6
    if name.startswith(MEDIUM):
        return 3
    return 1


def _sites(rows: list[dict[str, str]]) -> list[tuple[str, int, list[Point]]]:
    """(place name, weight, its sites) for every buyer place; distinct points throughout."""
    rng = random.Random(SITE_SEED)
    taken: set[tuple[float, float]] = set()
    out: list[tuple[str, int, list[Point]]] = []
    for r in rows:
        if r["kind"] not in ("destination_city", "wholesale_market"):
            continue
        lat0, lon0 = float(r["lat"]), float(r["lon"])
        sites: list[Point] = []
        target = rng.randint(*SITES_PER_PLACE)
        while len(sites) < target:
            km = rng.uniform(*JITTER_KM)
            bearing = rng.uniform(0, 2 * math.pi)
            lat = round(lat0 + km * math.cos(bearing) / 111.0, 4)
            lon = round(lon0 + km * math.sin(bearing) / (111.0 * math.cos(math.radians(lat0))),
                        4)
            if (lat, lon) not in taken:
                taken.add((lat, lon))
                sites.append(Point(lat, lon))
        out.append((r["name_en"], _weight(r["name_en"]), sites))
    return out


def _item(rng: random.Random, name: str, lot: str, window_open: int,
          min_life_s: int) -> p.Item:
    kg = rng.randrange(ITEM_KG[0], ITEM_KG[1] + 1, 10)
    expires = None
    if rng.random() < EXPIRING_SHARE:
        expires = window_open + min_life_s + rng.randint(H // 2, 36 * H)
    return p.Item(by_name(name), kg, Fraction(kg, KG_PER_PALLET), lot, expires)


def _order_items(rng: random.Random, key: str, window_open: int,
                 min_life_s: int) -> tuple[p.Item, ...]:
    if rng.random() < FROZEN_SHARE:
        names = rng.sample(PRODUCTS[FROZEN], rng.randint(1, 2))
        kinds = [FROZEN] * len(names)
    else:
        pool = [(kind, name) for kind in PRODUCE_GROUP_WEIGHTS for name in PRODUCTS[kind]]
        weights = [PRODUCE_GROUP_WEIGHTS[kind] * PRODUCT_WEIGHTS.get(name, 1)
                   / sum(PRODUCT_WEIGHTS.get(other, 1) for other in PRODUCTS[kind])
                   for kind, name in pool]
        chosen: list[tuple[str, str]] = []
        for _ in range(rng.randint(1, 3)):
            pick = rng.choices(pool, weights)[0]
            if pick not in chosen:
                chosen.append(pick)
        kinds = [kind for kind, _ in chosen]
        names = [name for _, name in chosen]
    items: list[p.Item] = []
    load: Counter[str] = Counter()
    for n, (kind, name) in enumerate(zip(kinds, names, strict=True)):
        item = _item(rng, name, f"FY-{key}-{n + 1}", window_open, min_life_s)
        if load[kind] + item.kg > MAX_KIND_KG:
            continue
        load[kind] += item.kg
        items.append(item)
    return tuple(items)


def _fleet(orders: list[p.Order], n_depots: int) -> tuple[p.VehicleType, ...]:
    """Counts per type and depot from the day's pallets per kind, with `SLACK`."""
    kind_of = {name: kind for kind, names in PRODUCTS.items() for name in names}
    pallets: Counter[str] = Counter()
    for order in orders:
        for item in order.items:
            pallets[kind_of[item.product.name_en]] += item.pallets
    trucks = {key: comps for key, comps, _, _ in TRUCKS}

    def per_vehicle(kind: str) -> float:  # pallets of `kind` per vehicle of the produce mix
        return sum(share * sum(c.capacity_pallets for c in trucks[key] if c.kind == kind)
                   for key, share in PRODUCE_MIX.items())

    produce = max(math.ceil(pallets[kind] / per_vehicle(kind))
                  for kind in (CHILLED_VEG, CHILLED_FRUIT, COOL))
    totals = {key: math.ceil(SLACK * share * produce) for key, share in PRODUCE_MIX.items()}
    totals["freezer-9.6m"] = math.ceil(SLACK * pallets[FROZEN] / 18)
    fleet: list[p.VehicleType] = []
    for key, comps, fixed, per_km in TRUCKS:
        for d in range(n_depots):
            count = math.ceil(totals[key] / n_depots)
            if count:
                fleet.append(p.VehicleType(f"{key}@{d}", comps, count=max(count, 1), depot=d,
                                           fixed_cost_fen=fixed, fen_per_km=per_km,
                                           shift_s=SHIFT_S, name=key))
    return tuple(fleet)


def build(n_orders: int = 1000, seed: int = 0) -> p.Problem:
    """The synthetic YRD day (see the module docstring); deterministic for `seed`."""
    rng = random.Random(seed)
    rows = _places()
    depots_at = _depot_points(rows)
    places = _sites(rows)
    points = [pt for _, pt in depots_at]
    place_sites: list[list[int]] = []
    for _, _, sites in places:
        place_sites.append(list(range(len(points), len(points) + len(sites))))
        points += sites
    weights = [w for _, w, _ in places]
    orders: list[p.Order] = []
    for i in range(n_orders):
        key = f"Y{i + 1:04d}"
        place = rng.choices(range(len(places)), weights)[0]
        point = rng.choice(place_sites[place])
        hours = rng.randint(2 * WINDOW_H[0], 2 * WINDOW_H[1]) * H // 2
        opens = rng.randrange(WINDOW_OPEN[0], WINDOW_OPEN[1] - hours + 1, H // 2)
        min_life_s = rng.randint(0, 24) * H
        items = _order_items(rng, key, opens, min_life_s)
        orders.append(p.Order(key, point, items, (opens, opens + hours), SERVICE_S, min_life_s))
    depots = tuple(p.Depot(f"fuyang-cold-store-{name.split()[0].lower()}", d, *DEPOT_HOURS)
                   for d, (name, _) in enumerate(depots_at))
    matrix = EstimateProvider().matrix(points)
    return p.Problem(depots, _fleet(orders, len(depots)), tuple(orders), matrix,
                     fen_per_hour_out=FEN_PER_HOUR_OUT)


def summarize(problem: p.Problem, plan: p.Plan) -> dict[str, object]:
    verdict = plan_check.check(problem, plan)
    routes = [r for r in plan.routes if r.stops]
    return {
        "orders": len(problem.orders),
        "routed": sum(len(r.stops) for r in routes),
        "unassigned": len(plan.unassigned),
        "unassigned_by_reason": dict(sorted(Counter(u.code for u in plan.unassigned).items())),
        "vehicles": len(routes),
        "distance_km": round(verdict.distance_m / 1000, 1),
        "cost_yuan": round(plan.cost_fen / 100, 2),
        "feasible": verdict.feasible,
        "violations": len(verdict.violations),
    }


def run(budget_s: float = 60, seed: int = 0, n_orders: int = 1000) -> dict[str, object]:
    started = time.perf_counter()
    problem = build(n_orders, seed)
    build_s = time.perf_counter() - started
    started = time.perf_counter()
    plan = planner.plan(problem, time_limit_s=budget_s, seed=seed)
    solve_s = time.perf_counter() - started
    out = summarize(problem, plan)
    out.update(solve_s=round(solve_s, 2), build_s=round(build_s, 2),
               points=len(problem.matrix.meters), budget_s=budget_s, seed=seed)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--budget", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    result = run(args.budget, args.seed, args.orders)
    print(f"YRD {result['orders']} orders, budget {args.budget:g} s: routed {result['routed']} "
          f"on {result['vehicles']} vehicles, {result['distance_km']} km, "
          f"¥{result['cost_yuan']}, unassigned {result['unassigned']} "
          f"{result['unassigned_by_reason']}, feasible {result['feasible']} "
          f"(solve {result['solve_s']} s, build {result['build_s']} s)")
    finish("yrd", result, GOALS, WATCH)


if __name__ == "__main__":
    main()

"""The dispatch-planning problem and its plan: what the planner reads and what it returns.

Units, all exact: times are whole seconds from the plan's epoch (the platform uses midnight,
China time, of the dispatch day), distances whole metres, weights whole kg, pallet places as
`Fraction`s (a 120 kg order of a product stacked 480 kg to a pallet takes 1/4), money in fen.
Travel comes from a `travel.Matrix` over `Problem.points`; depots and orders name their point by
index, so several orders may share a buyer site.

Compartments: each compartment of a vehicle has a *kind* (a name such as "chilled-veg") and the
temperature range it holds; every compartment of one kind, on any vehicle, holds the same range.
Before routing, every product in the day's orders is stowed in one kind (`stow`): the kind's
range must overlap the product's storage range and the product must be compatible
(`produce.compatible`: temperature, humidity, ethylene) with every product already stowed there.
Of the kinds that can take it, a product goes to the one whose range sits best in its own (the
range's middle nearest the product's range), then to one whose name says what it is for
("chilled-fruit" for an apple, "chilled-veg" for spinach; `KIND_WORDS`), then in fleet order.
This fixed assignment is the usual multi-compartment VRP model; it is what lets a route's load be
checked per kind as plain sums, and it keeps apples away from lettuce by construction. A vehicle
with no compartment of a product's kind cannot carry that product.

Runs are open-ended: a driver's shift covers leaving the cold store to leaving the last stop
(Fuyang to Shanghai alone is about 11 hours with the legal rests); the empty drive home, after
the rest, is costed per km but belongs to the next shift.

Drivers: a vehicle type may name its `driver`. Vehicles with the same driver are one person's,
who drives one at a time: a run occupies its driver from leaving the cold store until back
there (`Route.return_s`) plus `Problem.rest_between_runs_s`, and no two runs of one driver may
overlap. With `Problem.drivers_required` (the platform's fleet) a vehicle with no driver is not
used; without it (the benchmarks) every vehicle has its own crew. Vehicles left in the yard are
listed in `Plan.idle` with the reason.

Legal rests (20 minutes after 4 hours at the wheel) count driving across the legs of a run when
the matrix carries the wheel time (`travel.Matrix.driving`); each `Stop` says how many rests
fell on the way to it, and a stop of 20 minutes or more counts as one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction

from freshcircle.logistics.produce import Produce, compatible
from freshcircle.logistics.travel import Matrix

HOUR = 3600
DAY = 24 * HOUR

# Why an order is not in the plan (`Unassigned.code`); `Unassigned.detail` says the specifics.
NO_COMPARTMENT = "no_compartment"  # no compartment kind can hold one of its products
TOO_BIG = "too_big"  # more than any one vehicle carries in some compartment kind
SHELF_LIFE = "shelf_life"  # even driven straight there, it arrives with too little life left
WINDOW = "window"  # even driven straight there, it arrives after receiving closes
SHIFT = "shift"  # a round trip to it alone does not fit a shift or the depot's hours
FLEET = "fleet"  # feasible alone, but the fleet had no room or time left for it
REASONS = (NO_COMPARTMENT, TOO_BIG, SHELF_LIFE, WINDOW, SHIFT, FLEET)

# Why a vehicle is not in the plan (`IdleVehicle.code`).
NO_DRIVER = "no_driver"  # nobody drives it
DRIVER_BUSY = "driver_busy"  # its driver drives another of the day's runs then
IDLE_REASONS = (NO_DRIVER, DRIVER_BUSY)
# The legal rest (道路交通安全法实施条例 第62条: after 4 hours at the wheel, at least 20
# minutes) is the least a driver stands between coming back and the next run.
REST_BETWEEN_RUNS_S = 20 * 60


@dataclass(frozen=True)
class Compartment:
    kind: str
    min_c: float
    max_c: float
    capacity_kg: int
    capacity_pallets: int


@dataclass(frozen=True)
class VehicleType:
    """`count` identical vehicles based at `depot` (an index into `Problem.depots`)."""

    key: str
    compartments: tuple[Compartment, ...]
    count: int = 1
    depot: int = 0
    fixed_cost_fen: int = 0
    fen_per_km: int = 0
    shift_s: int = 12 * HOUR
    name: str = ""
    driver: str | None = None  # who drives it (see the module's note on drivers)

    def capacity(self, kind: str) -> tuple[int, int]:
        """(kg, pallet places) over this vehicle's compartments of `kind`."""
        held = [c for c in self.compartments if c.kind == kind]
        return sum(c.capacity_kg for c in held), sum(c.capacity_pallets for c in held)


@dataclass(frozen=True)
class Item:
    """One lot's goods in an order. `expires_s`: when its predicted life runs out (None: not
    known, no deadline from it)."""

    product: Produce
    kg: int
    pallets: Fraction
    lot: str
    expires_s: int | None = None


@dataclass(frozen=True)
class Order:
    """Goods for one buyer site, received within `window` (earliest, latest arrival)."""

    key: str
    point: int
    items: tuple[Item, ...]
    window: tuple[int, int]
    service_s: int = 15 * 60
    min_remaining_life_s: int = 0

    @property
    def shelf_deadline_s(self) -> int | None:
        """The latest arrival that still leaves the buyer's minimum remaining life."""
        ends = [i.expires_s - self.min_remaining_life_s for i in self.items
                if i.expires_s is not None]
        return min(ends) if ends else None

    @property
    def latest_arrival_s(self) -> int:
        deadline = self.shelf_deadline_s
        return self.window[1] if deadline is None else min(self.window[1], deadline)


@dataclass(frozen=True)
class Depot:
    """A cold store; trucks leave it between `opens_s` and `closes_s`."""

    key: str
    point: int
    opens_s: int
    closes_s: int


@dataclass(frozen=True)
class Problem:
    depots: tuple[Depot, ...]
    vehicle_types: tuple[VehicleType, ...]
    orders: tuple[Order, ...]
    matrix: Matrix
    # The freshness term: fen per hour a vehicle is out, for the ageing of what it carries.
    fen_per_hour_out: int = 0
    drivers_required: bool = False  # a vehicle with no driver stays in the yard
    rest_between_runs_s: int = REST_BETWEEN_RUNS_S

    def kinds(self) -> tuple[Compartment, ...]:
        """One compartment per kind (its range), in fleet order."""
        seen: dict[str, Compartment] = {}
        for vt in self.vehicle_types:
            for c in vt.compartments:
                seen.setdefault(c.kind, c)
        return tuple(seen.values())


@dataclass(frozen=True)
class Stowage:
    """Product key to compartment kind; `refused` says why a product has no kind."""

    kind_of: dict[str, str]
    refused: dict[str, str] = field(default_factory=dict)


def _overlaps(product: Produce, c: Compartment) -> bool:
    return max(product.temp_min_c, c.min_c) <= min(product.temp_max_c, c.max_c)


# Words in a compartment kind's name and the produce categories they are meant for.
KIND_WORDS: dict[str, frozenset[str]] = {
    "fruit": frozenset({"pome_fruit", "stone_fruit", "berry_fruit", "melon"}),
    "veg": frozenset({"leafy_vegetable", "root_vegetable", "fruit_vegetable", "brassica",
                      "allium", "fungus"}),
    "meat": frozenset({"meat"}),
    "fish": frozenset({"fish"}),
    "egg": frozenset({"animal_product"}),
}
KIND_WORDS["vegetable"] = KIND_WORDS["veg"]
KIND_WORDS["eggs"] = KIND_WORDS["egg"]


def _name_fit(product: Produce, kind: str) -> int:
    """0: the kind's name is meant for the product's category, 1: it names no category,
    2: it names another one."""
    meant = [KIND_WORDS[w] for w in kind.lower().replace("_", "-").split("-") if w in KIND_WORDS]
    if not meant:
        return 1
    return 0 if any(product.category in m for m in meant) else 2


def _fit(product: Produce, c: Compartment) -> tuple[float, int]:
    """How well compartment kind `c` suits `product` (lower is better): how far the middle of
    the kind's range lies outside the product's range, then what the kind's name is for."""
    middle = (c.min_c + c.max_c) / 2
    off = max(product.temp_min_c - middle, middle - product.temp_max_c, 0.0)
    return off, _name_fit(product, c.kind)


def stow(kinds: Iterable[Compartment], orders: Iterable[Order]) -> Stowage:
    """Put every product of `orders` in one compartment kind, greedily and deterministically.

    Products go in order of total weight (heaviest first, then by key), each to the best kind
    (`_fit`, then fleet order) whose range overlaps its own and whose products so far are all
    compatible with it.
    """
    kinds = tuple(kinds)
    weight: dict[str, int] = {}
    products: dict[str, Produce] = {}
    for order in orders:
        for item in order.items:
            products[item.product.key] = item.product
            weight[item.product.key] = weight.get(item.product.key, 0) + item.kg
    inside: dict[str, list[Produce]] = {k.kind: [] for k in kinds}
    kind_of: dict[str, str] = {}
    refused: dict[str, str] = {}
    for key in sorted(products, key=lambda k: (-weight[k], k)):
        product = products[key]
        why: list[str] = []
        usable = sorted((k for k in kinds if _overlaps(product, k)),
                        key=lambda k: _fit(product, k))  # stable: fleet order breaks ties
        for kind in usable:
            clashes = [r for other in inside[kind.kind]
                       for r in compatible(product, other).reasons]
            if clashes:
                why.append(f"{kind.kind}: {'; '.join(clashes)}")
                continue
            inside[kind.kind].append(product)
            kind_of[key] = kind.kind
            break
        else:
            if why:
                refused[key] = " / ".join(why)
            else:
                refused[key] = (f"no compartment holds {product.temp_min_c:g} to "
                                f"{product.temp_max_c:g} °C")
    return Stowage(kind_of, refused)


def order_load(order: Order, stowage: Stowage) -> dict[str, tuple[int, Fraction]]:
    """(kg, pallets) per compartment kind of one order (stowed products only)."""
    load: dict[str, tuple[int, Fraction]] = {}
    for item in order.items:
        kind = stowage.kind_of.get(item.product.key)
        if kind is None:
            continue
        kg, pallets = load.get(kind, (0, Fraction(0)))
        load[kind] = (kg + item.kg, pallets + item.pallets)
    return load


@dataclass(frozen=True)
class Stop:
    order: str
    arrival_s: int
    start_s: int  # service starts: the arrival, or receiving opening if it arrived early
    leave_s: int
    rests: int = 0  # legal 20-minute rests on the way here (`travel.drive`)


@dataclass(frozen=True)
class Route:
    vehicle_type: int
    stops: tuple[Stop, ...]
    departure_s: int
    finish_s: int  # leaves the last stop: the end of the delivery run and of the shift
    return_s: int  # back at the cold store (the drive home is costed, not in the shift)
    distance_m: int  # including the drive home

    @property
    def order_keys(self) -> tuple[str, ...]:
        return tuple(s.order for s in self.stops)


@dataclass(frozen=True)
class Unassigned:
    order: str
    code: str  # one of REASONS
    detail: str


@dataclass(frozen=True)
class IdleVehicle:
    vehicle_type: int
    code: str  # one of IDLE_REASONS
    detail: str


@dataclass(frozen=True)
class Plan:
    routes: tuple[Route, ...]
    unassigned: tuple[Unassigned, ...]
    stowage: Stowage
    cost_fen: int = 0
    solver_s: float = 0.0
    idle: tuple[IdleVehicle, ...] = ()

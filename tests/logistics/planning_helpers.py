"""A small YRD dispatch day for the planner tests: Fuyang cold store, buyers in the big cities."""

from __future__ import annotations

from fractions import Fraction

from freshcircle.logistics import planning as p
from freshcircle.logistics.produce import by_name
from freshcircle.logistics.travel import EstimateProvider, Point

H = p.HOUR
PLACES = {
    "fuyang": Point(32.9, 115.82),
    "shanghai": Point(31.38, 121.27),
    "hangzhou": Point(30.42, 120.3),
    "nanjing": Point(32.07, 118.78),
    "hefei": Point(31.8, 117.3),
    "suzhou": Point(31.3, 120.58),
    "bengbu": Point(32.92, 117.38),
}
NAMES = list(PLACES)
CHILLED_VEG = p.Compartment("chilled-veg", 0, 4, 8000, 12)
CHILLED_FRUIT = p.Compartment("chilled-fruit", 0, 4, 4000, 6)
COOL = p.Compartment("cool", 8, 15, 5000, 8)


def truck(key: str = "two-temp", count: int = 2, shift_h: int = 14,
          compartments: tuple[p.Compartment, ...] = (CHILLED_VEG, COOL)) -> p.VehicleType:
    return p.VehicleType(key, compartments, count=count, fixed_cost_fen=80_000,
                         fen_per_km=450, shift_s=shift_h * H)


def item(name: str, kg: int, lot: str = "", expires_h: float | None = None) -> p.Item:
    return p.Item(by_name(name), kg, Fraction(kg, 500), lot or f"LOT-{name[:4]}",
                  None if expires_h is None else int(expires_h * H))


def order(key: str, city: str, *items: p.Item, window_h: tuple[float, float] = (22, 34),
          min_life_h: float = 0) -> p.Order:
    return p.Order(key, NAMES.index(city), tuple(items),
                   (int(window_h[0] * H), int(window_h[1] * H)),
                   min_remaining_life_s=int(min_life_h * H))


def problem(orders: list[p.Order], fleet: list[p.VehicleType] | None = None,
            depot_hours: tuple[float, float] = (18, 44)) -> p.Problem:
    """Depot Fuyang open from 18:00 on the dispatch day to 20:00 the next day."""
    matrix = EstimateProvider().matrix(list(PLACES.values()))
    depot = p.Depot("fuyang-cold-store", 0, int(depot_hours[0] * H), int(depot_hours[1] * H))
    return p.Problem((depot,), tuple(fleet or [truck()]), tuple(orders), matrix,
                     fen_per_hour_out=2000)

"""FEFO by predicted life: the shortest-lived lot goes to the nearest buyer."""

from __future__ import annotations

from collections import Counter

from freshcircle.logistics.allocation import Demand, Supply, allocate

H = 3600


def demand(line: str, grams: int, drive_h: float, lot: str, min_life_h: float = 0,
           product: str = "spinach") -> Demand:
    return Demand(line, f"order-{line}", product, grams, int(drive_h * H),
                  int((18 + drive_h) * H), int(min_life_h * H), lot)


def by_line(allocation) -> dict[str, list[tuple[str, int]]]:
    out: dict[str, list[tuple[str, int]]] = {}
    for piece in allocation.pieces:
        out.setdefault(piece.line, []).append((piece.lot, piece.grams))
    return out


def test_shortest_life_goes_to_the_nearest_buyer():
    # The Shanghai buyer bought the short-lived lot, the Bengbu buyer the long-lived one.
    demands = [demand("shanghai", 100_000, 11, "SHORT"), demand("bengbu", 100_000, 2, "LONG")]
    supplies = [Supply("SHORT", "spinach", 100_000, 30 * H),
                Supply("LONG", "spinach", 100_000, 200 * H)]
    result = by_line(allocate(demands, supplies))
    assert result == {"bengbu": [("SHORT", 100_000)], "shanghai": [("LONG", 100_000)]}


def test_grams_per_lot_are_conserved_and_lines_split_across_lots():
    demands = [demand("a", 70_000, 1, "X"), demand("b", 50_000, 3, "Y"),
               demand("c", 30_000, 5, "Y")]
    supplies = [Supply("X", "spinach", 70_000, 100 * H), Supply("Y", "spinach", 80_000, 50 * H)]
    allocation = allocate(demands, supplies)
    per_lot = Counter()
    for piece in allocation.pieces:
        per_lot[piece.lot] += piece.grams
    assert per_lot == {"X": 70_000, "Y": 80_000}
    assert by_line(allocation)["a"] == [("Y", 70_000)]
    assert by_line(allocation)["b"] == [("Y", 10_000), ("X", 40_000)]


def test_predicted_life_not_harvest_date_decides():
    # No harvest dates at all: only expiry counts; unknown expiry sorts last.
    demands = [demand("near", 10, 1, "UNKNOWN"), demand("far", 10, 9, "KNOWN")]
    supplies = [Supply("UNKNOWN", "spinach", 10, None), Supply("KNOWN", "spinach", 10, 60 * H)]
    assert by_line(allocate(demands, supplies))["near"] == [("KNOWN", 10)]


def test_a_broken_buyer_minimum_keeps_what_buyers_bought():
    # FEFO would give the near buyer a lot with 3 h left; they need 12 h.
    demands = [demand("near", 10, 1, "LONG", min_life_h=12), demand("far", 10, 9, "SHORT")]
    supplies = [Supply("SHORT", "spinach", 10, 22 * H), Supply("LONG", "spinach", 10, 300 * H)]
    allocation = allocate(demands, supplies)
    assert allocation.kept == ("spinach",)
    assert by_line(allocation) == {"near": [("LONG", 10)], "far": [("SHORT", 10)]}


def test_products_are_allocated_separately():
    demands = [demand("a", 10, 1, "S1"), demand("b", 10, 1, "C1", product="cucumber")]
    supplies = [Supply("S1", "spinach", 10, 10 * H), Supply("C1", "cucumber", 10, 5 * H)]
    assert by_line(allocate(demands, supplies)) == {"a": [("S1", 10)], "b": [("C1", 10)]}

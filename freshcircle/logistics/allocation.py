"""Which lot fills which order: first-expired-first-out by predicted life, nearest buyer first.

When several lots of one product can fill the day's orders, the lot with the least predicted
remaining shelf life goes to the nearest buyer (the shortest drive, so it arrives soonest and
loses least on the road), and the longest-lived lots go furthest. It is FEFO by *predicted*
life from the temperature history, not by harvest date: a lot harvested later but held warm
may be the one to sell first.

Per product: orders are taken by drive time (then order and line), lots by expiry (then lot
code), and each order takes its grams from the earliest-expiring lots left. Grams are conserved
per lot: the platform only re-cuts the day's orders among the lots already set aside for them,
so stock stays right. If that would send some buyer a lot with less than their minimum
remaining life on arrival, the product keeps the lots its buyers bought (`kept` names it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Demand:
    """One order line: `grams` of `product` for an order `drive_s` seconds from the store,
    arriving at about `arrival_s`, whose buyer wants `min_life_s` left on arrival."""

    line: str
    order: str
    product: str
    grams: int
    drive_s: int
    arrival_s: int
    min_life_s: int = 0
    original_lot: str = ""


@dataclass(frozen=True)
class Supply:
    lot: str
    product: str
    grams: int
    expires_s: int | None  # None: no prediction (no Q10), sorted last


@dataclass(frozen=True)
class Piece:
    line: str
    lot: str
    grams: int


@dataclass(frozen=True)
class Allocation:
    pieces: tuple[Piece, ...]
    kept: tuple[str, ...]  # products left on their original lots (FEFO would break a minimum)


def allocate(demands: Iterable[Demand], supplies: Iterable[Supply]) -> Allocation:
    by_product: dict[str, list[Supply]] = {}
    for s in supplies:
        by_product.setdefault(s.product, []).append(s)
    wanted: dict[str, list[Demand]] = {}
    for d in demands:
        wanted.setdefault(d.product, []).append(d)
    pieces: list[Piece] = []
    kept: list[str] = []
    for product in sorted(wanted):
        group = sorted(wanted[product], key=lambda d: (d.drive_s, d.order, d.line))
        lots = sorted(by_product.get(product, []),
                      key=lambda s: (s.expires_s is None, s.expires_s or 0, s.lot))
        fefo = _greedy(group, lots)
        if fefo is None:
            kept.append(product)
            pieces += [Piece(d.line, d.original_lot, d.grams) for d in group]
        else:
            pieces += fefo
    return Allocation(tuple(pieces), tuple(kept))


def _greedy(demands: list[Demand], lots: list[Supply]) -> list[Piece] | None:
    """Nearest first from the earliest-expiring lot; None if a buyer's minimum breaks or the
    lots do not cover the demand."""
    left = {s.lot: s.grams for s in lots}
    expiry = {s.lot: s.expires_s for s in lots}
    pieces: list[Piece] = []
    i = 0
    for d in demands:
        need = d.grams
        while need:
            if i == len(lots):
                return None
            lot = lots[i].lot
            take = min(need, left[lot])
            if take:
                expires = expiry[lot]
                if expires is not None and expires - d.arrival_s < d.min_life_s:
                    return None
                pieces.append(Piece(d.line, lot, take))
                left[lot] -= take
                need -= take
            if not left[lot]:
                i += 1
    return pieces

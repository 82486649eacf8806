"""Shelf life from a temperature history: Q10 life use, mean kinetic temperature, excursions, gaps.

A history is a sequence of `(datetime, °C)` readings in time order (equal timestamps allowed).
Every function here reads it the same way: a reading holds until the next reading's timestamp,
and the last reading closes the history and carries no duration of its own. Twenty hours at
2 °C then three at 10 °C is therefore three readings: 2 °C at t, 10 °C at t+20 h, anything at
t+23 h. Missing data is never smoothed over: `gaps` reports it, and `life_used` charges a gap
at no better than the warm end of the product's range (see there).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Literal

from .produce import Produce

Reading = tuple[datetime, float]

DELTA_H_OVER_R_K = 10_000.0  # activation energy over the gas constant for MKT (ΔH ≈ 83.144 kJ/mol)
ABSOLUTE_ZERO_C = -273.15


@dataclass(frozen=True)
class Excursion:
    """A spell outside a range: from the first reading outside to the first reading back inside
    (or the end of the history), with the most extreme reading of the spell."""

    start: datetime
    end: datetime
    side: Literal["above", "below"]
    extreme_c: float

    @property
    def duration(self) -> timedelta:
        return self.end - self.start


@dataclass(frozen=True)
class Injury:
    """Time a chilling-sensitive product spent below its minimum temperature."""

    start: datetime
    end: datetime
    lowest_c: float
    minimum_c: float

    @property
    def duration(self) -> timedelta:
        return self.end - self.start


@dataclass(frozen=True)
class Gap:
    """Two consecutive readings further apart than the logger interval allows: no data between."""

    start: datetime
    end: datetime

    @property
    def duration(self) -> timedelta:
        return self.end - self.start


@dataclass(frozen=True)
class RemainingLife:
    """What a temperature history left of a product's shelf life.

    `used` and `remaining` are durations at the product's reference temperature
    (`Produce.reference_temp_c`); `fraction` is `remaining` over the nominal storage life.
    A non-empty `injuries` means chilling injury: the product may be unsaleable whatever
    `fraction` says. A non-empty `gaps` means the history is incomplete.
    """

    product: Produce
    start_life: timedelta
    used: timedelta
    remaining: timedelta
    fraction: float
    expired: bool
    injuries: list[Injury] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)

    def remaining_at(self, temp_c: float) -> timedelta:
        """How long the rest of the life lasts if held at `temp_c` from now."""
        return self.remaining / relative_rate(self.product, temp_c)


def _checked(readings: Sequence[Reading]) -> Sequence[Reading]:
    for (t0, _), (t1, _) in pairwise(readings):
        if t1 < t0:
            raise ValueError(f"readings out of time order: {t1.isoformat()} after {t0.isoformat()}")
    return readings


def combined(series: Iterable[Sequence[Reading]], stale: timedelta,
             pick: Callable[[Iterable[float]], float] = max) -> list[Reading]:
    """Several loggers' histories as one: at every reading of any logger, `pick` (the warmest
    by default, `min` for the coldest) of each logger's latest reading no older than `stale`.

    Two loggers in one truck are two views of one load; its goods age as fast as the warmest
    corner (and chill as hard as the coldest), which a plain merge in time order would average
    away. With one logger this is its history.
    """
    events = sorted((at, n, celsius) for n, readings in enumerate(series)
                    for at, celsius in _checked(readings))
    latest: dict[int, Reading] = {}
    out: list[Reading] = []
    for at, n, celsius in events:
        latest[n] = (at, celsius)
        out.append((at, pick(c for t, c in latest.values() if at - t <= stale)))
    return out


def _intervals(readings: Sequence[Reading]) -> list[tuple[Reading, Reading]]:
    readings = _checked(readings)
    return list(pairwise(readings))


def mean_kinetic_temperature(
    readings: Sequence[Reading], delta_h_over_r: float = DELTA_H_OVER_R_K
) -> float:
    """Mean kinetic temperature in °C of a time-weighted history (ΔH/R = 10,000 K by default).

    MKT = (ΔH/R) / -ln(Σ Δtᵢ·exp(-(ΔH/R)/Tᵢ) / Σ Δtᵢ), temperatures in kelvin, each reading
    weighted by the time until the next one (the last reading has no weight). Raises ValueError
    when the history spans no time.
    """
    weights: list[float] = []
    terms: list[float] = []
    for (t0, temp), (t1, _) in _intervals(readings):
        if temp <= ABSOLUTE_ZERO_C:
            raise ValueError(f"temperature below absolute zero: {temp} °C")
        seconds = (t1 - t0).total_seconds()
        weights.append(seconds)
        terms.append(seconds * math.exp(-delta_h_over_r / (temp - ABSOLUTE_ZERO_C)))
    total = math.fsum(weights)
    if total <= 0:
        raise ValueError("mean kinetic temperature needs readings spanning some time")
    return delta_h_over_r / -math.log(math.fsum(terms) / total) + ABSOLUTE_ZERO_C


def relative_rate(product: Produce, temp_c: float) -> float:
    """Rate of life use at `temp_c` relative to the reference: Q10^((T - T_ref)/10).

    Below the product's minimum the rate stays at the rate at the minimum: colder than the
    recommended range never buys a longer life (it injures chilling-sensitive produce and
    freezes the rest). Raises ValueError for products without a Q10 (frozen goods, eggs).
    """
    if product.q10 is None:
        raise ValueError(f"{product.name_en} has no Q10: the Q10 model does not apply")
    temp = max(temp_c, product.temp_min_c)
    return float(product.q10 ** ((temp - product.reference_temp_c) / 10))


def life_used(
    readings: Sequence[Reading], product: Produce, max_interval: timedelta | None = None
) -> timedelta:
    """Shelf life a history used, as time at the product's reference temperature.

    Each interval at T uses Δt × Q10^((T - T_ref)/10). With `max_interval`, an interval longer
    than that is a gap and is charged at the warmest of its two bounding readings and the top of
    the product's range, so a hole in the log never counts as perfect storage.
    """
    used = 0.0
    for (t0, temp), (t1, next_temp) in _intervals(readings):
        seconds = (t1 - t0).total_seconds()
        if max_interval is not None and t1 - t0 > max_interval:
            temp = max(temp, next_temp, product.temp_max_c)
        used += seconds * relative_rate(product, temp)
    return timedelta(seconds=used)


def injuries(readings: Sequence[Reading], product: Produce) -> list[Injury]:
    """Spells below the minimum temperature of a chilling-sensitive product (none otherwise)."""
    if not product.chilling_sensitive:
        return []
    return [
        Injury(s.start, s.end, s.extreme_c, product.temp_min_c)
        for s in _spells(readings, product.temp_min_c, math.inf)
    ]


def remaining_life(
    product: Produce,
    readings: Sequence[Reading],
    start_life: timedelta | None = None,
    max_interval: timedelta | None = None,
) -> RemainingLife:
    """What is left of `start_life` (default: the nominal storage life) after `readings`.

    Gaps are reported, and charged as in `life_used`, only when `max_interval` is given.
    """
    start = product.storage_life if start_life is None else start_life
    used = life_used(readings, product, max_interval)
    remaining = max(start - used, timedelta(0))
    return RemainingLife(
        product=product,
        start_life=start,
        used=used,
        remaining=remaining,
        fraction=remaining / product.storage_life,
        expired=used >= start,
        injuries=injuries(readings, product),
        gaps=gaps(readings, max_interval) if max_interval is not None else [],
    )


def _spells(readings: Sequence[Reading], low: float, high: float) -> list[Excursion]:
    """Every spell outside [low, high], zero-length ones included."""
    spells: list[Excursion] = []
    open_side: Literal["above", "below"] | None = None
    start: datetime | None = None
    extreme = 0.0
    for when, temp in _checked(readings):
        side: Literal["above", "below"] | None = (
            "above" if temp > high else "below" if temp < low else None
        )
        if side != open_side and open_side is not None and start is not None:
            spells.append(Excursion(start, when, open_side, extreme))
        if side != open_side:
            open_side, start, extreme = side, when, temp
        elif side is not None:
            extreme = max(extreme, temp) if side == "above" else min(extreme, temp)
    if open_side is not None and start is not None:
        spells.append(Excursion(start, readings[-1][0], open_side, extreme))
    return spells


def excursions(
    readings: Sequence[Reading], low: float, high: float, min_duration: timedelta
) -> list[Excursion]:
    """Spells outside [low, high] °C lasting longer than `min_duration`, in time order.

    A spell runs from its first reading outside the range to the next reading inside it (or to
    the last reading); going straight from above to below starts a new spell.
    """
    return [s for s in _spells(readings, low, high) if s.duration > min_duration]


def gaps(readings: Sequence[Reading], max_interval: timedelta) -> list[Gap]:
    """Consecutive readings more than `max_interval` apart, reported as missing data."""
    return [Gap(t0, t1) for (t0, _), (t1, _) in _intervals(readings) if t1 - t0 > max_interval]

"""The one excursion rule every page uses: a load's spells outside its band, loggers combined.

A shipment's band is its temperature class's (chilled 0-4 °C, cool 8-15 °C, frozen at most
-18 °C): the range the carrier agreed to keep. Each logger is judged on its own with
`shelf_life.excursions` (two loggers in one truck must not average a warm corner away); a
spell must last longer than `EXCURSION_AFTER` (a door opened for loading is not an
excursion); spells of several loggers that overlap on the same side are one excursion. The
carrier's alerts, the shipper's pages and the consumer page all call `load_excursions`, so
they show the same start, end, minutes and peak.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta

from .shelf_life import Excursion, Reading, excursions

EXCURSION_AFTER = timedelta(minutes=30)
OPEN_ENDED = 1000.0  # a band with no lower (frozen) or upper bound


def band(low: float | None, high: float | None) -> tuple[float, float] | None:
    """A class's (low, high) with open ends filled in; None when it has no band (ambient)."""
    if low is None and high is None:
        return None
    return (float(low) if low is not None else -OPEN_ENDED,
            float(high) if high is not None else OPEN_ENDED)


def merged(spells: Iterable[Excursion]) -> list[Excursion]:
    """One spell per stretch of time out of the band on one side, whichever logger saw it."""
    out: list[Excursion] = []
    for spell in sorted(spells, key=lambda e: (e.side, e.start)):
        last = out[-1] if out else None
        if last is not None and last.side == spell.side and spell.start <= last.end:
            pick = max if spell.side == "above" else min
            out[-1] = Excursion(last.start, max(last.end, spell.end), spell.side,
                                pick(last.extreme_c, spell.extreme_c))
        else:
            out.append(spell)
    return sorted(out, key=lambda e: e.start)


def load_excursions(loggers: Iterable[Sequence[Reading]], low: float, high: float,
                    min_duration: timedelta = EXCURSION_AFTER) -> list[Excursion]:
    """Excursions of a load whose loggers recorded `loggers` (each in time order), in time order.

    Each logger's spells outside [low, high] longer than `min_duration`, overlapping spells of
    several loggers on one side merged (start of the first, end of the last, the extreme).
    """
    return merged(spell for series in loggers
                  for spell in excursions(series, low, high, min_duration))


def minutes(excursion: Excursion) -> int:
    """Whole minutes an excursion lasted (what every page prints)."""
    return int(excursion.duration.total_seconds() // 60)

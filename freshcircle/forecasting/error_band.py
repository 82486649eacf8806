"""The forecast's band: the spread of past errors of the same forecast, as ratios.

A past week whose corrected forecast was 10,000 斤 and whose harvest was 8,500 斤 left the
ratio 0.85. The 10th and 90th percentiles of such ratios, put on a new forecast, give the
band that would have held 80 % of past weeks. With too short a history the default band is
used, wide on purpose.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass

MIN_ERRORS = 8


@dataclass(frozen=True)
class Band:
    """Multipliers of a forecast for its low and high ends."""

    low: float
    high: float
    errors: int = 0  # how many past errors it was read from (0: the default)


DEFAULT_BAND = Band(0.6, 1.3)


def band_from_errors(pairs: Iterable[tuple[float, float]], low_q: float = 0.1,
                     high_q: float = 0.9, default: Band = DEFAULT_BAND,
                     min_errors: int = MIN_ERRORS) -> Band:
    """The band from (forecast, actual) pairs of the past: quantiles of actual / forecast.

    Pairs with no forecast say nothing about its error and are left out."""
    ratios = sorted(actual / forecast for forecast, actual in pairs if forecast > 0)
    if len(ratios) < min_errors:
        return default
    return Band(_quantile(ratios, low_q), _quantile(ratios, high_q), len(ratios))


def _quantile(ordered: list[float], q: float) -> float:
    """Linear interpolation between the closest ranks (numpy's default, `inclusive`)."""
    if len(ordered) == 1:
        return ordered[0]
    position = q * (len(ordered) - 1)
    below = math.floor(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def mean_absolute_percentage_error(pairs: Iterable[tuple[float, float]]) -> float | None:
    """MAPE of (forecast, actual) pairs over those with a harvest (actual above 0)."""
    errors = [abs(forecast - actual) / actual for forecast, actual in pairs if actual > 0]
    return statistics.fmean(errors) if errors else None

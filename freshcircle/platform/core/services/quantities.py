"""Weights: 1 斤 = 500 g exactly (mainland China); stored as integer grams."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

GRAMS_PER_UNIT = {"jin": Decimal(500), "kg": Decimal(1000), "g": Decimal(1)}
UNITS = tuple(GRAMS_PER_UNIT)


def to_grams(amount, unit: str) -> int | None:
    """Exact grams for `amount` in `unit`, or None if it is not a positive whole number of grams."""
    try:
        grams = Decimal(str(amount)) * GRAMS_PER_UNIT[unit]
    except (InvalidOperation, KeyError, ValueError):
        return None
    if not grams.is_finite() or grams <= 0 or grams != grams.to_integral_value():
        return None
    return int(grams)


def _plain(value: Decimal) -> Decimal:
    """Drop trailing zeros without turning 60 into 6E+1."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def grams_to_kg(grams: int) -> Decimal:
    return _plain(Decimal(grams) / 1000)


def grams_to_jin(grams: int) -> Decimal:
    return _plain(Decimal(grams) / 500)

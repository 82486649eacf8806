"""Money: integer fen (1 元 = 100 fen), prices in fen per 斤, amounts rounded half-up to the fen.

Chinese wholesale prices are quoted per 斤 (500 g); the price per kg is exactly twice. The
amount of a line is grams × fen-per-斤 ÷ 500, computed in Decimal and rounded once, at the end,
half-up to a whole fen, so 1.5 斤 at ¥3.33/斤 is ¥5.00 (499.5 fen → 500).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.numbers import format_currency

GRAMS_PER_JIN = 500


def fen_per_kg(fen_per_jin: int) -> int:
    return fen_per_jin * 2


def amount_fen(grams: int, fen_per_jin: int) -> int:
    """What `grams` cost at `fen_per_jin`, to the fen (half-up)."""
    exact = Decimal(grams) * Decimal(fen_per_jin) / GRAMS_PER_JIN
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def yuan_to_fen(value) -> int | None:
    """'12.5' 元 -> 1250 fen; None unless a positive amount with at most two decimals."""
    try:
        fen = Decimal(str(value)) * 100
    except (InvalidOperation, ValueError):
        return None
    if not fen.is_finite() or fen <= 0 or fen != fen.to_integral_value():
        return None
    return int(fen)


def price_to_fen_per_jin(value, unit: str) -> int | None:
    """A price typed per 斤 or per kg as fen per 斤 (a per-kg price must halve exactly)."""
    fen = yuan_to_fen(value)
    if fen is None or unit not in ("jin", "kg"):
        return None
    if unit == "kg":
        return fen // 2 if fen % 2 == 0 else None
    return fen


def fen_to_yuan(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


def format_money(fen: int, locale: str) -> str:
    """'¥1,234.50' in Chinese, 'CN¥1,234.50' in English (Babel's CLDR formats)."""
    return format_currency(fen_to_yuan(fen), "CNY", locale="zh_CN" if locale == "zh" else locale)

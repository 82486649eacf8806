"""GS1 application identifier (AI) values: dates, net weight, origin and the 82-character set.

These are the element-string rules every GS1 carrier shares (Digital Link, GS1-128, DataMatrix,
EPCIS master data), kept apart from the URI syntax in `digital_link`. Errors are
`GS1ValueError` (a `ValueError`) with a stable `code`: "empty_value", "too_long",
"bad_characters", "bad_value", "bad_date", "unknown_ai", "duplicate_ai".
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation

import pycountry

GS1_CHARSET_82 = frozenset(
    "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
)
"""GS1 AI encodable character set 82: the only characters a lot, serial or CPV may hold."""

DATE_AIS = {
    "11": "production date",
    "13": "packing date",
    "15": "best-before date",
    "16": "sell-by date",
    "17": "expiry date",
}
NET_WEIGHT_AIS = {f"310{n}": n for n in range(6)}
"""Net weight in kg: AI 310n carries 6 digits of which the last n are decimals."""
ATTRIBUTE_AIS = {
    **DATE_AIS,
    "7007": "harvest date",
    "422": "country of origin",
    **{ai: "net weight (kg)" for ai in NET_WEIGHT_AIS},
}
"""The data-attribute AIs FreshCircle reads and writes, with their names."""

_FORMATS = {ai: re.compile(r"[0-9]{6}") for ai in (*DATE_AIS, *NET_WEIGHT_AIS)}
_FORMATS |= {"7007": re.compile(r"[0-9]{6}(?:[0-9]{6})?"), "422": re.compile(r"[0-9]{3}")}


class GS1ValueError(ValueError):
    """An AI value is malformed; `code` says how, the message names the value and the rule."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def check_gs1_text(value: object, name: str, max_length: int = 20) -> str:
    """Return `value` if it is 1 to `max_length` characters of the GS1 82-character set."""
    if not isinstance(value, str):
        raise GS1ValueError("bad_value", f"{name} must be a string, not {type(value).__name__}")
    if not value:
        raise GS1ValueError("empty_value", f"{name} is empty")
    if len(value) > max_length:
        raise GS1ValueError(
            "too_long", f"{name} has {len(value)} characters; at most {max_length} are allowed"
        )
    bad = sorted(set(value) - GS1_CHARSET_82)
    if bad:
        raise GS1ValueError(
            "bad_characters",
            f"{name} contains {', '.join(map(repr, bad))}, outside the GS1 82-character set",
        )
    return value


def gs1_date(value: str, *, today: date | None = None) -> date:
    """Read a GS1 YYMMDD date; DD=00 means the last day of the month.

    The century follows the GS1 General Specifications (7.12): a year more than 50 years
    ahead of `today` (default: the current date) is in the previous century, one 50 or more
    years behind it in the next, so leap years are judged on the real year.
    """
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{6}", value):
        raise GS1ValueError("bad_value", f"date {value!r} must be 6 digits YYMMDD")
    yy, month, day = int(value[:2]), int(value[2:4]), int(value[4:])
    current = (today or date.today()).year
    diff = yy - current % 100
    century = current // 100 - (diff >= 51) + (diff <= -50)
    year = century * 100 + yy
    if not 1 <= month <= 12:
        raise GS1ValueError("bad_date", f"date {value}: month {month:02d} does not exist")
    last = calendar.monthrange(year, month)[1]
    if day > last:
        raise GS1ValueError(
            "bad_date", f"date {value}: {year}-{month:02d} has {last} days, not {day}"
        )
    return date(year, month, day or last)


def format_gs1_date(value: date, *, today: date | None = None) -> str:
    """Write a date as GS1 YYMMDD; a date that would read back in another century raises."""
    text = value.strftime("%y%m%d")
    if gs1_date(text, today=today) != value:
        raise GS1ValueError(
            "bad_date", f"{value.isoformat()} is outside the 100-year window YYMMDD can express"
        )
    return text


def format_net_weight(kg: Decimal | int | str) -> str:
    """Write a net weight in kg as the 6-digit value of AI 3103 (3 decimals: 1.25 -> 001250)."""
    try:
        grams = Decimal(str(kg)) * 1000
        exact = grams == grams.to_integral_value()
    except (InvalidOperation, ValueError):
        raise GS1ValueError("bad_value", f"net weight {kg!r} is not a number") from None
    if not exact or not 0 <= grams <= 999999:
        raise GS1ValueError(
            "bad_value", f"net weight {kg} kg must be 0 to 999.999 kg with at most 3 decimals"
        )
    return f"{int(grams):06d}"


def read_net_weight(ai: str, value: str) -> Decimal:
    """Read AI 310n's 6 digits as kg with n decimals (3103 '001250' -> Decimal('1.250'))."""
    check_attribute(ai, value)
    return Decimal(int(value)).scaleb(-NET_WEIGHT_AIS[ai])


def check_attribute(ai: str, value: object) -> str:
    """Return `value` if it is well formed for attribute AI `ai` (one of ATTRIBUTE_AIS).

    Dates must exist (no month 13, no 30 February); day 00 (the month's last day) is for
    AIs 11-17 only, as in GS1's syntax dictionary, and a 7007 range must not end before it
    starts. AI 422 must name a country (ISO 3166-1 numeric, from pycountry's table).
    An AI outside ATTRIBUTE_AIS raises GS1ValueError("unknown_ai").
    """
    if ai not in ATTRIBUTE_AIS:
        raise GS1ValueError("unknown_ai", f"AI {ai} is not a known attribute")
    name = f"AI {ai} ({ATTRIBUTE_AIS[ai]})"
    if not isinstance(value, str) or not value:
        raise GS1ValueError("empty_value", f"{name} has an empty value")
    if not _FORMATS[ai].fullmatch(value):
        raise GS1ValueError("bad_value", f"{name} has value {value!r} of the wrong format")
    if ai in DATE_AIS or ai == "7007":
        days = [value[i : i + 6] for i in range(0, len(value), 6)]
        if ai == "7007" and any(day.endswith("00") for day in days):
            raise GS1ValueError(
                "bad_date", f"{name}: {value} has day 00, which only AIs 11-17 allow")
        try:
            dates = [gs1_date(day) for day in days]
        except GS1ValueError as exc:
            raise GS1ValueError(exc.code, f"{name}: {exc}") from None
        if dates != sorted(dates):
            raise GS1ValueError("bad_date", f"{name} range {value} ends before it starts")
    if ai == "422" and pycountry.countries.get(numeric=value) is None:
        raise GS1ValueError(
            "bad_value", f"{name} {value} is not an ISO 3166-1 numeric country code")
    return value


def check_attributes(attributes: Mapping[str, str]) -> None:
    """Check every (AI, value) pair with check_attribute, and that only one 310n is given."""
    for ai, value in attributes.items():
        check_attribute(ai, value)
    weights = [ai for ai in attributes if ai in NET_WEIGHT_AIS]
    if len(weights) > 1:
        raise GS1ValueError(
            "duplicate_ai", f"net weight is given twice (AIs {' and '.join(weights)})"
        )

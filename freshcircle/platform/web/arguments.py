"""Bounds every API argument and every page URL shares, checked before any schema or service
sees the value, so no number, id or date can reach the database outside what it stores.

- `<int:...>` in any URL is at most 2^63-1 (SQLite's and PostgreSQL's largest integer); a
  larger id matches no route, so the answer is 404, never an OverflowError.
- Every API schema's fields, however the schema was written: integers within PostgreSQL's
  `integer` (every id and count column), decimals and floats within ±10^9 (no quantity,
  price or freight comes near; grams and fen computed from them stay within `bigint`), dates
  and times between 1900 and 2100. Out of bounds is a 422 naming the field and the bounds.

Rules that depend on what a date means (a harvest not before 2000, not in the future) live in
the services, so pages and API share them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

import marshmallow as ma
from flask_babel import lazy_gettext as _l
from marshmallow import fields
from webargs.flaskparser import FlaskParser
from werkzeug.routing import IntegerConverter

MAX_INTEGER = 2**31 - 1  # PostgreSQL `integer`: every id, count and fen column
MAX_DECIMAL = Decimal(10) ** 9
FIRST_DATE = dt.date(1900, 1, 1)
LAST_DATE = dt.date(2100, 12, 31)


def up_to(limit: int) -> str:
    """A regular expression for the decimal numbers 0..`limit` (leading zeros allowed): the
    shorter numbers, then at each digit of `limit` a smaller digit and any tail, then `limit`."""
    digits = str(limit)
    parts = [rf"\d{{1,{len(digits) - 1}}}"] if len(digits) > 1 else []
    for i, digit in enumerate(digits):
        low = 1 if i == 0 and len(digits) > 1 else 0
        if int(digit) - 1 >= low:
            rest = len(digits) - i - 1
            tail = rf"\d{{{rest}}}" if rest else ""
            parts.append(f"{digits[:i]}[{low}-{int(digit) - 1}]{tail}")
    parts.append(digits)
    return "0*(?:" + "|".join(parts) + ")"


class BoundedIntegerConverter(IntegerConverter):
    """Werkzeug's `int` converter within PostgreSQL's `integer`, the type of every id column:
    `/batches/2147483648` (or 9223372036854775808) is a 404, not an out-of-range 500.

    The bound is in the pattern itself: a value the converter refused after matching would
    make Werkzeug answer 405 where another method shares the path.
    """

    regex = up_to(MAX_INTEGER)

    def __init__(self, url_map, fixed_digits=0, min=None, max=MAX_INTEGER,  # noqa: A002
                 signed=False):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def _number_error(value, low, high):
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip()) if isinstance(value, str) else Decimal(value)
    except (InvalidOperation, ValueError, TypeError):
        return None  # not a number at all: the field itself says so
    if number.is_finite() and low <= number <= high:
        return None
    return _l("Must be between %(min)s and %(max)s.", min=low, max=high)


def _date_error(value, field):
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        year = int(text[:text.index("-", 1)]) if "-" in text[1:] else None
    except ValueError:
        return None
    if year is None or FIRST_DATE.year <= year <= LAST_DATE.year:
        return None
    if isinstance(field, fields.DateTime):
        return _l("Must be a time between %(first)s and %(last)s.", first=FIRST_DATE.year,
                  last=LAST_DATE.year)
    return _l("Must be a date between %(first)s and %(last)s.", first=FIRST_DATE.isoformat(),
              last=LAST_DATE.isoformat())


def _value_error(field: fields.Field, value):
    """The message for one value of a field out of its platform-wide bounds, or None."""
    if isinstance(field, fields.Integer):
        return _number_error(value, -MAX_INTEGER, MAX_INTEGER)
    if isinstance(field, fields.Number):  # Decimal, Float
        return _number_error(value, -MAX_DECIMAL, MAX_DECIMAL)
    if isinstance(field, fields.Date | fields.DateTime):
        return _date_error(value, field)
    return None


def _inner(field: fields.Field) -> fields.Field | None:
    return field.inner if isinstance(field, fields.List) else None


def out_of_bounds(schema: ma.Schema, data) -> dict:
    """Errors (marshmallow's nested shape) for the values of `data` outside the bounds above."""
    if not isinstance(data, Mapping):
        return {}
    by_key = {(f.data_key or name): f for name, f in schema.fields.items() if not f.dump_only}
    errors: dict = {}
    getlist = getattr(data, "getlist", None)
    for key in list(data.keys()):
        field = by_key.get(key)
        if field is None:
            continue
        values = getlist(key) if getlist is not None else [data[key]]
        for value in values:
            error = _field_errors(field, value)
            if error:
                errors[key] = error
                break
    return errors


def _field_errors(field: fields.Field, value):
    if isinstance(field, fields.Nested) and isinstance(field.schema, ma.Schema):
        if isinstance(value, list) and field.many:
            nested = {i: e for i, item in enumerate(value)
                      if (e := out_of_bounds(field.schema, item))}
            return nested or None
        return out_of_bounds(field.schema, value) or None
    inner = _inner(field)
    if inner is not None:
        if not isinstance(value, list):
            value = [value]  # a query string's repeated key arrives one value at a time
        nested = {i: e for i, item in enumerate(value) if (e := _field_errors(inner, item))}
        return nested or None
    message = _value_error(field, value)
    return [message] if message else None


class BoundedParser(FlaskParser):
    """webargs' Flask parser, refusing out-of-bounds values before the schema loads them."""

    def pre_load(self, location_data, *, schema, req, location):
        errors = out_of_bounds(schema, location_data)
        if errors:
            raise ma.ValidationError(errors)
        return location_data

"""Reading the values of EPCIS query parameters (lists, one value, times, counts, numbers), and
the problem a value that cannot be read is: QueryParameterException (the REST binding's 400).

Shared by the query's modules (`epcis_query`, `epcis_sensor_query`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence

from flask_babel import lazy_gettext as _l

from freshcircle.platform.core.services.errors import DomainError

Args = Mapping[str, Sequence[str]]


class QueryParameterException(DomainError):
    """A query parameter this server does not support, or a value it cannot read (400, the
    REST binding's RFC 7807 problem); `errors` names each parameter."""

    status_code = 400
    default_message = _l("A query parameter is not supported or its value cannot be read.")


def values_of(args: Args, name: str) -> list[str]:
    """A parameter's values: pipe-delimited (the binding's OpenAPI), comma-separated, or the
    parameter repeated. A value holding a pipe is split at pipes only, so a value with a comma
    in it (`geo:42.69,23.31`) is sent pipe-delimited (`geo:42.69,23.31|`)."""
    return [part.strip() for value in args[name]
            for part in value.split("|" if "|" in value else ",") if part.strip()]


def one_of(args: Args, name: str) -> str:
    """The parameter's one value (QueryParameterException for none or several)."""
    values = args[name]
    if len(values) != 1 or not values[0].strip():
        raise QueryParameterException(errors={name: [_l("Give this parameter one value.")]})
    return values[0].strip()


def time_of(name: str, text: str) -> dt.datetime:
    """A date-time with a time zone, in UTC."""
    try:  # '+' of an unencoded offset arrives as a space
        moment = dt.datetime.fromisoformat(text.replace(" ", "+").replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise QueryParameterException(errors={name: [
            _l("Use a date-time with a time zone (2026-11-26T08:00:00+08:00).")]})
    return moment.astimezone(dt.UTC)


def count_of(name: str, text: str, low: int, high: int | None = None) -> int:
    """A whole number from `low` to `high` (no upper bound when None)."""
    try:
        number = int(text)
    except ValueError:
        number = None
    if number is None or number < low or (high is not None and number > high):
        raise QueryParameterException(errors={name: [
            _l("Use a whole number from %(low)s to %(high)s.", low=low, high=high or "∞")]})
    return number


def number_of(name: str, text: str) -> float:
    """A decimal number (`12.5`, `-3`, `1e3`)."""
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise QueryParameterException(errors={name: [_l("Use a number (12.5).")]})
    return number

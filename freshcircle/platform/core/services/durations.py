"""Spans of time as people say them, in the reader's language (pages and printed documents)."""

from __future__ import annotations

from babel.numbers import format_decimal
from flask_babel import get_locale
from flask_babel import gettext as _


def hours_as_days(hours) -> str:
    """A span given in hours, as people say it: '56 天 19 小时', '19 小时' (whole hours)."""
    whole = max(round(float(hours)), 0)
    days, rest = divmod(whole, 24)
    if not days:
        return _("%(h)s h", h=rest)
    day_text = format_decimal(days, locale=str(get_locale()))
    if not rest:
        return _("%(d)s d", d=day_text)
    return _("%(d)s d %(h)s h", d=day_text, h=rest)

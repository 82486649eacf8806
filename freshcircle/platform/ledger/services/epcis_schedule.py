"""EPCIS query schedules (the REST binding's `schedule` of a subscription, cron-like).

Fields `second`, `minute`, `hour`, `dayOfMonth`, `month`, `dayOfWeek` (1 Monday .. 7 Sunday),
each a string: a number, a range (`1-5` or `[1-5]`), or a comma-separated list of them; an
omitted field matches every value, as the standard says. Times are China time (the platform's
clock). Runs are found to the minute: `flask deliver-epcis-subscriptions` runs once a minute,
so `second` is checked but a matching minute runs once.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l

from freshcircle.platform.core.services.clock import CHINA
from freshcircle.platform.core.services.errors import InvalidInput

FIELDS = {"second": (0, 59), "minute": (0, 59), "hour": (0, 23), "dayOfMonth": (1, 31),
          "month": (1, 12), "dayOfWeek": (1, 7)}
_PART = re.compile(r"^\[?(\d{1,2})(?:-(\d{1,2}))?\]?$")
HORIZON_DAYS = 366 * 8  # 29 February on a Monday comes back within 28 years; 8 is plenty


def _values(name: str, text: Any) -> set[int]:
    low, high = FIELDS[name]
    if isinstance(text, int) and not isinstance(text, bool):
        text = str(text)
    values: set[int] = set()
    for part in (text.split(",") if isinstance(text, str) else [None]):
        found = _PART.match(part.strip()) if part is not None else None
        if found is None:
            raise InvalidInput.field(f"schedule.{name}", _l(
                "Use a number, a range such as 1-5, or a list of them separated by commas."))
        start, end = int(found[1]), int(found[2] or found[1])
        if not low <= start <= end <= high:
            raise InvalidInput.field(f"schedule.{name}", _l(
                "Use values from %(low)s to %(high)s.", low=low, high=high))
        values.update(range(start, end + 1))
    return values


def parse_schedule(schedule: Any) -> dict[str, set[int]]:
    """Each field's allowed values (every value for one omitted); InvalidInput naming the
    field that cannot be read."""
    if not isinstance(schedule, Mapping) or not schedule:
        raise InvalidInput.field("schedule", _l("Give the schedule's fields, such as "
                                                "{\"hour\": \"1\", \"minute\": \"5\"}."))
    unknown = [name for name in schedule if name not in FIELDS]
    if unknown:
        raise InvalidInput(errors={f"schedule.{name}": [_l("Not a schedule field.")]
                                   for name in unknown})
    return {name: (_values(name, schedule[name]) if name in schedule
                   else set(range(low, high + 1)))
            for name, (low, high) in FIELDS.items()}


def next_run(schedule: Mapping[str, Any], after: dt.datetime) -> dt.datetime | None:
    """The first minute after `after` the schedule matches (UTC), None if it never does."""
    fields = parse_schedule(schedule)
    local = after.astimezone(CHINA).replace(second=0, microsecond=0)
    day = local.date()
    for _ in range(HORIZON_DAYS):
        if (day.month in fields["month"] and day.day in fields["dayOfMonth"]
                and day.isoweekday() in fields["dayOfWeek"]):
            for hour in sorted(fields["hour"]):
                for minute in sorted(fields["minute"]):
                    moment = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=CHINA)
                    if moment > local:
                        return moment.astimezone(dt.UTC)
        day += dt.timedelta(days=1)
    return None

"""The platform's clock: China's time zone, and today's date there.

Harvest dates, dispatch days and "days since harvest" are China dates (Asia/Shanghai, no
daylight saving); timestamps are stored in UTC and shown in this zone.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")
# No farm record (harvest, spraying, residue test) is older: a date before it is a typo
# ("0001-01-01", "0270-02-04"), and certificates and labels cannot print it.
EARLIEST_RECORD_DATE = dt.date(2000, 1, 1)


def today_in_china(now: dt.datetime | None = None) -> dt.date:
    """The date in China now (or at the aware datetime `now`)."""
    return (now or dt.datetime.now(dt.UTC)).astimezone(CHINA).date()


class ChinaDay:
    """`today_in_china` for a caller that asks many times a second: the day is worked out
    again only when `now` leaves the day last worked out (from China's midnight to the next)."""

    def __init__(self) -> None:
        self._span: tuple[dt.datetime, dt.datetime, dt.date] | None = None

    def at(self, now: dt.datetime) -> dt.date:
        span = self._span
        if span is not None and span[0] <= now < span[1]:
            return span[2]
        day = today_in_china(now)
        start = dt.datetime.combine(day, dt.time(), CHINA)
        self._span = (start, dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), CHINA),
                      day)
        return day


def too_early(day: dt.date | None) -> bool:
    """Whether a farm record's date lies before `EARLIEST_RECORD_DATE`."""
    return day is not None and day < EARLIEST_RECORD_DATE

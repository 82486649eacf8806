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


def too_early(day: dt.date | None) -> bool:
    """Whether a farm record's date lies before `EARLIEST_RECORD_DATE`."""
    return day is not None and day < EARLIEST_RECORD_DATE

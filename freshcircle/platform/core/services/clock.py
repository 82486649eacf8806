"""The platform's clock: China's time zone, and today's date there.

Harvest dates, dispatch days and "days since harvest" are China dates (Asia/Shanghai, no
daylight saving); timestamps are stored in UTC and shown in this zone.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")


def today_in_china(now: dt.datetime | None = None) -> dt.date:
    """The date in China now (or at the aware datetime `now`)."""
    return (now or dt.datetime.now(dt.UTC)).astimezone(CHINA).date()

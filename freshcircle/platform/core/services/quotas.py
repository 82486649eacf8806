"""Daily quotas on work that costs every tenant (dispatch plans, label runs, new producers).

A day is China's calendar day: a quota resets at midnight Asia/Shanghai, the day users see.
The limits are configuration (DISPATCH_PLANS_PER_DAY and the like, see config.py).
"""

from __future__ import annotations

import datetime as dt

from flask import current_app

from freshcircle.platform.core.services.clock import CHINA
from freshcircle.platform.core.services.errors import QuotaExceeded


def china_day_start(now: dt.datetime | None = None) -> dt.datetime:
    """Midnight in China today, as an aware UTC datetime (to compare with stored times)."""
    local = (now or dt.datetime.now(dt.UTC)).astimezone(CHINA)
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(dt.UTC)


def seconds_to_next_day(now: dt.datetime | None = None) -> int:
    now = now or dt.datetime.now(dt.UTC)
    return max(1, int((china_day_start(now) + dt.timedelta(days=1) - now).total_seconds()))


def daily_limit(name: str) -> int:
    return int(current_app.config[name])


def check_daily(used_today: int, limit_name: str, message) -> None:
    """Raise QuotaExceeded (429, with the seconds until midnight in China) when `used_today`
    has reached the configured limit; `message` is formatted with n, the limit."""
    limit = daily_limit(limit_name)
    if used_today >= limit:
        raise QuotaExceeded(message(limit), retry_after=seconds_to_next_day())

"""China's date: the kept day of `ChinaDay` turns at China's midnight, as `today_in_china`."""

from __future__ import annotations

import datetime as dt

from freshcircle.platform.core.services.clock import ChinaDay, today_in_china


def test_the_kept_day_turns_at_chinas_midnight_not_utcs():
    day = ChinaDay()
    midnight_in_china = dt.datetime(2026, 12, 4, 16, 0, tzinfo=dt.UTC)
    second = dt.timedelta(seconds=1)
    assert day.at(midnight_in_china - second) == dt.date(2026, 12, 4)
    assert day.at(midnight_in_china) == dt.date(2026, 12, 5)
    assert day.at(midnight_in_china - second) == dt.date(2026, 12, 4)  # and back


def test_the_kept_day_is_todays_date_in_china_at_any_time():
    day = ChinaDay()
    start = dt.datetime(2026, 12, 31, 0, 0, tzinfo=dt.UTC)
    for minutes in range(0, 3 * 24 * 60, 37):
        now = start + dt.timedelta(minutes=minutes)
        assert day.at(now) == today_in_china(now)

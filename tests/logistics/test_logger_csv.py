"""Logger CSV layouts into readings; bad rows reported by line number and nothing loaded."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from freshcircle.logistics.logger_csv import CHINA, parse


def test_time_and_celsius_columns_with_a_bom_and_local_times():
    parsed = parse("\ufefftime,celsius\n2026-11-25 20:00,2.5\n2026-11-25 20:10:00,3\n".encode())
    assert parsed.ok
    assert parsed.readings[0].recorded_at == dt.datetime(2026, 11, 25, 20, 0, tzinfo=CHINA)
    assert [r.celsius for r in parsed.readings] == [Decimal("2.5"), Decimal("3")]


def test_semicolons_decimal_commas_date_and_time_columns_and_a_preamble():
    text = ("Logger;TL-200\nSerial;A1234\nDate;Time;Temperature (°C)\n"
            "25.11.2026;20:00:00;2,5\n25.11.2026;20:10:00;-0,5\n")
    parsed = parse(text)
    assert parsed.ok, parsed.errors
    assert [r.celsius for r in parsed.readings] == [Decimal("2.5"), Decimal("-0.5")]
    assert parsed.readings[1].recorded_at.minute == 10


def test_chinese_headers_offsets_and_fahrenheit():
    chinese = parse("时间,温度(℃)\n2026-11-25T20:00:00+00:00,4.0\n")
    assert chinese.ok and chinese.readings[0].recorded_at.utcoffset() == dt.timedelta(0)
    fahrenheit = parse("Timestamp,Temperature (°F)\n2026/11/25 20:00,41\n")
    assert fahrenheit.readings[0].celsius == Decimal("5.00")


def test_bad_rows_are_reported_by_line_and_nothing_is_loaded():
    text = ("time,celsius\n2026-11-25 20:00,2.5\nyesterday,3\n2026-11-25 20:20,warm\n"
            "2026-11-25 20:30,95\n\n2026-11-25 20:40,3.1\n")
    parsed = parse(text)
    assert not parsed.ok
    assert [(line, code) for line, code, _ in parsed.errors] == [
        (3, "time"), (4, "number"), (5, "range")]
    assert "95 °C is outside" in parsed.errors[2][2]


def test_no_header_or_no_rows_is_an_error_not_an_empty_load():
    assert [e[:2] for e in parse("a,b\n1,2\n").errors] == [(1, "header")]
    empty = parse("time,celsius\n")
    assert not empty.ok and empty.errors[0][0] == 2

"""Temperature logger exports (CSV) into readings, or a list of what is wrong, line by line.

Layouts read (the header row says which; names are matched case-insensitively):
- one time column and one temperature column: `time,celsius`, `Timestamp,Temperature(°C)`,
  `时间,温度(℃)`, ...
- separate date and time columns: `Date,Time,Temp`, `日期,时间,温度`;
- comma or semicolon separated, the latter with decimal commas (`2,5`) as European loggers
  write them; a UTF-8 byte-order mark and a few preamble lines before the header (logger
  name, serial number) are skipped;
- °F columns (`Temperature (°F)`, `temp_f`) are converted to °C.
Times without an offset are local time at `default_tz` (China, +08:00, unless told).

All or nothing: any bad row (unreadable time or number, a temperature outside -60..80 °C)
makes the whole file refused, every bad row reported with its line number, so a logger file
is never loaded half.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

CHINA = dt.timezone(dt.timedelta(hours=8))
MIN_C, MAX_C = Decimal(-60), Decimal(80)
_TIME = re.compile(r"^(time|timestamp|date ?time|datetime|recorded_at|时间|日期时间|记录时间)$")
_DATE = re.compile(r"^(date|日期)$")
_TIME_ONLY = re.compile(r"^(time|时间)$")
_TEMP = re.compile(r"^(temp|temperature|celsius|t|温度|value)\b|°c|℃|\(c\)|_c$|temp_c")
_FAHRENHEIT = re.compile(r"°f|℉|\(f\)|_f$|fahrenheit")
_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M",
            "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M")


@dataclass(frozen=True)
class Reading:
    recorded_at: dt.datetime
    celsius: Decimal
    line: int = 0  # in the file, for messages about the reading


@dataclass
class Parsed:
    readings: list[Reading] = field(default_factory=list)
    # (line number, code, what is wrong); codes: header, empty, time, number, range
    errors: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.readings)


def _norm(name: str) -> str:
    return name.strip().lstrip("\ufeff").lower()


@dataclass(frozen=True)
class _Layout:
    delimiter: str
    header_line: int
    time: int | None
    date: int | None
    clock: int | None
    temp: int
    fahrenheit: bool


def _layout(lines: list[str]) -> _Layout | None:
    for number, line in enumerate(lines[:10]):
        delimiter = ";" if line.count(";") > line.count(",") else ","
        names = [_norm(n) for n in next(csv.reader([line], delimiter=delimiter))]
        temps = [i for i, n in enumerate(names) if _TEMP.search(n) or _FAHRENHEIT.search(n)]
        times = [i for i, n in enumerate(names) if _TIME.match(n)]
        dates = [i for i, n in enumerate(names) if _DATE.match(n)]
        clocks = [i for i, n in enumerate(names) if _TIME_ONLY.match(n)]
        if not temps:
            continue
        temp = temps[0]
        fahrenheit = bool(_FAHRENHEIT.search(names[temp]))
        if dates and clocks:
            return _Layout(delimiter, number, None, dates[0], clocks[0], temp, fahrenheit)
        if times:
            return _Layout(delimiter, number, times[0], None, None, temp, fahrenheit)
    return None


def _moment(text: str, tz: dt.tzinfo) -> dt.datetime:
    text = text.strip().replace("T", " ")
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        for pattern in _FORMATS:
            try:
                moment = dt.datetime.strptime(text, pattern)
                break
            except ValueError:
                continue
        else:
            raise ValueError(text) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def _celsius(text: str, decimal_comma: bool, fahrenheit: bool) -> Decimal:
    text = text.strip().replace("°C", "").replace("℃", "").replace("°F", "").strip()
    if decimal_comma:
        text = text.replace(",", ".")
    value = Decimal(text)
    if not value.is_finite():
        raise InvalidOperation(text)
    if fahrenheit:
        value = ((value - 32) * 5 / 9).quantize(Decimal("0.01"))
    return value


def parse(data: bytes | str, default_tz: dt.tzinfo = CHINA) -> Parsed:
    """Readings of a logger CSV, or every bad line with its number (1-based, as an editor
    shows it); `ok` is False when anything is wrong or nothing was read."""
    text = data.decode("utf-8-sig", errors="replace") if isinstance(data, bytes) else data
    lines = text.splitlines()
    result = Parsed()
    layout = _layout(lines)
    if layout is None:
        result.errors.append((1, "header", "no header with a time and a temperature column"))
        return result
    decimal_comma = layout.delimiter == ";"
    rows = csv.reader(io.StringIO("\n".join(lines[layout.header_line + 1:])),
                      delimiter=layout.delimiter)
    for offset, row in enumerate(rows):
        number = layout.header_line + 2 + offset
        if not any(cell.strip() for cell in row):
            continue
        try:
            if layout.time is not None:
                moment = _moment(row[layout.time], default_tz)
            else:
                assert layout.date is not None and layout.clock is not None
                moment = _moment(f"{row[layout.date]} {row[layout.clock]}", default_tz)
        except (ValueError, IndexError):
            result.errors.append((number, "time", "the time cannot be read"))
            continue
        try:
            celsius = _celsius(row[layout.temp], decimal_comma, layout.fahrenheit)
        except (InvalidOperation, IndexError):
            result.errors.append((number, "number", "the temperature is not a number"))
            continue
        if not MIN_C <= celsius <= MAX_C:
            result.errors.append((number, "range", f"{celsius} °C is outside -60 to 80 °C"))
            continue
        result.readings.append(Reading(moment, celsius, number))
    if not result.readings and not result.errors:
        result.errors.append((layout.header_line + 2, "empty", "no readings after the header"))
    return result

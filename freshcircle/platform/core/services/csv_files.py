"""The one CSV writer behind every CSV download: UTF-8 with a BOM (Excel otherwise reads the
file in the local code page and garbles Chinese), and text that a spreadsheet would run as a
formula kept as text.

A buyer's company name, a farm's name or a lot code comes from users and partners; a cell
starting with `=`, `+`, `-`, `@`, tab or carriage return is a formula to Excel and LibreOffice
(`=HYPERLINK(...)` phishing, DDE). Such text gets a leading `'`, as OWASP advises; numbers are
written as they are, so a negative amount stays a number.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from numbers import Number
from typing import IO, Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def csv_cell(value: Any) -> Any:
    """A cell as written: None empty, text that starts a formula prefixed with `'`."""
    if value is None:
        return ""
    if isinstance(value, Number) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


class CsvWriter:
    """`csv.writer` on a text stream (opened with ``newline=""``) that writes the BOM first
    and every cell through `csv_cell`."""

    def __init__(self, stream: IO[str], *, lineterminator: str = "\r\n"):
        stream.write(BOM)
        self._writer = csv.writer(stream, lineterminator=lineterminator)

    def writerow(self, cells: Iterable[Any]) -> None:
        self._writer.writerow([csv_cell(cell) for cell in cells])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)

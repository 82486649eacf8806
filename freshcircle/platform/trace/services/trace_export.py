"""The FSMA 204 sortable spreadsheet: KDE rows (``traceability.fsma.kde_rows``) as CSV or XLSX.

Headers are Chinese for ``zh`` and English otherwise, as is the critical tracking event name.
The CSV starts with a UTF-8 BOM because Excel otherwise reads it as the local code page and
garbles Chinese. The XLSX is written by openpyxl in write-only mode, so rows stream to the
file with bounded memory; it has a frozen header row, an autofilter over every row (sortable
in Excel as it opens), times and dates as date cells and quantities as numbers.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from numbers import Number
from typing import IO, Any, cast

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from freshcircle.platform.core.services.csv_files import CsvWriter
from freshcircle.platform.core.services.text import clean_text
from freshcircle.traceability import cbv_labels
from freshcircle.traceability.fsma import COLUMNS, Column, cte_label

EXTENSIONS = ("csv", "xlsx")
_DATE_FORMATS = {"datetime": "yyyy-mm-dd hh:mm:ss", "date": "yyyy-mm-dd"}


# Columns holding codes, and how each is worded for people (the API keeps the codes).
_WORDED = {"cte": cte_label, "biz_step": cbv_labels.biz_step,
           "disposition": cbv_labels.disposition, "ref_doc_type": cbv_labels.transaction_types}


def _text(column: Column, value: Any, lang: str) -> str:
    if value is None:
        return ""
    words = _WORDED.get(column.key)
    return words(value, lang) if words is not None else str(value)


def _csv_value(column: Column, value: Any, lang: str) -> Any:
    """Numbers as numbers (a negative one stays one); everything else as worded text."""
    if column.kind == "number" and isinstance(value, Number) and not isinstance(value, bool):
        return value
    return _text(column, value, lang)


def write_csv(rows: Iterable[Mapping[str, Any]], stream: IO[str] | IO[bytes],
              lang: str) -> None:
    """Write the rows as CSV with a BOM; ``stream`` is text (opened with ``newline=""``) or bytes.

    Text that Excel would run as a formula gets a leading ``'``; numbers are written as is.
    """
    wrapper = None
    if isinstance(stream, io.TextIOBase):
        text_stream = cast(IO[str], stream)
    else:
        wrapper = io.TextIOWrapper(cast(IO[bytes], stream), encoding="utf-8", newline="")
        text_stream = wrapper
    writer = CsvWriter(text_stream, lineterminator="\r\n")
    writer.writerow([c.header(lang) for c in COLUMNS])
    for row in rows:
        writer.writerow(_csv_value(column, row.get(column.key), lang) for column in COLUMNS)
    if wrapper is not None:
        wrapper.flush()
        wrapper.detach()  # leave the caller's byte stream open


def _cell_value(column: Column, value: Any, lang: str) -> Any:
    """Times and dates as naive local values (the offset has its own column), numbers as is."""
    if value is None or value == "":
        return None
    if column.kind in _DATE_FORMATS and isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value  # a time the event recorded badly stays readable as text
        return moment.replace(tzinfo=None) if column.kind == "datetime" else moment.date()
    if column.kind == "number":
        return value
    return _text(column, value, lang)


def write_xlsx(rows: Iterable[Mapping[str, Any]], stream: IO[bytes], lang: str) -> None:
    """Write the rows as one XLSX sheet (frozen header, autofilter, typed cells) to ``stream``."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("FSMA 204 追溯记录" if lang.startswith("zh") else "FSMA 204 records")
    # Write-only sheets take widths and panes before the first row, the filter at any time.
    for index, column in enumerate(COLUMNS, start=1):
        header_width = sum(2 if ord(ch) > 0x2E80 else 1 for ch in column.header(lang)) + 2
        sheet.column_dimensions[get_column_letter(index)].width = max(column.width,
                                                                      header_width)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in COLUMNS:
        cell = WriteOnlyCell(sheet, value=column.header(lang))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in rows:
        cells = []
        for column in COLUMNS:
            value = _cell_value(column, row.get(column.key), lang)
            if isinstance(value, str):
                # openpyxl refuses control characters (XML forbids them); a value stored before
                # input refused them, or brought in by a partner's EPCIS, must not stop the file.
                value = clean_text(value)
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
            elif isinstance(value, date):
                cell.number_format = _DATE_FORMATS[column.kind]
            cells.append(cell)
        sheet.append(cells)
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{count + 1}"
    book.save(stream)


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._") or "lot"


def export_filename(lot: str | None = None, date_from: date | None = None,
                    date_to: date | None = None, ext: str = "csv") -> str:
    """``fsma204_lot-TH250308A_2025-03-01_2025-03-31.xlsx``: what the export holds, file-safe.

    The lot code may hold any GS1 character (``/``, ``%``, ``&``...), so those become ``_``.
    """
    if ext not in EXTENSIONS:
        raise ValueError(f"ext must be one of {EXTENSIONS}, not {ext!r}")
    parts = ["fsma204"]
    if lot:
        parts.append(f"lot-{_safe(lot)}")
    if date_from and date_to:
        parts.append(f"{date_from:%Y-%m-%d}_{date_to:%Y-%m-%d}")
    elif date_from:
        parts.append(f"from-{date_from:%Y-%m-%d}")
    elif date_to:
        parts.append(f"to-{date_to:%Y-%m-%d}")
    return "_".join(parts) + f".{ext}"

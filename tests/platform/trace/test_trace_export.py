"""The FSMA 204 spreadsheet read back the way a recipient opens it: csv module and openpyxl."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from freshcircle.platform.trace.services.trace_export import export_filename, write_csv, write_xlsx
from freshcircle.traceability.epcis import build_event
from freshcircle.traceability.fsma import COLUMNS, kde_rows
from tests.traceability.epcis_samples import ALL, CONFIG

EN = [c.en for c in COLUMNS]
ZH = [c.zh for c in COLUMNS]


@pytest.fixture(scope="module")
def rows():
    return kde_rows([build_event(make(), CONFIG) for make in ALL])


def _csv(rows, lang):
    out = io.BytesIO()
    write_csv(rows, out, lang)
    data = out.getvalue()
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _xlsx(rows, lang):
    out = io.BytesIO()
    write_xlsx(rows, out, lang)
    return load_workbook(io.BytesIO(out.getvalue())).active


@pytest.mark.parametrize("lang, headers", [("en", EN), ("zh", ZH)])
def test_csv_headers_and_one_line_per_row(rows, lang, headers):
    table = _csv(rows, lang)

    assert table[0] == headers
    assert len(table) == len(rows) + 1
    assert len(rows) > len(ALL)  # events naming several lots gave several rows


def test_csv_round_trips_chinese_text_and_names_the_event_in_the_language(rows):
    table = _csv(rows, "zh")
    first = dict(zip(ZH, table[1], strict=True))

    assert first["产品描述"] == "菠菜, 大叶菠菜"
    assert first["农场"] == "太和县绿源合作社"
    assert first["关键追踪事件"] == "采收"
    assert first["数量"] == "120.5"
    assert dict(zip(EN, _csv(rows, "en")[1], strict=True))["Critical tracking event"] == (
        "Harvesting")


def test_csv_into_a_text_stream_and_formulas_stay_text(rows):
    hostile = [{**rows[0], "farm": "=HYPERLINK(\"http://x\")"}]
    out = io.StringIO(newline="")

    write_csv(hostile, out, "en")

    table = list(csv.reader(io.StringIO(out.getvalue().lstrip("\ufeff"), newline="")))
    assert dict(zip(EN, table[1], strict=True))["Farm"] == "'=HYPERLINK(\"http://x\")"


@pytest.mark.parametrize("lang, headers", [("en", EN), ("zh", ZH)])
def test_xlsx_headers_frozen_and_autofilter_over_every_row(rows, lang, headers):
    sheet = _xlsx(rows, lang)

    assert [c.value for c in sheet[1]] == headers
    assert sheet.max_row == len(rows) + 1
    assert sheet.freeze_panes == "A2"
    last = sheet.cell(row=1, column=len(COLUMNS)).column_letter
    assert sheet.auto_filter.ref == f"A1:{last}{len(rows) + 1}"
    assert sheet.column_dimensions["A"].width >= 18  # a whole timestamp shows


def test_xlsx_cells_are_typed_and_chinese_round_trips(rows):
    sheet = _xlsx(rows, "zh")
    col = {c.key: i for i, c in enumerate(COLUMNS)}
    first = [c.value for c in sheet[2]]

    assert first[col["event_time"]] == datetime(2025, 3, 8, 6, 30)
    assert first[col["time_zone"]] == "+08:00"
    assert first[col["harvest_date"]] == datetime(2025, 3, 8)
    assert sheet[2][col["harvest_date"]].is_date
    assert sheet[2][col["quantity"]].data_type == "n"
    assert first[col["quantity"]] == 120.5
    assert first[col["product"]] == "菠菜, 大叶菠菜"
    assert first[col["cte"]] == "采收"
    assert first[col["gtin"]] == "06901234567892"  # leading zero kept: text, not a number
    quantities = [r[col["quantity"]] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert all(isinstance(q, int | float) for q in quantities if q is not None)


def test_xlsx_keeps_formula_looking_text_as_text(rows):
    hostile = [{**rows[0], "farm": "=1+1", "quantity": Decimal("2.5")}]
    cell = _xlsx(hostile, "en")[2][[c.key for c in COLUMNS].index("farm")]

    assert (cell.value, cell.data_type) == ("=1+1", "s")


def test_xlsx_writes_text_holding_control_characters(rows):
    """A value stored before input refused control characters still makes a spreadsheet."""
    hostile = [{**rows[0], "farm": "东地块\u000b2号\x00", "field": "\ud800x"}]
    sheet = _xlsx(hostile, "zh")
    keys = [c.key for c in COLUMNS]

    assert sheet[2][keys.index("farm")].value == "东地块 2号 "
    assert sheet[2][keys.index("field")].value == "\ufffdx"


def test_xlsx_of_no_rows_is_a_header_only_sheet():
    sheet = _xlsx([], "en")

    assert sheet.max_row == 1
    assert sheet.auto_filter.ref.endswith("1")


@pytest.mark.parametrize("kwargs, name", [
    ({}, "fsma204.csv"),
    ({"lot": "TH250308A", "ext": "xlsx"}, "fsma204_lot-TH250308A.xlsx"),
    ({"lot": "TH/25 08&A"}, "fsma204_lot-TH_25_08_A.csv"),
    ({"date_from": date(2025, 3, 1), "date_to": date(2025, 3, 31)},
     "fsma204_2025-03-01_2025-03-31.csv"),
    ({"date_from": date(2025, 3, 1)}, "fsma204_from-2025-03-01.csv"),
    ({"date_to": datetime(2025, 3, 31, 23, 59)}, "fsma204_to-2025-03-31.csv"),
])
def test_export_filename(kwargs, name):
    assert export_filename(**kwargs) == name


def test_export_filename_rejects_other_extensions():
    with pytest.raises(ValueError):
        export_filename(ext="exe")

"""The FSMA 204 spreadsheet for a lot and for a date range, from the API and the inspector's
pages; and verify-chain catching deleted newest events through the stored chain heads."""

from __future__ import annotations

import csv
import datetime as dt
import io

from openpyxl import load_workbook
from sqlalchemy import func, select

from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.models import EpcisEventRecord, Role
from tests.platform.epcis_helpers import lot_document
from tests.platform.genealogy_helpers import family
from tests.platform.page_helpers import field_errors


def _csv_rows(response) -> list[dict]:
    body = response.get_data().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def test_lot_records_cover_the_lot_its_inputs_and_the_lots_made_from_it(make, login, session):
    fam = family(make, login, session)
    inspector = login(fam.inspector)

    response = inspector.get(f"/api/v1/batches/{fam.b.id}/records",
                             query_string={"format": "csv"}, headers={"Accept-Language": "en"})

    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = _csv_rows(response)
    assert int(response.headers["X-Record-Rows"]) == len(rows)
    assert {"Event time", "Critical tracking event", "Traceability lot code (TLC)", "Quantity",
            "Unit of measure", "Input lots and quantities",
            "Reference document number"} <= set(rows[0])
    lots = {row["Traceability lot code (TLC)"] for row in rows}
    # b came from root (split) and went into merged; a is root's other part (root's event)
    assert {fam.b.lot_code, fam.merged.lot_code} <= lots
    merge_row = next(r for r in rows if r["Traceability lot code (TLC)"] == fam.merged.lot_code)
    assert merge_row["Critical tracking event"] == "Transformation"
    assert fam.b.lot_code in merge_row["Input lots and quantities"]
    assert fam.other.lot_code in merge_row["Input lots and quantities"]
    times = [row["Event time"] for row in rows]
    assert times == sorted(times)


def test_lot_records_as_excel_in_chinese_are_sortable(make, login, session):
    fam = family(make, login, session)

    response = login(fam.inspector).get(f"/api/v1/batches/{fam.root.id}/records",
                                        query_string={"format": "xlsx"})

    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.get_data()), read_only=False)
    sheet = book.active
    headers = [cell.value for cell in sheet[1]]
    assert "追溯批次码" in headers and "关键追踪事件" in headers
    assert sheet.auto_filter.ref and sheet.auto_filter.ref.endswith(str(sheet.max_row))
    assert sheet.max_row - 1 == int(response.headers["X-Record-Rows"]) >= 2


def test_range_records_show_a_producer_only_its_own_events(make, login, session):
    fam = family(make, login, session)
    stranger = make.user()
    make.producer(stranger)
    today = today_in_china()

    own = login(fam.farmer).get("/api/v1/records", query_string={
        "date_from": (today - dt.timedelta(days=1)).isoformat(), "date_to": today.isoformat(),
        "format": "csv"}, headers={"Accept-Language": "en"})
    none = login(stranger).get("/api/v1/records", query_string={
        "date_from": today.isoformat(), "date_to": today.isoformat(), "format": "csv"})

    assert own.status_code == 200 and len(_csv_rows(own)) >= 3
    assert none.status_code == 200 and _csv_rows(none) == []
    backwards = login(fam.farmer).get("/api/v1/records", query_string={
        "date_from": today.isoformat(), "date_to": (today - dt.timedelta(days=3)).isoformat()})
    assert backwards.status_code == 422 and "date_to" in backwards.json["errors"]
    assert login(fam.farmer).get(f"/api/v1/batches/{fam.root.id}/records").status_code == 403
    assert login(fam.buyer).get("/api/v1/records", query_string={
        "date_from": today.isoformat(), "date_to": today.isoformat()}).status_code == 403


def test_inspector_pages_trace_and_export_a_lot(make, login, session):
    fam = family(make, login, session)
    inspector = login(fam.inspector)

    trace = inspector.get(f"/inspector/batches/{fam.merged.id}/trace")
    assert trace.status_code == 200
    html = trace.get_data(as_text=True)
    assert fam.root.lot_code in html and fam.other.lot_code in html
    form = inspector.get("/inspector/records")
    assert form.status_code == 200 and "召回记录导出" in form.get_data(as_text=True)
    download = inspector.get("/inspector/records",
                             query_string={"lot": fam.merged.lot_code, "format": "xlsx"})
    assert download.status_code == 200 and download.get_data()[:2] == b"PK"
    unknown = inspector.get("/inspector/records", query_string={"lot": "FY000000-000000-000"})
    assert unknown.status_code == 422
    assert field_errors(unknown, "lot") == ["没有这个批次码。"]
    assert login(fam.farmer).get("/inspector/records").status_code == 403


def test_verify_chain_catches_deleted_newest_events_through_the_head(app, make, login, session):
    farmer = make.user()
    batch = make.batch(make.producer(farmer))
    login(farmer).post("/api/v1/epcis/capture", json=lot_document(app, session, batch))
    last = session.scalar(select(func.max(EpcisEventRecord.id)))
    assert app.test_cli_runner().invoke(args=["verify-chain"]).exit_code == 0

    session.execute(EpcisEventRecord.__table__.delete().where(EpcisEventRecord.id == last))
    session.commit()

    result = app.test_cli_runner().invoke(args=["verify-chain", "--lot", batch.lot_code])
    assert result.exit_code == 1
    assert "deleted" in result.output and "head" in result.output

    session.execute(EpcisEventRecord.__table__.delete().where(
        EpcisEventRecord.lot_code == batch.lot_code))
    session.commit()
    gone = app.test_cli_runner().invoke(args=["verify-chain"])
    assert gone.exit_code == 1 and batch.lot_code in gone.output


def test_an_admin_may_trace_and_a_carrier_may_not(make, login, session):
    fam = family(make, login, session)
    assert login(make.user(Role.ADMIN)).get(
        f"/inspector/batches/{fam.root.id}/trace").status_code == 200
    assert login(fam.carrier).get(f"/inspector/batches/{fam.root.id}/trace").status_code == 403


def test_chinese_spreadsheet_words_every_code(make, login, session):
    """Issue 13: the export showed 其他（inspecting）, testres and conformant to inspectors."""
    farmer = make.user()
    batch = make.batch(make.producer(farmer))
    created = login(farmer).post("/api/v1/tests", json={
        "batch_id": batch.id, "method": "rapid", "result": "pass", "tester": "合作社检测室",
        "measured_values": "抑制率 12%", "tested_on": today_in_china().isoformat()})
    assert created.status_code == 201, created.json
    inspector = login(make.user(Role.INSPECTOR))
    response = inspector.get(f"/api/v1/batches/{batch.id}/records",
                             query_string={"format": "csv"}, headers={"Accept-Language": "zh"})
    rows = _csv_rows(response)
    test_row = next(r for r in rows if "检测结果" in r["参考单据类型"])
    assert test_row["关键追踪事件"] == "其他（检验）"
    assert test_row["业务步骤"] == "检验" and test_row["处置状态"] == "合格"
    text = response.get_data().decode("utf-8-sig")
    for code in ("inspecting", "testres", "conformant"):
        assert code not in text

"""Control characters (a vertical tab, a NUL) are refused in every text input, pages and API,
with a message naming the field; a value stored before that still exports."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook
from sqlalchemy import func, select

from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.models import Plot, Role
from tests.platform.page_helpers import field_errors, input_value, text

TODAY = today_in_china()
VT = "东地块\u000b2号"


def test_api_refuses_a_vertical_tab_in_a_text_field_and_changes_nothing(make, login, session):
    farmer = make.user()
    producer = make.producer(farmer)
    batch = make.batch(producer, variety="早熟")
    client = login(farmer)

    response = client.patch(f"/api/v1/batches/{batch.id}", json={"variety": VT})

    assert response.status_code == 422, response.json
    assert "控制字符" in response.json["errors"]["variety"][0]
    assert "U+000B" in response.json["errors"]["variety"][0]
    session.refresh(batch)
    assert batch.variety == "早熟"
    plots_before = session.scalar(select(func.count()).select_from(Plot))
    created = client.post(f"/api/v1/producers/{producer.id}/plots",
                          json={"name": "南湖\x001号地"})
    assert created.status_code == 422 and "name" in created.json["errors"]
    assert session.scalar(select(func.count()).select_from(Plot)) == plots_before
    english = client.patch(f"/api/v1/batches/{batch.id}", json={"notes": "a\x0cb"},
                           headers={"Accept-Language": "en"})
    assert english.status_code == 422
    assert "Control characters" in english.json["errors"]["notes"][0]


def test_tab_newline_and_carriage_return_are_still_fine(make, login, session):
    farmer = make.user()
    batch = make.batch(make.producer(farmer))

    response = login(farmer).patch(f"/api/v1/batches/{batch.id}",
                                   json={"notes": "第一行\r\n第二行\t完"})

    assert response.status_code == 200, response.json
    session.refresh(batch)
    assert batch.notes == "第一行\r\n第二行\t完"


def test_page_form_refuses_a_vertical_tab_and_writes_nothing(make, login, session):
    farmer = make.user()
    producer = make.producer(farmer)
    before = session.scalar(select(func.count()).select_from(Plot))

    response = login(farmer).post(f"/producers/{producer.id}/plots", data={
        "name": "南湖\u000b1号地", "area_mu": "", "township": "", "latitude": "",
        "longitude": ""})

    assert response.status_code == 422
    # under the field, in Chinese, on the form the farmer filled in (no internal field names)
    assert field_errors(response, "name") == ["含有无法保存的控制字符（U+000B），请删除后重试。"]
    assert input_value(response, "name") is not None
    assert session.scalar(select(func.count()).select_from(Plot)) == before


def test_a_page_that_reads_the_form_itself_still_refuses_and_writes_nothing(make, login, session):
    """A field no form of the page reads (as on pages that read request.form themselves) is
    still refused: the page answers 422 and nothing is written."""
    farmer = make.user()
    producer = make.producer(farmer)
    before = session.scalar(select(func.count()).select_from(Plot))
    response = login(farmer).post(f"/producers/{producer.id}/plots", data={
        "name": "南湖1号地", "area_mu": "", "township": "", "latitude": "", "longitude": "",
        "unknown_field": "x\u000by"})
    assert response.status_code == 422
    assert "控制字符" in text(response)
    assert session.scalar(select(func.count()).select_from(Plot)) == before


def test_page_query_with_a_nul_is_422(make, login):
    inspector = login(make.user(Role.INSPECTOR))
    response = inspector.get("/inspector/batches", query_string={"q": "东\x00"})
    assert response.status_code == 422


def test_records_export_with_a_control_character_stored_earlier_still_opens(make, login,
                                                                          session):
    farmer = make.user()
    producer = make.producer(farmer)
    plot = make.plot(producer, VT)  # stored before input refused it
    client = login(farmer)
    created = client.post("/api/v1/batches", json={
        "producer_id": producer.id, "product_id": make.product().id, "plot_id": plot.id,
        "harvest_date": TODAY.isoformat(), "quantity": "10", "unit": "kg"})
    assert created.status_code == 201, created.json

    response = client.get("/api/v1/records", query_string={
        "date_from": (TODAY - dt.timedelta(days=1)).isoformat(), "date_to": TODAY.isoformat(),
        "format": "xlsx"})

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    values = [cell.value for row in sheet.iter_rows(min_row=2) for cell in row]
    assert "东地块 2号" in values


def test_a_nul_in_a_path_is_404(client):
    for url in ("/01/06912345000019/10/AB%00C", "/01/06912345000019/10/AB%0BC/21/1"):
        assert client.get(url).status_code == 404


def test_a_multipart_part_without_a_name_is_not_a_500(make, login):
    """bench/fuzz.py: a form part with no name reached the guard as None (TypeError, 500)."""
    boundary = "fuzzboundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data\r\n\r\nx\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\nok\r\n"
            f"--{boundary}--\r\n").encode()
    response = login(make.user(Role.BUYER)).post(
        "/api/v1/orders/999999/disputes", data=body,
        content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 404  # no such order: the request got past the guard

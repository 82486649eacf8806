"""Farm record pages: pesticide and fertiliser inputs, residue tests of a batch."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from freshcircle.platform.models import FarmInput, ResidueTest, Role, StoredFile
from freshcircle.platform.models import TestResult as Outcome
from tests.platform.page_helpers import (
    TINY_JPEG,
    TINY_PDF,
    TODAY,
    count,
    field_errors,
    input_value,
    text,
    upload,
)


def _input(producer, **overrides):
    data = {"producer_id": str(producer.id), "kind": "pesticide", "product_name": "阿维菌素乳油",
            "active_ingredient": "阿维菌素", "dose": "30 mL/亩", "plot_id": "",
            "new_plot_name": "北大棚",
            "applied_on": TODAY.isoformat(), "pre_harvest_interval_days": "7", "notes": ""}
    data.update(overrides)
    return data


def test_input_form_offers_known_plots_and_a_number_pad(make, login):
    farmer = make.user()
    producer = make.producer(farmer)
    make.batch(producer, plot="西瓜地")
    body = login(farmer).get("/inputs/new").get_data(as_text=True)
    assert "记录投入品" in body and "安全间隔期（天）" in body
    plot = make.plot(producer, "西瓜地")
    assert f'<option value="{plot.id}">西瓜地</option>' in body and 'name="new_plot_name"' in body
    assert 'inputmode="numeric"' in body
    assert f'value="{TODAY.isoformat()}"' in body


def test_record_a_pesticide_and_see_when_harvest_is_allowed(make, login, session):
    farmer = make.user()
    producer = make.producer(farmer)
    client = login(farmer)

    response = client.post("/inputs/new", data=_input(producer, pre_harvest_interval_days="１４"))

    assert response.status_code == 302
    record = session.scalar(select(FarmInput))
    assert record.pre_harvest_interval_days == 14 and record.created_by_id == farmer.id
    page = text(client.get(response.location))
    safe = TODAY + dt.timedelta(days=14)
    assert "已记录：北大棚 使用 阿维菌素乳油" in page
    assert f"{safe.year}年{safe.month}月{safe.day}日起可采收" in page


def test_pesticide_without_interval_or_with_a_future_date_is_refused(make, login, session):
    farmer = make.user()
    producer = make.producer(farmer)
    tomorrow = TODAY + dt.timedelta(days=1)

    response = login(farmer).post("/inputs/new", data=_input(
        producer, pre_harvest_interval_days="", applied_on=tomorrow.isoformat()))

    assert response.status_code == 422
    assert field_errors(response, "pre_harvest_interval_days") == [
        "农药必须填写安全间隔期（见农药标签）。"]
    assert field_errors(response, "applied_on") == ["使用日期不能晚于今天。"]
    assert input_value(response, "product_name") == "阿维菌素乳油"
    assert count(session, FarmInput) == 0


def test_days_must_be_a_whole_number(make, login, session):
    farmer = make.user()
    producer = make.producer(farmer)
    response = login(farmer).post("/inputs/new",
                                  data=_input(producer, pre_harvest_interval_days="七"))
    assert response.status_code == 422
    assert field_errors(response, "pre_harvest_interval_days") == ["请填写整数。"]
    assert count(session, FarmInput) == 0


def test_inputs_list_shows_only_my_producers(make, login):
    farmer = make.user()
    make.farm_input(make.producer(farmer), applied_on=TODAY, product_name="吡虫啉")
    make.farm_input(make.producer(make.user()), applied_on=TODAY, product_name="别人的药")
    page = text(login(farmer).get("/inputs"))
    assert "吡虫啉" in page and "别人的药" not in page


def test_farmer_records_a_rapid_test_with_a_photo(make, login, session):
    farmer = make.user(name="王建国")
    batch = make.batch(make.producer(farmer))
    client = login(farmer)
    form = client.get(f"/batches/{batch.id}/tests/new")
    assert input_value(form, "tester") == "王建国"

    response = client.post(f"/batches/{batch.id}/tests/new", content_type="multipart/form-data",
                           data={"method": "rapid", "result": "pass", "tester": "王建国",
                                 "tested_on": TODAY.isoformat(), "measured_values": "抑制率 12%",
                                 "file": upload(TINY_JPEG, "card.jpg")})

    assert response.status_code == 302
    test = session.scalar(select(ResidueTest))
    assert test.result == Outcome.PASS and test.file.content_type == "image/jpeg"
    page = text(client.get(response.location))
    assert "合格" in page and "农残快检" in page and "抑制率 12%" in page


def test_inspector_records_a_lab_report_pdf_on_any_batch(make, login, session):
    inspector = make.user(Role.INSPECTOR, name="张检测")
    batch = make.batch(make.producer(make.user()))

    response = login(inspector).post(
        f"/batches/{batch.id}/tests/new", content_type="multipart/form-data",
        data={"method": "lab", "result": "fail", "tester": "阜阳市农产品质量检测中心",
              "tested_on": TODAY.isoformat(), "file": upload(TINY_PDF, "report.pdf")})

    assert response.status_code == 302
    test = session.scalar(select(ResidueTest))
    assert test.file.content_type == "application/pdf"
    assert test.file.producer_id == batch.producer_id


def test_test_without_result_or_with_a_bad_file_writes_nothing(make, login, session):
    farmer = make.user()
    batch = make.batch(make.producer(farmer))
    client = login(farmer)

    missing = client.post(f"/batches/{batch.id}/tests/new",
                          data={"method": "rapid", "tester": "我", "tested_on": TODAY.isoformat()})
    assert missing.status_code == 422
    assert "此项为必填项。" in text(missing)

    bad_file = client.post(f"/batches/{batch.id}/tests/new", content_type="multipart/form-data",
                           data={"method": "rapid", "result": "pass", "tester": "我",
                                 "tested_on": TODAY.isoformat(),
                                 "file": upload(b"not a report", "x.pdf")})
    assert bad_file.status_code == 422
    assert "请上传 PDF、JPEG、PNG 或 WebP 文件。" in field_errors(bad_file, "file")
    assert count(session, ResidueTest) == 0 and count(session, StoredFile) == 0


def test_another_farmer_cannot_record_a_test(make, login, session):
    batch = make.batch(make.producer(make.user()))
    stranger = make.user()
    make.producer(stranger, name="别家")
    response = login(stranger).post(f"/batches/{batch.id}/tests/new",
                                    data={"method": "rapid", "result": "pass", "tester": "我",
                                          "tested_on": TODAY.isoformat()})
    assert response.status_code == 403
    assert count(session, ResidueTest) == 0

"""Correcting a batch on its page (never its lot code) and adding photos to it."""

from __future__ import annotations

import datetime as dt
import re

from freshcircle.platform.models import Batch, BatchPhoto, BatchStatus, Role, StoredFile
from tests.platform.page_helpers import (
    TINY_JPEG,
    TINY_PDF,
    TODAY,
    YESTERDAY,
    count,
    edit_form,
    element,
    field_errors,
    input_value,
    text,
    upload,
)


def _row(batch: Batch) -> tuple:
    return (batch.variety, batch.plot.name, batch.harvest_date, batch.quantity_g, batch.grade,
            batch.notes, batch.lot_code, batch.status)


def _stored(session, batch: Batch) -> tuple:
    session.expire_all()
    return _row(session.get(Batch, batch.id))


def test_batch_page_offers_the_edit_form_filled_in_and_in_jin(make, login):
    farmer = make.user()
    batch = make.batch(make.producer(farmer), quantity_g=125_500, variety="红油香椿",
                       grade="精品", lot_code="FY341222-261120-001")

    response = login(farmer).get(f"/batches/{batch.id}")

    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "修改批次信息" in body and 'id="edit-form"' in body
    assert "<details" in body and 'id="edit-batch" open' not in body  # folded until tapped
    assert input_value(response, "variety") == "红油香椿"
    assert input_value(response, "quantity") == "251"  # 125.5 kg, shown as farmers count
    assert re.search(r'<input checked [^>]*name="unit"[^>]*value="jin">', body)
    assert '<option selected value="other">' in body
    assert input_value(response, "grade_other") == "精品"
    assert input_value(response, "harvest_date") == batch.harvest_date.isoformat()
    assert "批次号 FY341222-261120-001 不会改变" in text(response)
    assert input_value(response, "lot_code") is None  # shown, never an input


def test_member_corrects_the_batch_and_the_lot_code_stays(make, login, session):
    farmer = make.user()
    batch = make.batch(make.producer(farmer), quantity_g=500_000, lot_code="FY341222-260101-007")
    client = login(farmer)
    earlier = TODAY - dt.timedelta(days=3)

    response = client.post(f"/batches/{batch.id}/edit", data=edit_form(
        variety="黑油椿", plot="北大棚", harvest_date=earlier.isoformat(), quantity="２５.５",
        unit="kg", grade="other", grade_other="精品", notes="雨后采收"))

    assert response.status_code == 302
    assert response.location.endswith(f"/batches/{batch.id}")
    assert _stored(session, batch) == ("黑油椿", "北大棚", earlier, 25_500, "精品", "雨后采收",
                                       "FY341222-260101-007", BatchStatus.REGISTERED)
    page = client.get(response.location)
    assert "批次 FY341222-260101-007 已修改" in text(page)
    assert "51 斤（25.5 kg）" in text(page).replace("\u00a0", " ")


def test_clearing_optional_fields_empties_them(make, login, session):
    farmer = make.user()
    batch = make.batch(make.producer(farmer), variety="红油香椿", grade="一级", notes="旧备注")

    response = login(farmer).post(f"/batches/{batch.id}/edit", data=edit_form())

    assert response.status_code == 302
    variety, _plot, _date, grams, grade, notes, _lot, _status = _stored(session, batch)
    assert (variety, grade, notes, grams) == (None, None, None, 500_000)


def test_bad_input_is_named_under_each_field_and_nothing_changes(make, login, session):
    farmer = make.user()
    batch = make.batch(make.producer(farmer))
    before = _row(batch)
    client = login(farmer)
    tomorrow = TODAY + dt.timedelta(days=1)

    blank = client.post(f"/batches/{batch.id}/edit",
                        data=edit_form(plot="", quantity="abc", variety="我改的品种"))
    assert blank.status_code == 422
    assert field_errors(blank, "plot_id") == ["请选择地块。"]
    assert field_errors(blank, "quantity") == ["请填写数字。"]
    assert input_value(blank, "variety") == "我改的品种"  # what was typed is kept
    assert 'id="edit-batch" open' in blank.get_data(as_text=True)

    refused = client.post(f"/batches/{batch.id}/edit",
                          data=edit_form(quantity="0", harvest_date=tomorrow.isoformat()))
    assert refused.status_code == 422
    assert field_errors(refused, "quantity") == ["请填写大于 0 的重量（精确到克）。"]
    assert field_errors(refused, "harvest_date") == ["采收日期不能晚于今天。"]
    assert _stored(session, batch) == before


def test_weight_below_what_is_on_shipments_is_refused(make, login, session):
    farmer = make.user()
    batch = make.batch(make.producer(farmer), quantity_g=500_000)
    make.shipment(created_by=farmer, lines=[(batch, 300_000)])
    before = _row(batch)

    response = login(farmer).post(f"/batches/{batch.id}/edit",
                                  data=edit_form(quantity="200", unit="kg", plot="新地块"))

    assert response.status_code == 422
    assert field_errors(response, "quantity") == ["少于已安排发运的数量。"]
    # The facts card shows the batch as stored, not the refused weight.
    assert "1,000 斤（500 kg）" in element(response, "facts").replace("\u00a0", " ")
    assert _stored(session, batch) == before


def test_a_held_batch_cannot_be_edited(make, login, session):
    farmer = make.user()
    batch = make.batch(make.producer(farmer), status=BatchStatus.HELD,
                       status_reason="农残快检不合格")
    before = _row(batch)
    client = login(farmer)

    page = client.get(f"/batches/{batch.id}")
    assert 'id="edit-form"' not in page.get_data(as_text=True)
    assert element(page, "edit-locked") == "已暂扣或已召回的批次不能修改。"

    response = client.post(f"/batches/{batch.id}/edit", data=edit_form(plot="换个地块"))
    assert response.status_code == 409
    assert element(response, "edit-locked") == "已暂扣或已召回的批次不能修改。"
    assert 'role="alert" id="edit-locked"' in response.get_data(as_text=True)
    assert _stored(session, batch) == before


def test_member_adds_a_photo_to_an_existing_batch(make, login, session):
    farmer = make.user()
    batch = make.batch(make.producer(farmer))
    client = login(farmer)

    page = client.get(f"/batches/{batch.id}").get_data(as_text=True)
    assert 'id="photo-form"' in page and 'enctype="multipart/form-data"' in page
    assert 'accept="image/*"' in page and 'capture="environment"' in page
    assert 'data-downsize="1600"' in page and "/photo.js" in page

    response = client.post(f"/batches/{batch.id}/photos",
                           data={"photo": upload(TINY_JPEG, "IMG_0002.jpg")},
                           content_type="multipart/form-data")

    assert response.status_code == 302
    assert response.location.endswith(f"/batches/{batch.id}#photos")
    [photo] = session.query(BatchPhoto).filter_by(batch_id=batch.id).all()
    assert photo.file.producer_id == batch.producer_id and photo.file.content_type == "image/jpeg"
    shown = client.get(response.location)
    assert "照片已上传" in text(shown)
    assert f'src="/files/{photo.file_id}/preview"' in shown.get_data(as_text=True)


def test_no_photo_or_a_pdf_is_refused_and_nothing_is_stored(make, login, session):
    farmer = make.user()
    batch = make.batch(make.producer(farmer))
    client = login(farmer)

    empty = client.post(f"/batches/{batch.id}/photos",
                        data={"photo": upload(b"", "")}, content_type="multipart/form-data")
    pdf = client.post(f"/batches/{batch.id}/photos", data={"photo": upload(TINY_PDF, "a.jpg")},
                      content_type="multipart/form-data")

    assert empty.status_code == 422
    assert field_errors(empty, "photo") == ["请选择照片。"]
    assert pdf.status_code == 422
    assert field_errors(pdf, "photo") == ["照片须为 JPEG、PNG 或 WebP 格式。"]
    assert count(session, BatchPhoto) == 0 and count(session, StoredFile) == 0


def test_another_producers_farmer_gets_403_and_changes_nothing(make, login, session):
    owner, stranger = make.user(), make.user()
    batch = make.batch(make.producer(owner))
    make.producer(stranger, name="别家农场")
    before = _row(batch)
    client = login(stranger)

    edit = client.post(f"/batches/{batch.id}/edit", data=edit_form(plot="偷改"))
    photo = client.post(f"/batches/{batch.id}/photos", data={"photo": upload(TINY_JPEG, "a.jpg")},
                        content_type="multipart/form-data")

    assert edit.status_code == photo.status_code == 403
    assert "只有该生产主体的成员可以查看其记录" in text(edit)
    assert _stored(session, batch) == before
    assert count(session, BatchPhoto) == 0 and count(session, StoredFile) == 0


def test_buyer_carrier_and_inspector_cannot_edit_or_add_photos(make, login, session):
    batch = make.batch(make.producer(make.user()))
    before = _row(batch)
    for role in (Role.BUYER, Role.CARRIER, Role.INSPECTOR):
        client = login(make.user(role))
        assert client.post(f"/batches/{batch.id}/edit",
                           data=edit_form(plot="偷改")).status_code == 403, role
        assert client.post(f"/batches/{batch.id}/photos", content_type="multipart/form-data",
                           data={"photo": upload(TINY_JPEG, "a.jpg")}).status_code == 403, role
    assert _stored(session, batch) == before
    assert count(session, BatchPhoto) == 0


def test_inspector_sees_the_batch_without_the_member_forms(make, login):
    batch = make.batch(make.producer(make.user()), harvest_date=YESTERDAY)
    body = login(make.user(Role.INSPECTOR)).get(f"/batches/{batch.id}").get_data(as_text=True)
    assert 'id="edit-form"' not in body and 'id="photo-form"' not in body
    assert "/photo.js" not in body

"""Batch pages: the farmer's dashboard, registering a batch with a photo, the batch page."""

from __future__ import annotations

import datetime as dt
import io

from PIL import Image
from sqlalchemy import select

from freshcircle.platform.models import Batch, BatchPhoto, BatchStatus, Role, StoredFile
from tests.platform.page_helpers import (
    TINY_JPEG,
    TINY_PDF,
    TODAY,
    YESTERDAY,
    batch_form,
    count,
    field_errors,
    input_value,
    text,
    upload,
)


def test_dashboard_lists_my_batches_newest_first_with_both_units(make, login):
    farmer = make.user()
    producer = make.producer(farmer)
    make.batch(producer, harvest_date=TODAY - dt.timedelta(days=5), lot_code="OLD-001",
               quantity_g=60_000)
    make.batch(producer, harvest_date=YESTERDAY, lot_code="NEW-001", quantity_g=125_500,
               product=make.product("Watermelon"))
    other = make.producer(make.user(), name="别家农场")
    make.batch(other, lot_code="NOT-MINE")

    page = text(login(farmer).get("/"))

    assert "我的批次" in page
    assert page.index("NEW-001") < page.index("OLD-001")
    assert "NOT-MINE" not in page
    assert "120 斤（60 kg）" in page.replace("\u00a0", " ")
    assert "251 斤（125.5 kg）" in page.replace("\u00a0", " ")
    assert "西瓜" in page
    assert YESTERDAY.strftime("%Y年%-m月%-d日") in page
    for button in ("登记新批次", "记录投入品", "登记生产主体"):
        assert button in page


def test_dashboard_flags_a_batch_harvested_inside_the_interval(make, login):
    farmer = make.user()
    producer = make.producer(farmer)
    make.batch(producer, plot="北大棚", harvest_date=YESTERDAY, lot_code="UNSAFE-1")
    make.farm_input(producer, plot="北大棚", applied_on=YESTERDAY - dt.timedelta(days=2),
                    interval_days=7)
    make.batch(producer, plot="东地块", harvest_date=YESTERDAY, lot_code="SAFE-1")

    body = login(farmer).get("/").get_data(as_text=True)

    unsafe_card = body[body.index("UNSAFE-1"):].split("</li>")[0]
    safe_card = body[body.index("SAFE-1"):].split("</li>")[0]
    assert "安全间隔期未满" in unsafe_card
    assert "安全间隔期未满" not in safe_card


def test_new_batch_form_in_chinese_then_english(make, login):
    farmer = make.user()
    make.producer(farmer)
    client = login(farmer)

    response = client.get("/batches/new")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "登记新批次" in body and "采收日期" in body and "斤" in body
    assert 'inputmode="decimal"' in body
    assert 'type="file"' in body and 'accept="image/*"' in body
    assert 'capture="environment"' in body
    assert f'value="{TODAY.isoformat()}"' in body  # harvest date defaults to today
    assert 'id="plot_id"' in body and 'name="new_plot_name"' in body  # pick, or add inline
    key = input_value(response, "idempotency_key")
    assert key and len(key) == 32
    assert input_value(client.get("/batches/new"), "idempotency_key") != key
    assert "<optgroup" in body and "菠菜" in body

    client.get("/lang/en")
    english = client.get("/batches/new").get_data(as_text=True)
    assert "Register a new batch" in english and "Harvest date" in english
    assert "Spinach" in english


def test_register_batch_with_photo_in_jin(make, login, session):
    farmer = make.user()
    producer = make.producer(farmer)
    client = login(farmer)
    data = batch_form(producer, make.product(), photo=upload(TINY_JPEG, "IMG_0001.jpg"))

    response = client.post("/batches/new", data=data, content_type="multipart/form-data")

    assert response.status_code == 302
    batch = session.scalar(select(Batch))
    assert response.location.endswith(f"/batches/{batch.id}")
    assert batch.quantity_g == 60_000
    assert batch.plot.name == "东地块" and batch.grade == "一级" and batch.variety == "红油香椿"
    assert batch.lot_code == f"FY341222-{YESTERDAY:%y%m%d}-001"
    assert batch.created_by_id == farmer.id
    [photo] = batch.photos
    assert photo.file.content_type == "image/jpeg" and photo.file.producer_id == producer.id

    page = client.get(response.location)
    assert batch.lot_code in text(page)
    assert f"/files/{photo.file_id}" in page.get_data(as_text=True)
    assert f"批次 {batch.lot_code} 登记成功" in text(page)
    image = client.get(f"/files/{photo.file_id}")
    assert image.status_code == 200 and image.mimetype == "image/jpeg"
    assert image.data == TINY_JPEG
    assert "immutable" in image.headers["Cache-Control"]
    again = client.get(f"/files/{photo.file_id}", headers={"If-None-Match": image.headers["ETag"]})
    assert again.status_code == 304 and not again.data


def test_dashboard_shows_a_small_thumbnail_of_the_photo(make, login, session):
    farmer = make.user()
    producer = make.producer(farmer)
    client = login(farmer)
    client.post("/batches/new", content_type="multipart/form-data",
                data=batch_form(producer, make.product(), photo=upload(TINY_JPEG, "a.jpg")))
    file_id = session.scalar(select(BatchPhoto.file_id))

    assert f'src="/files/{file_id}/thumb"' in client.get("/").get_data(as_text=True)
    thumb = client.get(f"/files/{file_id}/thumb")
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
    assert thumb.data.startswith(b"\xff\xd8\xff")
    stranger = make.user()
    make.producer(stranger, name="别家")
    assert login(stranger).get(f"/files/{file_id}/thumb").status_code == 403


def test_kilograms_full_width_digits_and_other_grade(make, login, session):
    farmer = make.user()
    producer = make.producer(farmer)
    data = batch_form(producer, make.product(), quantity="２５.５", unit="kg", grade="other",
                      grade_other="精品")

    assert login(farmer).post("/batches/new", data=data).status_code == 302

    batch = session.scalar(select(Batch))
    assert batch.quantity_g == 25_500 and batch.grade == "精品"


def test_resubmitted_form_registers_the_batch_once(make, login, session):
    farmer = make.user()
    producer = make.producer(farmer)
    client = login(farmer)
    data = batch_form(producer, make.product(), idempotency_key="resent-on-a-weak-network")

    first = client.post("/batches/new", data=dict(data, photo=upload(TINY_JPEG, "a.jpg")),
                        content_type="multipart/form-data")
    again = client.post("/batches/new", data=dict(data, photo=upload(TINY_JPEG, "a.jpg")),
                        content_type="multipart/form-data")

    assert first.status_code == again.status_code == 302
    assert first.location == again.location
    assert count(session, Batch) == 1
    assert count(session, BatchPhoto) == 1
    assert "已经登记过了" in text(client.get(again.location))


def test_bad_input_shows_each_message_under_its_field_and_writes_nothing(make, login, session):
    farmer = make.user()
    producer = make.producer(farmer)
    client = login(farmer)
    tomorrow = TODAY + dt.timedelta(days=1)
    data = batch_form(producer, make.product(), quantity="0", harvest_date=tomorrow.isoformat(),
                      plot="", variety="我填的品种")

    response = client.post("/batches/new", data=dict(data, photo=upload(TINY_JPEG, "a.jpg")),
                           content_type="multipart/form-data")

    assert response.status_code == 422
    assert field_errors(response, "plot_id") == ["请选择地块。"]
    assert field_errors(response, "photo") == ["请重新选择照片。"]
    assert count(session, Batch) == 0 and count(session, StoredFile) == 0
    # Plot is fixed; the service's own rules speak next.
    response = client.post("/batches/new", data=dict(data, new_plot_name="东地块"))
    assert response.status_code == 422
    assert field_errors(response, "quantity") == ["请填写大于 0 的重量（精确到克）。"]
    assert field_errors(response, "harvest_date") == ["采收日期不能晚于今天。"]
    assert input_value(response, "variety") == "我填的品种"
    assert input_value(response, "quantity") == "0"
    assert input_value(response, "idempotency_key") == data["idempotency_key"]
    assert "请检查下面标红的项目" in text(response)
    assert count(session, Batch) == 0


def test_not_a_number_and_missing_product_in_english(make, login, session):
    farmer = make.user()
    producer = make.producer(farmer)
    client = login(farmer)
    client.get("/lang/en")

    response = client.post("/batches/new", data=batch_form(producer, make.product(),
                                                            quantity="abc", product_id=""))

    assert response.status_code == 422
    assert field_errors(response, "quantity") == ["Not a valid decimal value."]
    assert field_errors(response, "product_id") == ["This field is required."]
    assert count(session, Batch) == 0


def test_a_pdf_is_not_a_photo_and_nothing_is_saved(make, login, session):
    farmer = make.user()
    producer = make.producer(farmer)
    data = batch_form(producer, make.product(), photo=upload(TINY_PDF, "scan.jpg"))

    response = login(farmer).post("/batches/new", data=data, content_type="multipart/form-data")

    assert response.status_code == 422
    errors = field_errors(response, "photo")
    assert "照片须为 JPEG、PNG 或 WebP 格式。" in errors
    assert "请重新选择照片。" in errors
    assert count(session, Batch) == 0 and count(session, StoredFile) == 0


def test_farmer_without_producer_is_sent_to_register_one(make, login):
    response = login(make.user()).get("/batches/new")
    assert response.status_code == 302 and response.location.endswith("/producers/new")


def test_another_farmer_gets_403_on_batch_and_photo(make, login, session):
    owner, stranger = make.user(), make.user()
    producer = make.producer(owner)
    make.producer(stranger, name="别家农场")
    client = login(owner)
    client.post("/batches/new", content_type="multipart/form-data",
                data=batch_form(producer, make.product(), photo=upload(TINY_JPEG, "a.jpg")))
    batch = session.scalar(select(Batch))
    file_id = batch.photos[0].file_id
    other = login(stranger)

    page = other.get(f"/batches/{batch.id}")
    assert page.status_code == 403
    assert "只有该生产主体的成员可以查看其记录" in text(page)
    assert other.get(f"/files/{file_id}").status_code == 403
    forged = other.post("/batches/new", data=batch_form(producer, make.product(), plot="秘密地块"))
    assert forged.status_code == 422  # not one of their producers: not a valid choice
    assert count(session, Batch) == 1
    make.batch(producer, plot="东边的秘密地块")
    leak = other.post("/batches/new", data=batch_form(producer, make.product()))
    assert "东边的秘密地块" not in leak.get_data(as_text=True)  # no plot names of others


def test_buyer_cannot_reach_farmer_pages(make, login):
    buyer = make.user(Role.BUYER)
    batch = make.batch(make.producer(make.user()))
    client = login(buyer)
    for url in ("/batches/new", f"/batches/{batch.id}", "/inputs", "/inputs/new",
                "/producers/new", f"/batches/{batch.id}/tests/new"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "您没有权限这样做" in text(response)


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/batches/new")
    assert response.status_code == 302 and "/login" in response.location


def test_batch_page_explains_the_safety_interval(make, login):
    farmer = make.user()
    producer = make.producer(farmer)
    batch = make.batch(producer, plot="北大棚", harvest_date=YESTERDAY)
    sprayed = YESTERDAY - dt.timedelta(days=3)
    make.farm_input(producer, plot="北大棚", applied_on=sprayed, interval_days=7,
                    product_name="阿维菌素乳油")
    safe_from = sprayed + dt.timedelta(days=7)

    page = text(login(farmer).get(f"/batches/{batch.id}"))

    assert "安全间隔期未满" in page
    assert f"地块“北大棚”自{safe_from:%Y}年{safe_from.month}月{safe_from.day}日起才可采收" in page
    assert "阿维菌素乳油" in page and "安全间隔期 7 天" in page
    assert "本批次不得销售" in page


def test_listing_is_refused_while_the_interval_runs(make, login, session):
    farmer = make.user()
    producer = make.producer(farmer)
    batch = make.batch(producer, plot="北大棚", harvest_date=YESTERDAY)
    make.farm_input(producer, plot="北大棚", applied_on=YESTERDAY, interval_days=7)

    response = login(farmer).post(f"/batches/{batch.id}/status", data={"status": "listed"})

    assert response.status_code == 409
    assert "安全间隔期未满：采收时农药安全间隔期还没过" in text(response)
    session.refresh(batch)
    assert batch.status == BatchStatus.REGISTERED


def test_farmer_lists_then_marks_sold_out(make, login, session):
    farmer = make.user()
    batch = make.batch(make.producer(farmer))
    client = login(farmer)

    assert "挂牌销售" in text(client.get(f"/batches/{batch.id}"))
    response = client.post(f"/batches/{batch.id}/status", data={"status": "listed"})
    assert response.status_code == 302
    page = text(client.get(response.location))
    assert "状态已改为：在售" in page and "标记售罄" in page and "暂扣" not in page
    client.post(f"/batches/{batch.id}/status", data={"status": "sold_out"})
    session.refresh(batch)
    assert batch.status == BatchStatus.SOLD_OUT


def test_farmer_cannot_hold_a_batch(make, login, session):
    farmer = make.user()
    batch = make.batch(make.producer(farmer))
    response = login(farmer).post(f"/batches/{batch.id}/status",
                                  data={"status": "held", "reason": "自己扣"})
    assert response.status_code == 403
    session.refresh(batch)
    assert batch.status == BatchStatus.REGISTERED


def test_batch_page_shows_a_scaled_preview_linking_the_full_photo(make, login, session):
    big = io.BytesIO()
    Image.new("RGB", (1600, 1200), (40, 120, 60)).save(big, "JPEG")
    farmer = make.user()
    producer = make.producer(farmer)
    client = login(farmer)
    client.post("/batches/new", content_type="multipart/form-data",
                data=batch_form(producer, make.product(), photo=upload(big.getvalue(), "b.jpg")))
    batch_id, file_id = session.execute(select(BatchPhoto.batch_id, BatchPhoto.file_id)).one()

    page = client.get(f"/batches/{batch_id}").get_data(as_text=True)
    assert f'src="/files/{file_id}/preview"' in page
    assert f'href="/files/{file_id}"' in page
    with Image.open(io.BytesIO(client.get(f"/files/{file_id}/preview").data)) as preview:
        assert max(preview.size) == 480

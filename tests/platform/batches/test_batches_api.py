"""Batches through the API: registration, idempotent replay, permissions, safety interval."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import object_session

from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.models import Batch, Role
from tests.factories import Factory

TODAY = today_in_china()


def _plot_id(producer, name: str = "东地块") -> int:
    return Factory(object_session(producer)).plot(producer, name).id


def _payload(producer, product, **overrides):
    body = {
        "producer_id": producer.id,
        "product_id": product.id,
        "plot_id": _plot_id(producer),
        "harvest_date": (TODAY - dt.timedelta(days=1)).isoformat(),
        "quantity": "120",
        "unit": "jin",
        "grade": "一级",
    }
    body.update(overrides)
    return body


def _count(session):
    return session.scalar(select(func.count()).select_from(Batch))


def test_farmer_registers_batch_in_jin_and_gets_lot_code(make, login, session):
    farmer = make.user()
    producer = make.producer(farmer)
    client = login(farmer)

    response = client.post("/api/v1/batches", json=_payload(producer, make.product()))

    assert response.status_code == 201, response.json
    body = response.json
    assert body["quantity_g"] == 60_000  # 120 斤 x 500 g
    assert body["quantity_kg"] == "60"
    harvest = TODAY - dt.timedelta(days=1)
    assert body["lot_code"] == f"FY341222-{harvest:%y%m%d}-001"
    assert len(body["lot_code"]) <= 20
    assert body["status"] == "registered"
    assert body["safety"]["ok"] is True


def test_second_batch_same_day_gets_next_sequence(make, login):
    farmer = make.user()
    producer = make.producer(farmer)
    client = login(farmer)
    first = client.post("/api/v1/batches", json=_payload(producer, make.product())).json
    second = client.post("/api/v1/batches", json=_payload(producer, make.product())).json
    assert first["lot_code"].endswith("-001")
    assert second["lot_code"].endswith("-002")


def test_replayed_idempotency_key_returns_first_batch(make, login, session):
    farmer = make.user()
    producer = make.producer(farmer)
    client = login(farmer)
    body = _payload(producer, make.product(), idempotency_key="outbox-0001-abcdef")

    first = client.post("/api/v1/batches", json=body)
    again = client.post("/api/v1/batches", json=body)

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json["id"] == first.json["id"]
    assert _count(session) == 1


def test_bad_input_names_each_field_in_chinese_and_writes_nothing(make, login, session):
    farmer = make.user()
    producer = make.producer(farmer)
    client = login(farmer)
    body = _payload(producer, make.product(), quantity="-3", unit="担",
                    harvest_date="2026-13-01")
    del body["plot_id"]

    response = client.post("/api/v1/batches", json=body, headers={"Accept-Language": "zh-CN"})

    assert response.status_code == 422
    errors = response.json["errors"]
    assert set(errors) >= {"unit", "harvest_date", "plot_id"}
    assert "缺少" in errors["plot_id"][0] or "必填" in errors["plot_id"][0]
    assert _count(session) == 0


def test_bad_input_in_english_when_asked(make, login):
    farmer = make.user()
    producer = make.producer(farmer)
    client = login(farmer)
    body = _payload(producer, make.product(), quantity="0")

    response = client.post("/api/v1/batches", json=body, headers={"Accept-Language": "en"})

    assert response.status_code == 422
    assert response.json["errors"]["quantity"] == ["Enter a weight above zero (whole grams)."]


def test_farmer_cannot_touch_another_producers_batches(make, login):
    owner, stranger = make.user(), make.user()
    producer = make.producer(owner)
    make.producer(stranger, name="别家农场")
    batch = make.batch(producer)
    client = login(stranger)

    assert client.get(f"/api/v1/batches/{batch.id}").status_code == 403
    response = client.post("/api/v1/batches", json=_payload(producer, make.product()))
    assert response.status_code == 403
    assert client.get("/api/v1/batches").json == []


def test_buyer_sees_no_batches(make, login):
    farmer = make.user()
    make.batch(make.producer(farmer))
    buyer = make.user(Role.BUYER)
    response = login(buyer).get("/api/v1/batches")
    assert response.status_code == 403
    assert "message" in response.json


def test_anonymous_gets_401_json(client):
    response = client.get("/api/v1/batches")
    assert response.status_code == 401
    assert response.json["message"]


def test_listing_blocked_until_safety_interval_passes(make, login):
    farmer = make.user()
    producer = make.producer(farmer)
    harvest = TODAY - dt.timedelta(days=2)
    make.farm_input(producer, applied_on=harvest - dt.timedelta(days=3), interval_days=7)
    batch = make.batch(producer, harvest_date=harvest)
    client = login(farmer)

    detail = client.get(f"/api/v1/batches/{batch.id}").json
    assert detail["safety"]["ok"] is False
    assert detail["safety"]["flag"] == "安全间隔期未满"
    safe_from = harvest + dt.timedelta(days=4)
    assert detail["safety"]["safe_from"] == safe_from.isoformat()

    response = client.post(f"/api/v1/batches/{batch.id}/status", json={"status": "listed"},
                           headers={"Accept-Language": "zh"})
    assert response.status_code == 409
    assert "安全间隔期未满" in response.json["message"]
    assert client.get(f"/api/v1/batches/{batch.id}").json["status"] == "registered"


def test_listing_allowed_when_interval_passed(make, login):
    farmer = make.user()
    producer = make.producer(farmer)
    harvest = TODAY - dt.timedelta(days=1)
    make.farm_input(producer, applied_on=harvest - dt.timedelta(days=10), interval_days=7)
    batch = make.batch(producer, harvest_date=harvest)
    response = login(farmer).post(f"/api/v1/batches/{batch.id}/status", json={"status": "listed"})
    assert response.status_code == 200
    assert response.json["status"] == "listed"


def test_only_inspector_can_recall_and_must_say_why(make, login):
    farmer, inspector = make.user(), make.user(Role.INSPECTOR)
    batch = make.batch(make.producer(farmer))
    assert login(farmer).post(f"/api/v1/batches/{batch.id}/status",
                              json={"status": "recalled", "reason": "x"}).status_code == 403
    client = login(inspector)
    no_reason = client.post(f"/api/v1/batches/{batch.id}/status", json={"status": "recalled"})
    assert no_reason.status_code == 422
    done = client.post(f"/api/v1/batches/{batch.id}/status",
                       json={"status": "recalled", "reason": "农残超标"})
    assert done.status_code == 200
    assert done.json["status"] == "recalled"


def test_list_shows_safety_flag_and_stock_for_each_batch(make, login):
    farmer = make.user()
    producer = make.producer(farmer)
    harvest = TODAY - dt.timedelta(days=2)
    make.farm_input(producer, plot="西地块", applied_on=harvest - dt.timedelta(days=1))
    make.batch(producer, plot="西地块", harvest_date=harvest, quantity_g=10_000)
    make.batch(producer, plot="东地块", quantity_g=20_000)

    rows = login(farmer).get("/api/v1/batches").json

    by_plot = {row["plot"]["name"]: row for row in rows}
    assert by_plot["西地块"]["safety"]["flag"] == "安全间隔期未满"
    assert by_plot["东地块"]["safety"]["ok"] is True
    assert by_plot["东地块"]["remaining_g"] == 20_000


def test_chinese_is_sent_as_utf8_not_escaped(make, login):
    farmer = make.user()
    make.batch(make.producer(farmer, name="太和香椿合作社"))
    body = login(farmer).get("/api/v1/batches").get_data(as_text=True)
    assert "太和香椿合作社" in body

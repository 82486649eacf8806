"""Certifications through the API: records with expiry, computed in China's calendar."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import func, select

from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.models import Certification, Role

TODAY = today_in_china()


def _payload(producer, **overrides):
    body = {
        "producer_id": producer.id,
        "kind": "green_food",
        "number": "LB-18-21050123456A",
        "issuer": "中国绿色食品发展中心",
        "valid_from": (TODAY - dt.timedelta(days=100)).isoformat(),
        "valid_to": (TODAY + dt.timedelta(days=1000)).isoformat(),
    }
    body.update(overrides)
    return body


def _count(session):
    return session.scalar(select(func.count()).select_from(Certification))


def test_member_records_certification_with_product_and_scan(make, login):
    farmer = make.user()
    producer = make.producer(farmer)
    scan = make.stored_file(producer, data=b"\x89PNG\r\n\x1a\nscan", filename="证书.png",
                            content_type="image/png")
    product = make.product("Spinach")

    response = login(farmer).post("/api/v1/certifications", json=_payload(
        producer, product_id=product.id, file_id=scan.id))

    assert response.status_code == 201, response.json
    body = response.json
    assert body["expired"] is False
    assert body["product"]["name_zh"] == "菠菜"
    assert body["file_url"] == f"/api/v1/files/{scan.id}/content"
    assert body["producer_name"] == producer.name


def test_expired_follows_the_date_in_china(make, login):
    farmer = make.user()
    producer = make.producer(farmer)
    yesterday = make.certification(producer, valid_to=TODAY - dt.timedelta(days=1))
    today = make.certification(producer, valid_to=TODAY, number="2")
    client = login(farmer)

    assert client.get(f"/api/v1/certifications/{yesterday.id}").json["expired"] is True
    assert client.get(f"/api/v1/certifications/{today.id}").json["expired"] is False
    current = client.get("/api/v1/certifications?current=true").json
    assert [c["id"] for c in current] == [today.id]
    everything = client.get("/api/v1/certifications")
    assert json.loads(everything.headers["X-Pagination"])["total"] == 2


def test_end_before_start_and_unknown_product_are_named(make, login, session):
    farmer = make.user()
    producer = make.producer(farmer)

    response = login(farmer).post("/api/v1/certifications", json=_payload(
        producer, valid_to=(TODAY - dt.timedelta(days=200)).isoformat(), product_id=999999),
        headers={"Accept-Language": "en"})

    assert response.status_code == 422
    errors = response.json["errors"]
    assert errors["valid_to"] == ["The end date is before the start date."]
    assert "product_id" in errors
    assert _count(session) == 0


def test_edit_checks_dates_against_the_stored_ones_and_blank_fields(make, login):
    farmer = make.user()
    producer = make.producer(farmer)
    cert = make.certification(producer, valid_from=TODAY - dt.timedelta(days=10))
    client = login(farmer)

    early_end = client.patch(f"/api/v1/certifications/{cert.id}",
                             json={"valid_to": (TODAY - dt.timedelta(days=20)).isoformat()})
    blank = client.patch(f"/api/v1/certifications/{cert.id}", json={"number": " "})
    renewed = client.patch(f"/api/v1/certifications/{cert.id}",
                           json={"valid_to": (TODAY + dt.timedelta(days=30)).isoformat()})

    assert early_end.status_code == 422 and "valid_to" in early_end.json["errors"]
    assert blank.status_code == 422 and "number" in blank.json["errors"]
    assert renewed.status_code == 200
    assert renewed.json["valid_to"] == (TODAY + dt.timedelta(days=30)).isoformat()


def test_permissions(make, login, client):
    owner, stranger = make.user(), make.user()
    producer = make.producer(owner)
    make.producer(stranger, name="别家")
    cert = make.certification(producer)
    other = login(stranger)

    assert other.get(f"/api/v1/certifications/{cert.id}").status_code == 403
    assert other.post("/api/v1/certifications", json=_payload(producer)).status_code == 403
    assert other.patch(f"/api/v1/certifications/{cert.id}",
                       json={"notes": "x"}).status_code == 403
    assert other.get("/api/v1/certifications").json == []
    assert login(make.user(Role.BUYER)).get("/api/v1/certifications").status_code == 403
    assert login(make.user(Role.INSPECTOR)).get(
        f"/api/v1/certifications/{cert.id}").status_code == 200
    assert client.get("/api/v1/certifications").status_code == 401

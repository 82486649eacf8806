"""Temperature readings through the API: idempotent bulk upload by loggers, read back in order."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import func, select

from freshcircle.platform.models import Role, TemperatureReading
from tests.factories import PASSWORD

CST = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime.now(CST).replace(microsecond=0) - dt.timedelta(hours=3)


def _readings(count, sensor="TL-0001", start=START, celsius="2.5"):
    return [{"sensor_id": sensor, "recorded_at": (start + dt.timedelta(minutes=5 * i)).isoformat(),
             "celsius": celsius} for i in range(count)]


def _count(session):
    return session.scalar(select(func.count()).select_from(TemperatureReading))


def _setup(make, **shipment):
    farmer = make.user()
    producer = make.producer(farmer)
    carrier = make.user(Role.CARRIER)
    batch = make.batch(producer)
    made = make.shipment(created_by=farmer, carrier=carrier, lines=[(batch, 1_000)], **shipment)
    return farmer, carrier, made


def _token(client, user):
    issued = client.post("/api/v1/tokens", json={"phone": user.phone, "password": PASSWORD})
    return {"Authorization": f"Bearer {issued.json['token']}"}


def test_logger_uploads_with_a_bearer_token_and_resending_adds_nothing(make, client):
    _, carrier, shipment = _setup(make)
    headers = _token(client, carrier)
    url = f"/api/v1/shipments/{shipment.id}/temperatures"

    first = client.post(url, json={"readings": _readings(3)}, headers=headers)
    again = client.post(url, json={"readings": _readings(3)}, headers=headers)
    more = client.post(url, json={"readings": _readings(4)}, headers=headers)

    assert first.status_code == 200, first.json
    assert first.json == {"received": 3, "inserted": 3, "duplicates": 0}
    assert again.json == {"received": 3, "inserted": 0, "duplicates": 3}
    assert more.json == {"received": 4, "inserted": 1, "duplicates": 3}


def test_the_same_instant_in_another_offset_is_a_duplicate(make, client, session):
    _, carrier, shipment = _setup(make)
    utc = START.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    body = {"readings": [
        {"sensor_id": "TL-1", "recorded_at": START.isoformat(), "celsius": "3"},
        {"sensor_id": "TL-1", "recorded_at": utc, "celsius": "3.1"},
        {"sensor_id": "TL-2", "recorded_at": utc, "celsius": "3.2"},
    ]}

    response = client.post(f"/api/v1/shipments/{shipment.id}/temperatures", json=body,
                           headers=_token(client, carrier))

    assert response.json == {"received": 3, "inserted": 2, "duplicates": 1}
    assert _count(session) == 2


def test_one_bad_reading_names_its_index_and_nothing_is_written(make, client, session):
    _, carrier, shipment = _setup(make)
    readings = _readings(5)
    readings[3]["celsius"] = "80.5"
    readings[1]["recorded_at"] = "2026-11-26T08:00:00"
    del readings[4]["sensor_id"]

    response = client.post(f"/api/v1/shipments/{shipment.id}/temperatures",
                           json={"readings": readings}, headers={
                               **_token(client, carrier), "Accept-Language": "en"})

    assert response.status_code == 422
    errors = response.json["errors"]["readings"]
    assert errors["3"] == {"celsius": ["Between -60 and 80 °C."]}
    assert errors["1"] == {"recorded_at": ["Not a valid datetime: a time zone is required."]}
    assert errors["4"] == {"sensor_id": ["Missing data for required field."]}
    assert set(errors) == {"1", "3", "4"}
    assert _count(session) == 0


def test_future_readings_are_refused_by_index(make, client, session):
    _, carrier, shipment = _setup(make)
    readings = _readings(2)
    readings[1]["recorded_at"] = (dt.datetime.now(CST) + dt.timedelta(hours=1)).isoformat()
    response = client.post(f"/api/v1/shipments/{shipment.id}/temperatures",
                           json={"readings": readings}, headers=_token(client, carrier))
    assert response.status_code == 422
    assert set(response.json["errors"]["readings"]) == {"1"}
    assert _count(session) == 0


def test_5000_readings_fit_in_one_request_but_not_5001(make, client, session):
    _, carrier, shipment = _setup(make)
    headers = _token(client, carrier)
    url = f"/api/v1/shipments/{shipment.id}/temperatures"
    start = START - dt.timedelta(days=30)

    too_many = client.post(url, json={"readings": _readings(5001, start=start)}, headers=headers)
    full = client.post(url, json={"readings": _readings(5000, start=start)}, headers=headers)

    assert too_many.status_code == 422
    assert "readings" in too_many.json["errors"]
    assert full.status_code == 200
    assert full.json == {"received": 5000, "inserted": 5000, "duplicates": 0}
    assert _count(session) == 5000


def test_readings_read_back_in_time_order_filtered_and_paginated(make, login, client):
    farmer, carrier, shipment = _setup(make)
    body = {"readings": _readings(4, sensor="B") + _readings(3, sensor="A", celsius="-1.25")}
    client.post(f"/api/v1/shipments/{shipment.id}/temperatures", json=body,
                headers=_token(client, carrier))
    reader = login(farmer)
    url = f"/api/v1/shipments/{shipment.id}/temperatures"

    page = reader.get(f"{url}?page_size=4")
    assert page.status_code == 200
    assert json.loads(page.headers["X-Pagination"])["total"] == 7
    assert [(r["sensor_id"], r["celsius"]) for r in page.json] == [
        ("A", "-1.25"), ("B", "2.50"), ("A", "-1.25"), ("B", "2.50")]
    assert page.json[0]["recorded_at"] == START.astimezone(dt.UTC).isoformat()
    only_b = reader.get(f"{url}?sensor_id=B").json
    assert len(only_b) == 4
    since = (START + dt.timedelta(minutes=5)).isoformat()
    until = (START + dt.timedelta(minutes=10)).isoformat()
    window = reader.get(url, query_string={"since": since, "until": until}).json
    assert {r["recorded_at"] for r in window} == {
        (START + dt.timedelta(minutes=5)).astimezone(dt.UTC).isoformat()}
    naive = reader.get(url, query_string={"since": "2026-11-26T08:00:00"})
    assert naive.status_code == 422


def test_who_may_post_and_read(make, login, client):
    farmer, carrier, shipment = _setup(make)
    url = f"/api/v1/shipments/{shipment.id}/temperatures"
    body = {"readings": _readings(1)}
    other_carrier, stranger = make.user(Role.CARRIER), make.user()
    make.producer(stranger, name="别家")

    assert login(farmer).post(url, json=body).status_code == 200
    assert login(make.user(Role.INSPECTOR)).get(url).status_code == 200
    for user in (other_carrier, stranger, make.user(Role.BUYER)):
        assert login(user).post(url, json=body).status_code == 403
        assert login(user).get(url).status_code == 403
    assert client.post(url, json=body).status_code == 401
    assert client.get("/api/v1/shipments/999999/temperatures",
                      headers=_token(client, carrier)).status_code == 404


def test_revoked_logger_token_is_refused(make, client):
    _, carrier, shipment = _setup(make)
    issued = client.post("/api/v1/tokens", json={"phone": carrier.phone, "password": PASSWORD})
    headers = {"Authorization": f"Bearer {issued.json['token']}"}
    client.delete(f"/api/v1/tokens/{issued.json['id']}", headers=headers)
    response = client.post(f"/api/v1/shipments/{shipment.id}/temperatures",
                           json={"readings": _readings(1)}, headers=headers)
    assert response.status_code == 401


def test_cancelled_shipment_takes_no_readings(make, client, session):
    _, carrier, shipment = _setup(make, status="cancelled")
    response = client.post(f"/api/v1/shipments/{shipment.id}/temperatures",
                           json={"readings": _readings(2)}, headers=_token(client, carrier))
    assert response.status_code == 409
    assert response.json["message"]
    assert _count(session) == 0

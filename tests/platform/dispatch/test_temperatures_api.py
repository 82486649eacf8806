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
        {"sensor_id": "TL-1", "recorded_at": utc, "celsius": "3.00"},
        {"sensor_id": "TL-2", "recorded_at": utc, "celsius": "3.2"},
    ]}

    response = client.post(f"/api/v1/shipments/{shipment.id}/temperatures", json=body,
                           headers=_token(client, carrier))

    assert response.json == {"received": 3, "inserted": 2, "duplicates": 1}
    assert _count(session) == 2


def test_another_carriers_reading_for_the_same_logger_and_time_is_stored_and_alerts(
        make, client, session):
    """The issue's scenario: carrier A posts DEMO-LOGGER-S3 at T to its own shipment; carrier
    B's real 14 °C readings for that logger and time on its shipment are stored, not skipped
    as duplicates, and raise B's alert. A's readings stay as they were."""
    _, carrier_b, shipment_b = _setup(make)
    _, carrier_a, shipment_a = _setup(make)
    sent_a = client.post(f"/api/v1/shipments/{shipment_a.id}/temperatures", json={
        "readings": _readings(2, sensor="DEMO-LOGGER-S3", celsius="3.0", start=START)
        + _readings(1, sensor="DEMO-LOGGER-S3", celsius="3.0",
                    start=START + dt.timedelta(minutes=40))},
        headers=_token(client, carrier_a))
    assert sent_a.json == {"received": 3, "inserted": 3, "duplicates": 0}

    real = [{"sensor_id": "DEMO-LOGGER-S3", "recorded_at": at.isoformat(), "celsius": "14.0"}
            for at in (START, START + dt.timedelta(minutes=40))]
    headers_b = _token(client, carrier_b)
    sent_b = client.post(f"/api/v1/shipments/{shipment_b.id}/temperatures",
                         json={"readings": real}, headers=headers_b)

    assert sent_b.status_code == 200, sent_b.json
    assert sent_b.json == {"received": 2, "inserted": 2, "duplicates": 0}
    stored_b = client.get(f"/api/v1/shipments/{shipment_b.id}/temperatures",
                          headers=headers_b).json
    assert [r["celsius"] for r in stored_b] == ["14.00", "14.00"]
    (alert,) = client.get(f"/api/v1/shipments/{shipment_b.id}/alerts", headers=headers_b).json
    assert alert["side"] == "above" and alert["extreme_c"] == "14.00"
    stored_a = client.get(f"/api/v1/shipments/{shipment_a.id}/temperatures",
                          headers=_token(client, carrier_a)).json
    assert [r["celsius"] for r in stored_a] == ["3.00", "3.00", "3.00"]


def test_a_reading_that_conflicts_with_a_stored_one_is_refused_by_index(make, client, session):
    _, carrier, shipment = _setup(make)
    headers = {**_token(client, carrier), "Accept-Language": "en"}
    url = f"/api/v1/shipments/{shipment.id}/temperatures"
    assert client.post(url, json={"readings": _readings(2, celsius="14.0")},
                       headers=headers).json["inserted"] == 2

    # an identical resend is an idempotent duplicate
    again = client.post(url, json={"readings": _readings(2, celsius="14")}, headers=headers)
    assert again.json == {"received": 2, "inserted": 0, "duplicates": 2}
    # a different value for a stored (logger, time) is refused, naming the reading;
    # the request's new reading is not written either
    changed = _readings(3, celsius="14.0")
    changed[1]["celsius"] = "4.0"
    refused = client.post(url, json={"readings": changed}, headers=headers)
    assert refused.status_code == 422, refused.json
    errors = refused.json["errors"]["readings"]
    assert set(errors) == {"1"}
    assert "14.00" in errors["1"]["celsius"][0] and "stored" in errors["1"]["celsius"][0]
    assert _count(session) == 2
    # two different values for one logger and time in one request: refused too
    twice = _readings(1, sensor="TL-9") + _readings(1, sensor="TL-9", celsius="9.9")
    doubled = client.post(url, json={"readings": twice}, headers=headers)
    assert doubled.status_code == 422 and set(doubled.json["errors"]["readings"]) == {"1"}
    assert _count(session) == 2
    zh = client.post(url, json={"readings": changed},
                     headers={**headers, "Accept-Language": "zh"})
    assert "14.00" in zh.json["errors"]["readings"]["1"]["celsius"][0]


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

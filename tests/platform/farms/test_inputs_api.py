"""Farm inputs through the API: pesticide records with their pre-harvest interval."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import func, select
from sqlalchemy.orm import object_session

from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.models import FarmInput, Role
from tests.factories import Factory

TODAY = today_in_china()


def _plot_id(producer, name: str = "东地块") -> int:
    return Factory(object_session(producer)).plot(producer, name).id


def _payload(producer, **overrides):
    body = {
        "producer_id": producer.id,
        "kind": "pesticide",
        "product_name": "阿维菌素",
        "active_ingredient": "abamectin",
        "dose": "30 mL/亩",
        "plot_id": _plot_id(producer),
        "applied_on": (TODAY - dt.timedelta(days=2)).isoformat(),
        "pre_harvest_interval_days": 7,
    }
    body.update(overrides)
    return body


def _count(session):
    return session.scalar(select(func.count()).select_from(FarmInput))


def test_member_records_pesticide_with_safe_harvest_date(make, login):
    farmer = make.user()
    producer = make.producer(farmer)

    response = login(farmer).post("/api/v1/inputs", json=_payload(producer))

    assert response.status_code == 201, response.json
    body = response.json
    assert body["safe_harvest_date"] == (TODAY + dt.timedelta(days=5)).isoformat()
    assert body["kind"] == "pesticide"
    assert body["dose"] == "30 mL/亩"


def test_recorded_pesticide_blocks_listing_a_batch_from_that_plot(make, login):
    farmer = make.user()
    producer = make.producer(farmer)
    batch = make.batch(producer, harvest_date=TODAY - dt.timedelta(days=1))
    client = login(farmer)

    assert client.post("/api/v1/inputs", json=_payload(producer)).status_code == 201

    assert client.get(f"/api/v1/batches/{batch.id}").json["safety"]["ok"] is False


def test_pesticide_needs_interval_and_dates_cannot_be_future(make, login, session):
    farmer = make.user()
    producer = make.producer(farmer)
    client = login(farmer)
    body = _payload(producer, applied_on=(TODAY + dt.timedelta(days=3)).isoformat())
    del body["pre_harvest_interval_days"]

    response = client.post("/api/v1/inputs", json=body, headers={"Accept-Language": "en"})

    assert response.status_code == 422
    errors = response.json["errors"]
    assert errors["applied_on"] == ["The application date cannot be in the future."]
    assert errors["pre_harvest_interval_days"] == [
        "A pesticide needs its pre-harvest interval (see its label)."
    ]
    too_long = client.post("/api/v1/inputs", json=_payload(producer, pre_harvest_interval_days=400))
    assert too_long.status_code == 422
    assert "pre_harvest_interval_days" in too_long.json["errors"]
    assert _count(session) == 0


def test_schema_names_missing_fields(make, login, session):
    farmer = make.user()
    producer = make.producer(farmer)
    body = _payload(producer, kind="herbicide")
    del body["dose"]
    response = login(farmer).post("/api/v1/inputs", json=body)
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"dose", "kind"}
    assert _count(session) == 0


def test_fertiliser_needs_no_interval(make, login):
    farmer = make.user()
    producer = make.producer(farmer)
    body = _payload(producer, kind="fertiliser", product_name="复合肥", dose="40 kg/亩")
    del body["pre_harvest_interval_days"]
    response = login(farmer).post("/api/v1/inputs", json=body)
    assert response.status_code == 201
    assert response.json["pre_harvest_interval_days"] == 0


def test_other_producers_farmer_buyer_and_anonymous_are_refused(make, login, client):
    owner, stranger = make.user(), make.user()
    producer = make.producer(owner)
    make.producer(stranger, name="别家")
    record = make.farm_input(producer, applied_on=TODAY - dt.timedelta(days=3))
    other = login(stranger)

    assert other.get(f"/api/v1/inputs/{record.id}").status_code == 403
    assert other.post("/api/v1/inputs", json=_payload(producer)).status_code == 403
    assert other.patch(f"/api/v1/inputs/{record.id}", json={"dose": "1"}).status_code == 403
    assert other.get("/api/v1/inputs").json == []
    assert login(make.user(Role.BUYER)).get("/api/v1/inputs").status_code == 403
    assert client.get("/api/v1/inputs").status_code == 401


def test_list_filters_by_plot_and_paginates(make, login):
    farmer = make.user()
    producer = make.producer(farmer)
    for days, plot in ((3, "东地块"), (2, "西地块"), (1, "东地块")):
        make.farm_input(producer, plot=plot, applied_on=TODAY - dt.timedelta(days=days))
    client = login(farmer)

    east = client.get(f"/api/v1/inputs?plot_id={make.plot(producer, '东地块').id}")
    assert [r["applied_on"] for r in east.json] == [
        (TODAY - dt.timedelta(days=1)).isoformat(), (TODAY - dt.timedelta(days=3)).isoformat()
    ]
    assert json.loads(east.headers["X-Pagination"])["total"] == 2
    inspector = login(make.user(Role.INSPECTOR))
    assert len(inspector.get(f"/api/v1/inputs?producer_id={producer.id}").json) == 3


def test_member_corrects_a_record_but_cannot_blank_it(make, login):
    farmer = make.user()
    producer = make.producer(farmer)
    record = make.farm_input(producer, applied_on=TODAY - dt.timedelta(days=3))
    client = login(farmer)

    fixed = client.patch(f"/api/v1/inputs/{record.id}", json={"pre_harvest_interval_days": 14})
    assert fixed.status_code == 200
    assert fixed.json["safe_harvest_date"] == (TODAY + dt.timedelta(days=11)).isoformat()
    blank = client.patch(f"/api/v1/inputs/{record.id}", json={"plot_id": None})
    assert blank.status_code == 422
    assert "plot_id" in blank.json["errors"]
    assert client.get(f"/api/v1/inputs/{record.id}").json["plot"]["name"] == "东地块"

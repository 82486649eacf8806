"""Places through the API: everyone reads them; admins and producer managers add them."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from freshcircle.platform.models import Place, Role


def _payload(**overrides):
    body = {"name_zh": "太和冷库", "name_en": "Taihe Cold Store 1", "kind": "cold_store",
            "latitude": "33.16", "longitude": "115.62", "admin_code": "341222"}
    body.update(overrides)
    return body


def _count(session):
    return session.scalar(select(func.count()).select_from(Place))


def test_reference_places_are_listed_for_any_user(make, login):
    client = login(make.user(Role.BUYER))

    response = client.get("/api/v1/places?q=Taihe")

    assert response.status_code == 200
    assert [p["name_zh"] for p in response.json] == ["太和县"]
    assert response.json[0]["admin_code"] == "341222"
    markets = client.get("/api/v1/places?kind=wholesale_market&page_size=2")
    assert {p["kind"] for p in markets.json} == {"wholesale_market"}
    assert json.loads(markets.headers["X-Pagination"])["total"] >= 2
    place_id = response.json[0]["id"]
    assert client.get(f"/api/v1/places/{place_id}").json["name_en"] == "Taihe County"


def test_admin_adds_a_hub_and_the_division_name_is_filled_in(make, login):
    response = login(make.user(Role.ADMIN)).post(
        "/api/v1/places", json=_payload(kind="hub", name_zh="阜阳物流园", name_en="Fuyang Hub"))
    assert response.status_code == 201, response.json
    assert response.json["admin_name"] == "太和县"
    assert response.json["latitude"] == "33.160000"


def test_manager_adds_a_cold_store_for_their_producer(make, login):
    farmer = make.user()
    producer = make.producer(farmer)
    client = login(farmer)

    response = client.post("/api/v1/places",
                           json=_payload(producer_id=producer.id, name_en=None))

    assert response.status_code == 201, response.json
    assert response.json["producer_id"] == producer.id
    assert response.json["name_en"] == "太和冷库"  # the Chinese name stands in
    mine = client.get(f"/api/v1/places?producer_id={producer.id}").json
    assert [p["id"] for p in mine] == [response.json["id"]]


def test_producers_may_add_only_their_own_farms_and_cold_stores(make, login, session):
    farmer, member = make.user(), make.user()
    producer = make.producer(farmer)
    make.producer(member, name="合作社二", manager=False)
    other = make.producer(name="别家")
    client = login(farmer)
    before = _count(session)

    hub = client.post("/api/v1/places", json=_payload(kind="hub", producer_id=producer.id))
    foreign = client.post("/api/v1/places", json=_payload(producer_id=other.id))
    unlinked = client.post("/api/v1/places", json=_payload())
    not_manager = login(member).post("/api/v1/places", json=_payload(producer_id=producer.id))

    assert hub.status_code == 403
    assert foreign.status_code == 403
    assert unlinked.status_code == 422 and "producer_id" in unlinked.json["errors"]
    assert not_manager.status_code == 403
    for role in (Role.BUYER, Role.CARRIER, Role.INSPECTOR):
        assert login(make.user(role)).post("/api/v1/places", json=_payload()).status_code == 403
    assert _count(session) == before


def test_coordinates_code_and_name_are_checked(make, login, session):
    client = login(make.user(Role.ADMIN))
    before = _count(session)

    response = client.post("/api/v1/places", json=_payload(
        latitude="91", longitude="-180.5", admin_code="34122", name_en="Taihe County"),
        headers={"Accept-Language": "en"})
    unknown = client.post("/api/v1/places", json=_payload(admin_code="990000"))
    nameless = client.post("/api/v1/places", json=_payload(admin_code="320506"))
    typed = client.post("/api/v1/places", json=_payload(latitude="north"))

    assert response.status_code == 422
    errors = response.json["errors"]
    assert errors["latitude"] == ["Latitude runs from -90 to 90 degrees."]
    assert errors["longitude"] == ["Longitude runs from -180 to 180 degrees."]
    assert errors["admin_code"] == ["Enter a 6-digit GB/T 2260 code, e.g. 341222."]
    assert errors["name_en"] == ["Another place already has this name."]
    assert unknown.status_code == 422 and "admin_code" in unknown.json["errors"]
    assert nameless.status_code == 422 and "admin_name" in nameless.json["errors"]
    assert typed.status_code == 422 and "latitude" in typed.json["errors"]
    assert _count(session) == before


def test_edits_by_admin_and_by_the_owning_manager(make, login):
    farmer, stranger = make.user(), make.user()
    producer = make.producer(farmer)
    make.producer(stranger, name="别家")
    store = make.new_place(producer=producer)
    city = make.place("Taihe County")

    assert login(stranger).patch(f"/api/v1/places/{store.id}",
                                 json={"name_zh": "x"}).status_code == 403
    assert login(farmer).patch(f"/api/v1/places/{city.id}",
                               json={"name_zh": "x"}).status_code == 403
    as_hub = login(farmer).patch(f"/api/v1/places/{store.id}", json={"kind": "hub"})
    assert as_hub.status_code == 403
    moved = login(farmer).patch(f"/api/v1/places/{store.id}",
                                json={"latitude": "33.2", "admin_code": "341226"})
    assert moved.status_code == 200, moved.json
    assert moved.json["latitude"] == "33.200000"
    assert moved.json["admin_name"] == "颍上县"
    renamed = login(make.user(Role.ADMIN)).patch(f"/api/v1/places/{city.id}",
                                                 json={"name_zh": "太和县城"})
    assert renamed.status_code == 200
    assert renamed.json["name_zh"] == "太和县城"


def test_unknown_place_404_and_anonymous_401(make, login, client):
    assert login(make.user()).get("/api/v1/places/999999").status_code == 404
    assert client.get("/api/v1/places").status_code == 401

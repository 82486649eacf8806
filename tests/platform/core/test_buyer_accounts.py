"""The buyer's account: company, delivery sites (coordinates from a city or typed, receiving
hours), the default site; pages and API; a buyer sees only their own sites."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from freshcircle.platform.models import BuyerProfile, Place, PlaceKind, Role
from tests.platform.market_helpers import buyer_with_site
from tests.platform.page_helpers import text


def test_new_buyer_adds_a_site_from_a_city_and_it_becomes_the_default(make, login, session):
    buyer = make.user(Role.BUYER, name="赵经理")
    client = login(buyer)
    assert "还没有收货点" in text(client.get("/account"))
    shanghai = make.place("Shanghai")
    form = client.get("/account/sites/new").get_data(as_text=True)
    assert f'value="{shanghai.id}"' in form

    added = client.post("/account/sites/new", data={
        "name": "闵行配送中心", "reference_place_id": shanghai.id,
        "receiving_from": "05:00", "receiving_to": "10:30"})
    assert added.status_code == 302
    site = session.scalar(select(Place).where(Place.buyer_id == buyer.id))
    assert (site.kind, site.latitude, site.longitude) == (
        PlaceKind.BUYER_SITE, shanghai.latitude, shanghai.longitude)
    assert session.get(BuyerProfile, buyer.id).default_site_id == site.id
    shown = text(client.get("/account"))
    assert "闵行配送中心" in shown and "默认" in shown and "05:00–10:30" in shown

    client.post("/account", data={"company": "上海鲜蔬有限公司", "default_site_id": site.id})
    assert session.get(BuyerProfile, buyer.id).company == "上海鲜蔬有限公司"


def test_site_rules_and_editing(make, login, session):
    buyer, site = buyer_with_site(make, session)
    client = login(buyer)
    bad = client.post("/account/sites/new", data={"name": "", "latitude": "121.4",
                                                  "longitude": "31.2",
                                                  "receiving_from": "10:00"})
    assert bad.status_code == 422
    shown = text(bad)
    assert "北纬 18 到 54" in shown
    edited = client.post(f"/account/sites/{site.id}", data={
        "name": "新名字", "latitude": "31.2", "longitude": "121.5",
        "receiving_from": "06:00", "receiving_to": "05:00"})
    assert edited.status_code == 422
    ok = client.post(f"/account/sites/{site.id}", data={
        "name": "新名字", "latitude": "31.2", "longitude": "121.5"})
    assert ok.status_code == 302
    session.refresh(site)
    assert (site.name_zh, site.latitude) == ("新名字", Decimal("31.2"))


def test_a_buyer_sees_only_their_own_sites(make, login, session):
    buyer, _ = buyer_with_site(make, session)
    _, other_site = buyer_with_site(make, session, name="别家")
    client = login(buyer)
    assert client.get(f"/account/sites/{other_site.id}").status_code == 404
    assert client.patch(f"/api/v1/account/sites/{other_site.id}",
                        json={"name": "x"}).status_code == 404
    refused = client.put("/api/v1/account", json={"default_site_id": other_site.id})
    assert refused.status_code == 422
    assert login(make.user(Role.FARMER)).get("/account").status_code == 403


def test_account_api(make, login, session):
    buyer, site = buyer_with_site(make, session)
    client = login(buyer)
    account = client.get("/api/v1/account").get_json()
    assert account["default_site_id"] == site.id and len(account["sites"]) == 1

    created = client.post("/api/v1/account/sites", json={
        "name": "杭州仓", "latitude": "30.28", "longitude": "120.15",
        "receiving_from": "06:00:00", "receiving_to": "18:00:00", "make_default": True})
    assert created.status_code == 201, created.get_json()
    new_id = created.get_json()["id"]
    assert client.get("/api/v1/account").get_json()["default_site_id"] == new_id
    patched = client.patch(f"/api/v1/account/sites/{new_id}",
                           json={"receiving_from": None, "receiving_to": None})
    assert patched.get_json()["receiving_from"] is None
    assert len(client.get("/api/v1/account/sites").get_json()) == 2
    put = client.put("/api/v1/account", json={"company": "杭州鲜果", "default_site_id": site.id})
    assert put.get_json()["company"] == "杭州鲜果"
    bad = client.post("/api/v1/account/sites", json={"name": "x", "latitude": "91"})
    assert bad.status_code == 422
    assert set(bad.get_json()["errors"]) >= {"latitude", "longitude"}
    assert login(make.user(Role.CARRIER)).get("/api/v1/account").status_code == 403

"""Listing a batch through the API: rules, per-field 422 writing nothing, permissions, edits."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.models import (
    BatchStatus,
    ContractPrice,
    Listing,
    ListingTier,
    Role,
)
from freshcircle.platform.models import TestResult as Result

TODAY = today_in_china()
EN = {"Accept-Language": "en"}


def terms(**overrides) -> dict:
    body = {"price": "3.50", "unit": "jin", "min_order": "100", "quantity": "600",
            "available_to": (TODAY + dt.timedelta(days=10)).isoformat(),
            "specification": "10斤/箱"}
    body.update(overrides)
    return body


def seller(make, **batch_extra):
    """A farmer, their co-op and a 1,000 斤 garlic batch."""
    farmer = make.user()
    producer = make.producer(farmer, contact_phone="13955550000")
    batch = make.batch(producer, product=make.product("Garlic (cured bulb)"),
                       quantity_g=500_000, variety="白皮蒜", grade="一级", **batch_extra)
    return farmer, producer, batch


def _listings(session) -> int:
    return session.scalar(select(func.count()).select_from(Listing))


def test_member_lists_batch_price_per_jin_and_per_kg(make, login, session):
    farmer, _, batch = seller(make)
    client = login(farmer)
    response = client.post(f"/api/v1/batches/{batch.id}/listing", json=terms(
        tiers=[{"min_quantity": "300", "price": "3.20"}]))
    assert response.status_code == 201, response.json
    body = response.json
    assert body["price_fen_per_jin"] == 350
    assert (body["price_per_jin"], body["price_per_kg"]) == ("3.50", "7.00")
    assert body["price_text"] == {"jin": "¥3.50", "kg": "¥7.00"}
    assert body["min_order_g"] == 50_000 and body["offered_g"] == 300_000
    assert body["left_jin"] == "600"
    assert body["tiers"] == [{"min_g": 150_000, "price_fen_per_jin": 320,
                              "price_per_jin": "3.20", "price_per_kg": "6.40"}]
    assert body["county_code"] == "341222" and body["grade"] == "一级"
    session.expire_all()
    assert session.get(type(batch), batch.id).status == BatchStatus.LISTED


def test_price_per_kg_is_stored_per_jin(make, login):
    farmer, _, batch = seller(make)
    body = login(farmer).post(f"/api/v1/batches/{batch.id}/listing", json=terms(
        price="7", unit="kg", min_order="50", quantity=None)).json
    assert body["price_fen_per_jin"] == 350
    assert body["offered_g"] == 500_000  # default: everything the batch has left


def test_quantity_never_above_what_is_left(make, login, session):
    farmer, _, batch = seller(make)
    response = login(farmer).post(f"/api/v1/batches/{batch.id}/listing",
                                  json=terms(quantity="1001"))
    assert response.status_code == 422
    assert "quantity" in response.json["errors"]
    assert _listings(session) == 0


def test_errors_per_field_and_nothing_written(make, login, session):
    farmer, _, batch = seller(make)
    response = login(farmer).post(f"/api/v1/batches/{batch.id}/listing", json=terms(
        price="0", min_order="700",
        tiers=[{"min_quantity": "50", "price": "3"}],
        contract_prices=[{"buyer_phone": "13000000000", "price": "3"}]))
    assert response.status_code == 422
    errors = response.json["errors"]
    assert set(errors) >= {"price", "min_order", "contract_prices"}
    assert _listings(session) == 0
    assert session.scalar(select(func.count()).select_from(ListingTier)) == 0


def test_tier_must_start_above_minimum(make, login, session):
    farmer, _, batch = seller(make)
    response = login(farmer).post(f"/api/v1/batches/{batch.id}/listing", json=terms(
        tiers=[{"min_quantity": "100", "price": "3.20"}]))
    assert response.status_code == 422
    assert "tiers" in response.json["errors"]
    assert _listings(session) == 0


def test_held_batch_refused_with_reason(make, login, session):
    farmer, _, batch = seller(make, status=BatchStatus.HELD)
    response = login(farmer).post(f"/api/v1/batches/{batch.id}/listing", json=terms(),
                                  headers=EN)
    assert response.status_code == 409
    assert "held" in response.json["message"]
    assert _listings(session) == 0


def test_recalled_and_failed_test_and_unsafe_refused(make, login, session):
    farmer, producer, recalled = seller(make, status=BatchStatus.RECALLED)
    client = login(farmer)
    assert client.post(f"/api/v1/batches/{recalled.id}/listing",
                       json=terms()).status_code == 409
    failed = make.batch(producer, product=make.product("Garlic (cured bulb)"))
    make.residue_test(failed, result=Result.FAIL)
    response = client.post(f"/api/v1/batches/{failed.id}/listing", json=terms(), headers=EN)
    assert response.status_code == 409 and "residue test" in response.json["message"]
    unsafe = make.batch(producer, plot="西地块", harvest_date=TODAY - dt.timedelta(days=1))
    make.farm_input(producer, plot="西地块", applied_on=TODAY - dt.timedelta(days=3),
                    interval_days=7)
    response = client.post(f"/api/v1/batches/{unsafe.id}/listing", json=terms())
    assert response.status_code == 409 and "安全间隔期未满" in response.json["message"]
    assert _listings(session) == 0


def test_only_members_list(make, login, session):
    _, _, batch = seller(make)
    outsider = make.user()
    make.producer(outsider, name="别的农场")
    buyer = make.user(Role.BUYER)
    for user in (outsider, buyer):
        response = login(user).post(f"/api/v1/batches/{batch.id}/listing", json=terms())
        assert response.status_code == 403
    assert _listings(session) == 0


def test_anonymous_gets_401(client, make):
    _, _, batch = seller(make)
    assert client.post(f"/api/v1/batches/{batch.id}/listing", json=terms()).status_code == 401
    assert client.get("/api/v1/listings").status_code == 401


def test_patch_changes_only_given_fields_and_contract_price(make, login, session):
    farmer, _, batch = seller(make)
    buyer = make.user(Role.BUYER, phone="13912345678")
    client = login(farmer)
    listing_id = client.post(f"/api/v1/batches/{batch.id}/listing", json=terms()).json["id"]
    response = client.patch(f"/api/v1/listings/{listing_id}", json={
        "price": "3.80", "contract_prices": [{"buyer_phone": "13912345678", "price": "3.30"}]})
    assert response.status_code == 200, response.json
    assert response.json["price_fen_per_jin"] == 380
    assert response.json["offered_g"] == 300_000  # kept
    assert session.get(ContractPrice, (listing_id, buyer.id)).price_fen_per_jin == 330
    too_much = client.patch(f"/api/v1/listings/{listing_id}", json={"quantity": "1200"})
    assert too_much.status_code == 422 and "quantity" in too_much.json["errors"]


def test_pause_resume_close(make, login):
    farmer, _, batch = seller(make)
    client = login(farmer)
    listing_id = client.post(f"/api/v1/batches/{batch.id}/listing", json=terms()).json["id"]
    url = f"/api/v1/listings/{listing_id}/status"
    assert client.post(url, json={"status": "paused"}).json["status"] == "paused"
    assert client.post(url, json={"status": "active"}).json["status"] == "active"
    assert client.post(url, json={"status": "closed"}).json["status"] == "closed"
    assert client.post(url, json={"status": "active"}).status_code == 409
    assert client.post(url, json={"status": "sold"}).status_code == 422


def test_buyer_cannot_change_or_see_paused_listing(make, login):
    farmer, _, batch = seller(make)
    client = login(farmer)
    listing_id = client.post(f"/api/v1/batches/{batch.id}/listing", json=terms()).json["id"]
    buyer = login(make.user(Role.BUYER))
    assert buyer.get(f"/api/v1/listings/{listing_id}").status_code == 200
    assert buyer.patch(f"/api/v1/listings/{listing_id}",
                       json={"price": "1"}).status_code == 403
    assert buyer.post(f"/api/v1/listings/{listing_id}/status",
                      json={"status": "closed"}).status_code == 403
    client.post(f"/api/v1/listings/{listing_id}/status", json={"status": "paused"})
    assert buyer.get(f"/api/v1/listings/{listing_id}").status_code == 404
    assert client.get(f"/api/v1/listings/{listing_id}").status_code == 200


def test_search_in_english_formats_money_cn_yuan(make, login):
    farmer, _, batch = seller(make)
    login(farmer).post(f"/api/v1/batches/{batch.id}/listing", json=terms(price="1234.5"))
    buyer = login(make.user(Role.BUYER))
    body = buyer.get("/api/v1/listings?q=大蒜", headers={"Accept-Language": "en"}).json
    assert [item["price_text"] for item in body["items"]] == [
        {"jin": "CN¥1,234.50", "kg": "CN¥2,469.00"}]
    body = buyer.get("/api/v1/listings?q=大蒜", headers={"Accept-Language": "zh"}).json
    assert body["items"][0]["price_text"]["jin"] == "¥1,234.50"


def test_inspector_only_holds_and_releases_producers_list_and_close(make, login, session):
    """An inspector holds (pauses) and releases a listing, never reactivates a listing its
    producer paused nor closes one; the producer cannot lift an inspector's hold."""
    farmer, _, batch = seller(make)
    client = login(farmer)
    listing_id = client.post(f"/api/v1/batches/{batch.id}/listing", json=terms()).json["id"]
    url = f"/api/v1/listings/{listing_id}/status"
    inspector = login(make.user(Role.INSPECTOR))

    # the producer pauses; the inspector may not put it back on sale, nor close it
    assert client.post(url, json={"status": "paused"}).json["status"] == "paused"
    reactivated = inspector.post(url, json={"status": "active"}, headers=EN)
    assert reactivated.status_code == 403, reactivated.json
    assert "inspector" in reactivated.json["message"]
    assert inspector.post(url, json={"status": "closed"}).status_code == 403
    session.expire_all()
    assert session.get(Listing, listing_id).status == "paused"

    # on sale again; the inspector holds it and the producer cannot lift the hold
    assert client.post(url, json={"status": "active"}).json["status"] == "active"
    assert inspector.post(url, json={"status": "paused"}).json["status"] == "paused"
    lifted = client.post(url, json={"status": "active"}, headers=EN)
    assert lifted.status_code == 409 and "held by an inspector" in lifted.json["message"]
    session.expire_all()
    assert session.get(Listing, listing_id).status == "paused"

    # the inspector releases it: back on sale as it was before the hold
    assert inspector.post(url, json={"status": "active"}).json["status"] == "active"
    assert inspector.post(url, json={"status": "active"}).status_code == 403  # nothing held
    # a hold on a listing its producer had paused releases to paused, not onto the market
    client.post(url, json={"status": "paused"})
    assert inspector.post(url, json={"status": "paused"}).status_code == 200
    assert inspector.post(url, json={"status": "active"}).json["status"] == "paused"
    # the producer closes
    assert client.post(url, json={"status": "closed"}).json["status"] == "closed"

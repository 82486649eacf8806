"""The producer's listing page: from the batch page, the form, per-field errors, edit, pause."""

from __future__ import annotations

import datetime as dt

from freshcircle.platform.models import BatchStatus, Listing, ListingStatus, Role
from tests.platform.market.test_listings_api import TODAY, seller
from tests.platform.page_helpers import count, field_errors, input_value, text


def form(**overrides) -> dict:
    data = {"price_jin": "3.50", "price_kg": "7.00", "unit": "jin", "min_order": "100",
            "quantity": "600", "available_from": TODAY.isoformat(),
            "available_to": (TODAY + dt.timedelta(days=7)).isoformat(),
            "specification": "10斤/箱", "tier1_qty": "300", "tier1_price": "3.20"}
    data.update(overrides)
    return data


def test_batch_page_links_to_listing_form_with_what_is_left(make, login):
    farmer, _, batch = seller(make)
    client = login(farmer)
    page = client.get(f"/batches/{batch.id}")
    assert 'id="list-batch"' in page.get_data(as_text=True)
    form_page = client.get(f"/batches/{batch.id}/listing")
    assert form_page.status_code == 200
    assert input_value(form_page, "quantity") == "1000"  # default: all 1,000 斤 left
    body = form_page.get_data(as_text=True)
    assert 'inputmode="decimal"' in body and "起订量" in text(form_page)


def test_held_batch_shows_reason_instead_of_link(make, login):
    farmer, _, batch = seller(make, status=BatchStatus.HELD)
    client = login(farmer)
    page = client.get(f"/batches/{batch.id}")
    assert 'id="list-batch"' not in page.get_data(as_text=True)
    assert 'id="list-batch-refusal"' in page.get_data(as_text=True)
    assert client.get(f"/batches/{batch.id}/listing").get_data(as_text=True).count(
        'id="refusal"') == 1
    response = client.post(f"/batches/{batch.id}/listing", data=form())
    assert response.status_code == 409


def test_list_edit_pause_resume_close(make, login, session):
    farmer, _, batch = seller(make)
    client = login(farmer)
    response = client.post(f"/batches/{batch.id}/listing", data=form(price_kg=""))
    assert response.status_code == 302, text(response)
    listing = session.query(Listing).filter_by(batch_id=batch.id).one()
    assert listing.price_fen_per_jin == 350 and listing.offered_g == 300_000
    assert [(t.min_g, t.price_fen_per_jin) for t in listing.tiers] == [(150_000, 320)]
    page = client.get(f"/batches/{batch.id}/listing")
    assert input_value(page, "price_kg") == "7.00"
    # Price typed per kg only; weights in kg.
    response = client.post(f"/batches/{batch.id}/listing", data=form(
        price_jin="", price_kg="8", unit="kg", min_order="50", quantity="300", tier1_qty="",
        tier1_price=""))
    assert response.status_code == 302
    session.expire_all()
    listing = session.get(Listing, listing.id)
    assert listing.price_fen_per_jin == 400 and listing.offered_g == 300_000
    assert listing.tiers == []
    url = f"/batches/{batch.id}/listing/status"
    client.post(url, data={"status": "paused"})
    session.expire_all()
    assert session.get(Listing, listing.id).status == ListingStatus.PAUSED
    client.post(url, data={"status": "active"})
    client.post(url, data={"status": "closed"})
    session.expire_all()
    assert session.get(Listing, listing.id).status == ListingStatus.CLOSED
    assert 'id="closed"' in client.get(f"/batches/{batch.id}/listing").get_data(as_text=True)


def test_errors_under_each_field_and_nothing_saved(make, login, session):
    farmer, _, batch = seller(make)
    response = login(farmer).post(f"/batches/{batch.id}/listing", data=form(
        price_jin="3.50", price_kg="8.00", quantity="2000", tier1_qty="50",
        contract_phone="13000000000", contract_price="3"))
    assert response.status_code == 422
    assert field_errors(response, "price_kg")
    assert count(session, Listing) == 0
    response = login(farmer).post(f"/batches/{batch.id}/listing", data=form(
        price_kg="", quantity="2000", tier1_qty="50",
        contract_phone="13000000000", contract_price="3"))
    assert response.status_code == 422
    assert field_errors(response, "quantity")
    assert field_errors(response, "tier1_qty")
    assert field_errors(response, "contract_phone")
    assert count(session, Listing) == 0


def test_buyers_and_outsiders_cannot_list(make, login, session):
    _, _, batch = seller(make)
    buyer = make.user(Role.BUYER)
    assert login(buyer).get(f"/batches/{batch.id}/listing").status_code == 403
    outsider = make.user()
    make.producer(outsider, name="别的农场")
    assert login(outsider).post(f"/batches/{batch.id}/listing",
                                data=form()).status_code == 403
    assert count(session, Listing) == 0


def test_listing_page_in_english(make, login):
    farmer, _, batch = seller(make)
    client = login(farmer)
    client.get("/lang/en")
    page = client.get(f"/batches/{batch.id}/listing")
    assert "Minimum order" in text(page) and "Price, 元 per jin" in text(page)

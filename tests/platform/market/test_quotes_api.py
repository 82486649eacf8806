"""The quotes API: ask, answer, accept into an order, expiry as 409, per-field 422 writing
nothing, and 404 for other people's requests and quotes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.market.services import quotes
from freshcircle.platform.models import Order, Quote, QuoteRequest
from tests.platform.market_helpers import buyer_with_site, market


def _ask(m, **extra):
    body = {"product_id": m.listing.product_id, "quantity": "200", "unit": "jin",
            "delivery_date": (today_in_china() + dt.timedelta(days=3)).isoformat(),
            "site_id": m.site.id, "notes": "要带冰袋"}
    body.update(extra)
    return body


def _offer(m, hours=48, **extra):
    body = {"listing_id": m.listing.id, "price": "6.20", "unit": "kg", "freight": "150.5",
            "valid_until": (dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours)).isoformat()}
    body.update(extra)
    return body


def test_buyer_asks_producer_quotes_buyer_accepts(make, login, session):
    m = market(make, session, price="3.50")
    buyer, farmer = login(m.buyer), login(m.farmer)

    asked = buyer.post("/api/v1/quote-requests", json=_ask(m))
    assert asked.status_code == 201, asked.json
    request_id = asked.json["id"]
    assert asked.json["quantity_g"] == 100_000 and asked.json["open"] is True
    assert [r["id"] for r in farmer.get("/api/v1/quote-requests").json] == [request_id]

    quoted = farmer.post(f"/api/v1/quote-requests/{request_id}/quotes", json=_offer(m))
    assert quoted.status_code == 201, quoted.json
    assert (quoted.json["price_fen_per_jin"], quoted.json["price_per_kg"]) == (310, "6.20")
    assert quoted.json["freight_fen"] == 15_050 and quoted.json["status"] == "offered"

    mine = buyer.get(f"/api/v1/quote-requests/{request_id}").json
    assert [q["id"] for q in mine["quotes"]] == [quoted.json["id"]]
    accepted = buyer.post(f"/api/v1/quotes/{quoted.json['id']}/accept")
    assert accepted.status_code == 201, accepted.json
    order = accepted.json
    assert order["quote_id"] == quoted.json["id"] and order["status"] == "confirmed"
    assert order["freight_fen"] == 15_050
    assert order["lines"][0]["price_fen_per_jin"] == 310
    assert order["lines"][0]["quantity_g"] == 100_000
    again = buyer.post(f"/api/v1/quotes/{quoted.json['id']}/accept")
    assert again.status_code == 409
    assert buyer.get(f"/api/v1/quote-requests/{request_id}").json["open"] is False
    assert farmer.get("/api/v1/quote-requests").json == []
    inbox = farmer.get("/api/v1/notices").json
    assert any(n["kind"] == "quote_accepted" for n in inbox)


def test_an_expired_quote_is_a_409_with_a_clear_message(make, login, session):
    m = market(make, session)
    past = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
    request = quotes.create_request(session, m.buyer, {
        "product_id": m.listing.product_id, "quantity": "100", "unit": "jin",
        "delivery_date": today_in_china() + dt.timedelta(days=2), "site_id": m.site.id}, past)
    quote = quotes.make_quote(session, m.farmer, request, {
        "listing_id": m.listing.id, "price": "3", "unit": "jin",
        "valid_until": past + dt.timedelta(days=1)}, past)
    session.commit()

    response = login(m.buyer).post(f"/api/v1/quotes/{quote.id}/accept",
                                   headers={"Accept-Language": "en"})

    assert response.status_code == 409
    assert "expired" in response.json["message"]
    assert session.scalar(select(func.count()).select_from(Order)) == 0
    listed = login(m.buyer).get(f"/api/v1/quote-requests/{request.id}").json
    assert listed["quotes"][0]["status"] == "expired"


def test_bad_fields_are_422_each_and_nothing_is_written(make, login, session):
    m = market(make, session)
    _, other_site = buyer_with_site(make, session, name="孙买家")
    buyer, farmer = login(m.buyer), login(m.farmer)

    bad = buyer.post("/api/v1/quote-requests", json=_ask(
        m, quantity="0", delivery_date=today_in_china().isoformat(), site_id=other_site.id))
    assert bad.status_code == 422
    assert set(bad.json["errors"]) == {"quantity", "delivery_date", "site_id"}
    missing = buyer.post("/api/v1/quote-requests", json={"unit": "斤"})
    assert missing.status_code == 422
    assert {"product_id", "quantity", "delivery_date", "site_id", "unit"} \
        <= set(missing.json["errors"])
    assert session.scalar(select(func.count()).select_from(QuoteRequest)) == 0

    request_id = buyer.post("/api/v1/quote-requests", json=_ask(m)).json["id"]
    late = farmer.post(f"/api/v1/quote-requests/{request_id}/quotes",
                       json=_offer(m, hours=15 * 24, price="-1"))
    assert late.status_code == 422
    assert set(late.json["errors"]) == {"valid_until", "price"}
    naive = farmer.post(f"/api/v1/quote-requests/{request_id}/quotes",
                        json=_offer(m, valid_until="2030-01-01T10:00:00"))
    assert naive.status_code == 422 and "valid_until" in naive.json["errors"]
    assert session.scalar(select(func.count()).select_from(Quote)) == 0


def test_other_peoples_requests_and_quotes_are_404(make, login, session):
    m = market(make, session)
    stranger, _ = buyer_with_site(make, session, name="周买家")
    outsider = make.user(name="外人")
    make.producer(outsider, name="外人农场")
    request_id = login(m.buyer).post("/api/v1/quote-requests", json=_ask(m)).json["id"]
    quote_id = login(m.farmer).post(f"/api/v1/quote-requests/{request_id}/quotes",
                                    json=_offer(m)).json["id"]

    nosy, other_farm = login(stranger), login(outsider)
    assert nosy.get(f"/api/v1/quote-requests/{request_id}").status_code == 404
    assert nosy.get("/api/v1/quote-requests").json == []
    assert nosy.post(f"/api/v1/quotes/{quote_id}/accept").status_code == 404
    assert other_farm.get(f"/api/v1/quote-requests/{request_id}").status_code == 404
    assert other_farm.post(f"/api/v1/quote-requests/{request_id}/quotes",
                           json=_offer(m)).status_code == 404
    assert login(m.farmer).post(f"/api/v1/quotes/{quote_id}/accept").status_code == 403
    assert nosy.post("/api/v1/quote-requests", json=_ask(m)).status_code == 422  # not its site

"""Quote pages on a phone: a buyer asks, the producer answers, the buyer accepts; the inbox
shows both notices; field errors under their inputs; other people's requests are 404."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.market.services import quotes
from freshcircle.platform.models import Order, OrderStatus, QuoteRequest
from tests.platform.market_helpers import buyer_with_site, market
from tests.platform.page_helpers import count, field_errors, text


def _ask_form(m, **extra):
    data = {"product_id": str(m.listing.product_id), "quantity": "２００", "unit": "jin",
            "delivery_date": (today_in_china() + dt.timedelta(days=3)).isoformat(),
            "site_id": str(m.site.id), "notes": "一级品"}
    data.update(extra)
    return data


def test_buyer_asks_producer_answers_buyer_accepts(make, login, session):
    m = market(make, session, price="3.50")
    buyer, farmer = login(m.buyer), login(m.farmer)

    page = buyer.get("/quotes/new")
    assert page.status_code == 200 and 'id="quote-request-form"' in page.get_data(as_text=True)
    sent = buyer.post("/quotes/new", data=_ask_form(m))
    assert sent.status_code == 302
    request = session.scalar(select(QuoteRequest))
    assert request.quantity_g == 100_000

    listed = farmer.get("/quotes/open")
    assert f'id="request-{request.id}"' in listed.get_data(as_text=True)
    assert "询价单" in text(farmer.get("/"))
    form = farmer.get(f"/quotes/requests/{request.id}/answer")
    assert 'id="quote-form"' in form.get_data(as_text=True)
    answered = farmer.post(f"/quotes/requests/{request.id}/answer", data={
        "listing_id": str(m.listing.id), "price": "3.20", "unit": "jin", "freight": "100",
        "valid_until": "3"})
    assert answered.status_code == 302, text(answered)

    mine = buyer.get("/quotes")
    assert "¥3.20" in text(mine) and "¥6.40" in text(mine)
    assert "新报价" in text(buyer.get("/notices")) or "报价" in text(buyer.get("/notices"))
    (quote,) = request.quotes
    accepted = buyer.post(f"/quotes/{quote.id}/accept")
    assert accepted.status_code == 302
    order = session.scalar(select(Order).where(Order.quote_id == quote.id))
    assert order.status == OrderStatus.CONFIRMED and order.lines[0].price_fen_per_jin == 320
    assert f"#{order.id}" in text(farmer.get("/notices"))


def test_request_errors_show_under_their_fields_and_nothing_is_saved(make, login, session):
    m = market(make, session)
    buyer = login(m.buyer)

    empty = buyer.post("/quotes/new", data=_ask_form(m, product_id="", quantity=""))
    assert empty.status_code == 422
    required = ["此项为必填项。"]
    assert field_errors(empty, "product_id") == field_errors(empty, "quantity") == required
    response = buyer.post("/quotes/new", data=_ask_form(
        m, quantity="0", delivery_date=(today_in_china() - dt.timedelta(days=1)).isoformat()))
    assert response.status_code == 422
    assert field_errors(response, "quantity") == ["请填写大于 0 的重量（精确到克）。"]
    assert count(session, QuoteRequest) == 0


def test_expired_quote_accept_is_refused_with_the_reason(make, login, session):
    m = market(make, session)
    past = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
    request = quotes.create_request(session, m.buyer, {
        "product_id": m.listing.product_id, "quantity": "100", "unit": "jin",
        "delivery_date": today_in_china() + dt.timedelta(days=3), "site_id": m.site.id}, past)
    quote = quotes.make_quote(session, m.farmer, request, {
        "listing_id": m.listing.id, "price": "3", "valid_until": past + dt.timedelta(hours=1)},
        past)
    session.commit()
    buyer = login(m.buyer)

    assert "已过期" in text(buyer.get("/quotes"))
    refused = buyer.post(f"/quotes/{quote.id}/accept")
    assert refused.status_code == 409
    assert "过期" in text(refused)
    assert count(session, Order) == 0


def test_other_people_get_404_and_roles_get_403(make, login, session):
    m = market(make, session)
    stranger, _ = buyer_with_site(make, session, name="陈买家")
    outsider = make.user(name="外人")
    make.producer(outsider, name="外人农场")
    request = quotes.create_request(session, m.buyer, {
        "product_id": m.listing.product_id, "quantity": "100", "unit": "jin",
        "delivery_date": today_in_china() + dt.timedelta(days=3), "site_id": m.site.id})
    quote = quotes.make_quote(session, m.farmer, request, {
        "listing_id": m.listing.id, "price": "3",
        "valid_until": dt.datetime.now(dt.UTC) + dt.timedelta(days=1)})
    session.commit()

    assert login(outsider).get(f"/quotes/requests/{request.id}/answer").status_code == 404
    assert login(stranger).post(f"/quotes/{quote.id}/accept").status_code == 404
    assert login(m.farmer).get("/quotes/new").status_code == 403
    assert login(m.buyer).get("/quotes/open").status_code == 403

"""Quotes (询价/报价): asking, answering, expiry, accepting into an order at the quoted price,
one accepted quote per request, and who sees what."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from freshcircle.platform.core.services.clock import CHINA, today_in_china
from freshcircle.platform.core.services.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from freshcircle.platform.market.services import listings, orders, quotes
from freshcircle.platform.models import (
    Notice,
    Order,
    OrderStatus,
    Quote,
    QuoteRequest,
    QuoteStatus,
    Role,
)
from tests.platform.market_helpers import buyer_with_site, market

NOW = dt.datetime(2026, 11, 26, 10, 0, tzinfo=CHINA)


def ask(session, m, quantity="200", unit="jin", days=3, **extra):
    data = {"product_id": m.listing.product_id, "quantity": quantity, "unit": unit,
            "delivery_date": NOW.date() + dt.timedelta(days=days), "site_id": m.site.id,
            "notes": "要新鲜的"}
    data.update(extra)
    return quotes.create_request(session, m.buyer, data, NOW)


def answer(session, m, request, price="3.00", unit="jin", freight="120", hours=48,
           actor=None, listing=None):
    return quotes.make_quote(session, actor or m.farmer, request, {
        "listing_id": (listing or m.listing).id, "price": price, "unit": unit,
        "freight": freight, "valid_until": NOW + dt.timedelta(hours=hours)}, NOW)


def second_seller(make, session, m, price="3.80"):
    farmer = make.user(name="李农户")
    producer = make.producer(farmer, name="第二合作社")
    producer.latitude, producer.longitude = 33.0, 115.9
    batch = make.batch(producer, quantity_g=500_000, product=m.listing.product)
    listing = listings.create_listing(session, farmer, batch, {
        "price": price, "unit": "jin", "min_order": "20", "quantity": "1000",
        "available_to": today_in_china() + dt.timedelta(days=7)})
    return farmer, listing


def test_request_fields_are_checked_each_and_nothing_is_written(make, session):
    m = market(make, session)
    _other_buyer, other_site = buyer_with_site(make, session, name="赵买家")

    with pytest.raises(InvalidInput) as bad:
        quotes.create_request(session, m.buyer, {
            "product_id": 999_999, "quantity": "-3", "unit": "jin",
            "delivery_date": NOW.date(), "site_id": other_site.id, "notes": "x" * 501}, NOW)

    assert set(bad.value.errors) == {"product_id", "quantity", "delivery_date", "site_id",
                                     "notes"}
    assert session.scalar(select(func.count()).select_from(QuoteRequest)) == 0


def test_producers_listing_the_product_see_open_requests_and_answer(make, session):
    m = market(make, session)
    request = ask(session, m, quantity="100", unit="kg")
    outsider = make.user(name="别的农户")
    make.producer(outsider, name="不卖菠菜的农场")

    assert request.quantity_g == 100_000
    assert [r.id for r in quotes.open_requests(session, m.farmer, NOW)] == [request.id]
    assert quotes.open_requests(session, outsider, NOW) == []
    with pytest.raises(NotFound):
        quotes.get_request(session, outsider, request.id)

    quote = answer(session, m, request, price="6.40", unit="kg", freight="0")

    assert (quote.price_fen_per_jin, quote.freight_fen) == (320, 0)
    notice = session.scalar(select(Notice).where(Notice.user_id == m.buyer.id))
    facts = json.loads(notice.payload)
    assert notice.kind == "quote"
    assert facts["quote"] == quote.id and facts["price_fen_per_jin"] == 320
    assert facts["product_zh"] and facts["valid_until"].startswith("2026-11-28")


def test_quote_validity_is_future_and_at_most_14_days(make, session):
    m = market(make, session)
    request = ask(session, m)

    for hours in (0, -1, 14 * 24 + 1):
        with pytest.raises(InvalidInput) as bad:
            answer(session, m, request, hours=hours)
        assert list(bad.value.errors) == ["valid_until"]
    with pytest.raises(InvalidInput) as bad:
        answer(session, m, request, price="0", freight="-5")
    assert set(bad.value.errors) == {"price", "freight"}
    assert answer(session, m, request, hours=14 * 24).id
    assert session.scalar(select(func.count()).select_from(Quote)) == 1


def test_a_producer_cannot_quote_from_another_producers_listing(make, session):
    m = market(make, session)
    request = ask(session, m)
    farmer2, _listing2 = second_seller(make, session, m)

    with pytest.raises(InvalidInput) as bad:
        answer(session, m, request, actor=farmer2, listing=m.listing)
    assert list(bad.value.errors) == ["listing_id"]
    with pytest.raises(PermissionDenied):
        answer(session, m, request, actor=m.buyer)


def test_accept_creates_the_order_at_the_quoted_price_and_reserves_stock(make, session):
    m = market(make, session, price="3.50")
    request = ask(session, m, quantity="200", days=4)
    quote = answer(session, m, request, price="3.10", freight="150")
    farmer2, listing2 = second_seller(make, session, m)
    other = answer(session, m, request, actor=farmer2, listing=listing2, price="3.00")

    order = quotes.accept(session, m.buyer, quote, NOW + dt.timedelta(hours=1))

    assert order.status == OrderStatus.CONFIRMED and order.quote_id == quote.id
    (line,) = order.lines
    assert (line.quantity_g, line.price_fen_per_jin) == (100_000, 310)
    assert orders.totals(order).goods_fen == 62_000 and order.freight_fen == 15_000
    assert order.dispatch_date == NOW.date() + dt.timedelta(days=3)  # the night before
    session.refresh(m.listing)
    assert m.listing.sold_g == 100_000
    session.refresh(other)
    assert (quote.status, other.status) == (QuoteStatus.ACCEPTED, QuoteStatus.WITHDRAWN)
    told = session.scalar(select(Notice).where(Notice.user_id == m.farmer.id,
                                               Notice.kind == "quote_accepted"))
    assert json.loads(told.payload)["order"] == order.id
    # the withdrawn competitor cannot be accepted, nor the accepted one again
    with pytest.raises(Conflict):
        quotes.accept(session, m.buyer, other, NOW)
    with pytest.raises(Conflict):
        quotes.accept(session, m.buyer, quote, NOW)
    assert session.scalar(select(func.count()).select_from(Order)) == 1


def test_an_expired_quote_cannot_be_accepted(make, session):
    m = market(make, session)
    request = ask(session, m)
    quote = answer(session, m, request, hours=2)

    assert quotes.shown_status(quote, NOW) == "offered"
    later = NOW + dt.timedelta(hours=2)
    assert quotes.shown_status(quote, later) == "expired"
    with pytest.raises(Conflict) as late:
        quotes.accept(session, m.buyer, quote, later)
    assert "过期" in str(late.value.message)  # the catalog is Chinese first
    assert session.scalar(select(func.count()).select_from(Order)) == 0
    session.refresh(m.listing)
    assert m.listing.sold_g == 0 and quote.status == QuoteStatus.OFFERED


def test_accept_fails_cleanly_when_the_stock_is_gone(make, session):
    m = market(make, session, offered="300")
    request = ask(session, m, quantity="200")
    quote = answer(session, m, request)
    other_buyer, other_site = buyer_with_site(make, session, name="抢货的")
    orders.checkout(session, other_buyer, other_site.id,
                    [{"listing_id": m.listing.id, "quantity": "250", "unit": "jin"}], NOW)
    session.commit()

    with session.begin_nested(), pytest.raises(Conflict) as gone:
        quotes.accept(session, m.buyer, quote, NOW)
    assert gone.value.errors == {"quantity": {"left_g": 25_000}}
    session.refresh(quote)
    assert quote.status == QuoteStatus.OFFERED
    assert session.scalar(select(func.count()).select_from(Order)
                          .where(Order.buyer_id == m.buyer.id)) == 0


def test_only_the_requesting_buyer_may_accept_and_producers_see_only_their_quotes(make, session):
    m = market(make, session)
    request = ask(session, m)
    quote = answer(session, m, request)
    farmer2, listing2 = second_seller(make, session, m)
    answer(session, m, request, actor=farmer2, listing=listing2)
    stranger, _ = buyer_with_site(make, session, name="路人")

    with pytest.raises(NotFound):
        quotes.accept(session, stranger, quote, NOW)
    with pytest.raises(NotFound):
        quotes.get_quote(session, stranger, quote.id)
    with pytest.raises(NotFound):
        quotes.get_request(session, stranger, request.id)
    assert len(quotes.visible_quotes(session, m.buyer, request)) == 2
    assert [q.id for q in quotes.visible_quotes(session, m.farmer, request)] == [quote.id]
    assert quotes.buyer_requests(session, stranger) == []


def test_accepted_requests_close_for_new_quotes(make, session):
    m = market(make, session)
    request = ask(session, m)
    quotes.accept(session, m.buyer, answer(session, m, request), NOW)

    assert quotes.open_requests(session, m.farmer, NOW) == []
    with pytest.raises(Conflict):
        answer(session, m, request)


def test_dispatch_date_falls_back_to_the_first_possible(make, session):
    m = market(make, session)
    producer = m.listing.producer

    assert quotes.quoted_dispatch_date(producer, NOW.date() + dt.timedelta(days=1), NOW) \
        == NOW.date() + dt.timedelta(days=1)
    producer.dispatch_weekdays = "1"  # Mondays; 2026-11-26 is a Thursday
    assert quotes.quoted_dispatch_date(producer, dt.date(2026, 12, 9), NOW) \
        == dt.date(2026, 12, 7)
    assert m.buyer.role == Role.BUYER

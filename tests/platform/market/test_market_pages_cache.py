"""The market's result cache: the same search within seconds reuses the rendered cards,
stock on them may be that old, but an order is always checked against the database."""

from __future__ import annotations

import datetime as dt

import pytest

from freshcircle.platform.core.services.clock import CHINA
from freshcircle.platform.market.pages.market import RESULTS
from freshcircle.platform.market.services import orders
from freshcircle.platform.web.result_cache import FragmentCache
from tests.platform.market_helpers import market


@pytest.fixture
def cached(app):
    app.config["MARKET_RESULTS_CACHE_SECONDS"] = 60
    RESULTS.clear()
    yield
    app.config["MARKET_RESULTS_CACHE_SECONDS"] = 0
    RESULTS.clear()


def test_a_repeated_search_reuses_the_cards_but_orders_see_the_truth(cached, make, login,
                                                                      session):
    m = market(make, session, offered="100", min_order="10")
    client = login(m.buyer)
    first = client.get("/market", query_string={"q": "菠菜"}).get_data(as_text=True)
    assert "100" in first and m.listing.batch.producer.name in first
    orders.checkout(session, m.buyer, m.site.id, [
        {"listing_id": m.listing.id, "quantity": "100", "unit": "jin"}],
        dt.datetime(2026, 11, 26, 10, 0, tzinfo=CHINA))
    session.commit()

    again = client.get("/market", query_string={"q": "菠菜"}).get_data(as_text=True)
    fresh = client.get("/market", query_string={"q": "菠菜", "sort": "fresh"})

    assert m.listing.batch.producer.name in again  # the cached cards, sold out meanwhile
    assert m.listing.batch.producer.name not in fresh.get_data(as_text=True)
    refused = client.post("/api/v1/orders", json={"site_id": m.site.id, "lines": [
        {"listing_id": m.listing.id, "quantity": "10", "unit": "jin"}]})
    assert refused.status_code == 409


def test_fragment_cache_expires_and_stays_bounded():
    now = [0.0]
    cache = FragmentCache(2, clock=lambda: now[0])
    made = []

    def make(value):
        return lambda: made.append(value) or value

    assert cache.get_or_make("a", 5, make("a1")) == "a1"
    assert cache.get_or_make("a", 5, make("a2")) == "a1"
    now[0] = 5.0
    assert cache.get_or_make("a", 5, make("a3")) == "a3"
    cache.get_or_make("b", 5, make("b1"))
    cache.get_or_make("c", 5, make("c1"))
    assert cache.get_or_make("a", 5, make("a4")) == "a4"  # dropped as least recently used
    assert cache.get_or_make("x", 0, make("x1")) == "x1" and made[-1] == "x1"

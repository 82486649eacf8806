"""The market page's cache: every buyer of one site gets the same rendered form and cards for
the same search, and any change to what they show (a new listing, stock sold, a new price, a
listing withdrawn) shows on the very next view, for every buyer."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from freshcircle.platform.core.services.clock import CHINA, today_in_china
from freshcircle.platform.market.pages.market import PAGES
from freshcircle.platform.market.services import listings, orders
from freshcircle.platform.models import ListingStatus
from freshcircle.platform.web.result_cache import FragmentCache
from tests.platform.market_helpers import buyer_with_site, market


@pytest.fixture
def cached(app):
    app.config["MARKET_RESULTS_CACHE_SECONDS"] = 3600
    PAGES.clear()
    yield
    app.config["MARKET_RESULTS_CACHE_SECONDS"] = 0
    PAGES.clear()


def _page(client, **query) -> str:
    response = client.get("/market", query_string=query)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _card_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'href="/market/listings/(\d+)[?"]', html)]


def _stock(html: str) -> str:
    return re.search(r"(?:库存|In stock) ([^<]+)<", html).group(1)


def test_stock_sold_shows_on_the_next_view_for_every_buyer(cached, make, session, login):
    m = market(make, session, offered="100", min_order="10")
    other, other_site = buyer_with_site(make, session, name="李买家")
    session.commit()
    first, second = login(m.buyer), login(other)
    assert _card_ids(_page(first)) == [m.listing.id] == _card_ids(_page(second))
    before = _stock(_page(first))

    orders.checkout(session, m.buyer, m.site.id, [
        {"listing_id": m.listing.id, "quantity": "40", "unit": "jin"}],
        dt.datetime(2026, 11, 26, 10, 0, tzinfo=CHINA))
    session.commit()
    assert _stock(_page(first)) != before
    assert _stock(_page(second)) == _stock(_page(first))
    assert "60" in _stock(_page(second))

    orders.checkout(session, other, other_site.id, [
        {"listing_id": m.listing.id, "quantity": "60", "unit": "jin"}],
        dt.datetime(2026, 11, 26, 10, 5, tzinfo=CHINA))
    session.commit()
    assert _card_ids(_page(first)) == [] == _card_ids(_page(second))  # sold out: gone
    assert 'id="no-listings"' in _page(first)


def test_a_new_listing_and_a_new_price_show_at_once(cached, make, session, login):
    m = market(make, session, price="3.50")
    client = login(m.buyer)
    assert "¥3.50" in _page(client) and _card_ids(_page(client, q="菠菜")) == [m.listing.id]

    listings.update_listing(session, m.farmer, m.listing, {
        "price": "4.20", "unit": "jin", "min_order": "20", "quantity": "1000",
        "available_to": today_in_china() + dt.timedelta(days=7), "tiers": []})
    session.commit()
    page = _page(client)
    assert "¥4.20" in page and "¥3.50" not in page

    batch = make.batch(m.listing.batch.producer, quantity_g=200_000)
    added = listings.create_listing(session, m.farmer, batch, {
        "price": "2.80", "unit": "jin", "min_order": "20", "quantity": "300",
        "available_to": today_in_china() + dt.timedelta(days=7), "tiers": []})
    session.commit()
    assert _card_ids(_page(client)) == [added.id, m.listing.id]  # cheapest first


def test_a_withdrawn_listing_is_gone_on_the_next_view(cached, make, session, login):
    m = market(make, session)
    client = login(m.buyer)
    assert _card_ids(_page(client, sort="fresh")) == [m.listing.id]
    listings.set_status(session, m.farmer, m.listing, ListingStatus.PAUSED)
    session.commit()
    assert _card_ids(_page(client, sort="fresh")) == []
    listings.set_status(session, m.farmer, m.listing, ListingStatus.ACTIVE)
    session.commit()
    assert _card_ids(_page(client, sort="fresh")) == [m.listing.id]


def _arrival(html: str) -> str:
    return re.search(r'class="meta arrival">([^<]+)<', html).group(1)


def test_buyers_of_different_sites_see_their_own_arrival(app, make, session, login):
    m = market(make, session)
    far, far_site = buyer_with_site(make, session, name="乌买家")
    far_site.latitude, far_site.longitude = 43.825, 87.617  # Ürümqi, 3,000 km away
    session.commit()
    near_client, far_client = login(m.buyer), login(far)
    truth = (_arrival(_page(near_client)), _arrival(_page(far_client)))  # nothing cached
    assert truth[0] != truth[1]

    app.config["MARKET_RESULTS_CACHE_SECONDS"] = 3600
    PAGES.clear()
    try:
        seen = [(_arrival(_page(near_client)), _arrival(_page(far_client))) for _ in range(2)]
    finally:
        app.config["MARKET_RESULTS_CACHE_SECONDS"] = 0
        PAGES.clear()
    assert seen == [truth, truth]


def test_bad_input_is_refused_per_field_and_never_cached(cached, make, session, login):
    m = market(make, session)
    client = login(m.buyer)
    for _ in range(2):
        response = client.get("/market", query_string={"site_id": 999999})
        assert response.status_code == 422
        assert _card_ids(response.get_data(as_text=True)) == []
    assert _card_ids(_page(client, site_id=m.site.id)) == [m.listing.id]


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
    assert cache.get("a", 5) == "a4" and cache.get("b", 5) is None and cache.get("a", 0) is None
    now[0] = 10.0
    assert cache.get("a", 5) is None

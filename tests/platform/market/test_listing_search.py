"""Finding listings: Chinese text, filters, sorts, keyset pages that stay stable, visibility."""

from __future__ import annotations

import datetime as dt

import pytest

from freshcircle.platform.core.services.clock import CHINA, today_in_china
from freshcircle.platform.core.services.errors import InvalidInput
from freshcircle.platform.market.services import listing_browse, listings
from freshcircle.platform.models import ListingStatus, Role

TODAY = today_in_china()


def listed(make, session, product="Garlic (cured bulb)", *, price="3.50", county="341222",
           county_name="太和县", name="测试合作社", harvested=1, grade="一级", variety=None,
           certified=False, quantity="600", sold_g=0, **terms):
    """A producer, a batch and its listing (through the real service); sold_g set directly."""
    farmer = make.user()
    producer = make.producer(farmer, name=name, county_code=county, contact_phone="13955550000")
    producer.county_name = county_name
    if certified:
        make.certification(producer)
    batch = make.batch(producer, product=make.product(product), grade=grade, variety=variety,
                       harvest_date=TODAY - dt.timedelta(days=harvested), quantity_g=500_000)
    data = {"price": price, "unit": "jin", "min_order": "10", "quantity": quantity,
            "available_to": TODAY + dt.timedelta(days=10)}
    data.update(terms)
    listing = listings.create_listing(session, farmer, batch, data)
    listing.sold_g = sold_g
    session.commit()
    return listing


def ids(page) -> list[int]:
    return [item.id for item in page.listings]


def browse(session, **query):
    return listing_browse.browse(session, listing_browse.BrowseQuery(**query))


def test_chinese_text_finds_garlic_by_word_and_single_character(make, session):
    garlic = listed(make, session)
    listed(make, session, "Spinach")
    assert ids(browse(session, q="大蒜")) == [garlic.id]
    assert ids(browse(session, q="蒜")) == [garlic.id]
    assert ids(browse(session, q="garlic")) == [garlic.id]


def test_text_over_variety_producer_and_county(make, session):
    toon = listed(make, session, "Chinese toon shoots (Taihe xiangchun)", variety="红油香椿",
                  name="太和香椿合作社")
    celery = listed(make, session, "Celery", county="341282", county_name="界首市",
                    name="界首芹菜农场")
    assert ids(browse(session, q="红油")) == [toon.id]
    assert ids(browse(session, q="界首")) == [celery.id]
    assert ids(browse(session, q="香椿 太和")) == [toon.id]
    assert ids(browse(session, q="芹菜 太和")) == []
    assert ids(browse(session, q="香椿 榴莲")) == []  # a term no listing has: nothing


def test_filters(make, session):
    cheap = listed(make, session, price="2.00", grade="二级")
    dear = listed(make, session, price="6.00", certified=True)
    old = listed(make, session, "Spinach", price="4.00", harvested=20, county="341221",
                 county_name="临泉县")
    assert ids(browse(session, certified=True)) == [dear.id]
    assert ids(browse(session, grade="二级")) == [cheap.id]
    assert ids(browse(session, category="allium")) == [cheap.id, dear.id]
    assert ids(browse(session, county="341221")) == [old.id]
    assert ids(browse(session, price_min=300, price_max=500)) == [old.id]
    assert ids(browse(session, harvested_from=TODAY - dt.timedelta(days=5))) == [cheap.id,
                                                                                 dear.id]


def test_only_active_with_stock_and_open_window(make, session):
    shown = listed(make, session)
    sold_out = listed(make, session, sold_g=300_000)
    paused = listed(make, session)
    paused.status = ListingStatus.PAUSED
    ended = listed(make, session, available_from=TODAY - dt.timedelta(days=5))
    ended.available_to = TODAY - dt.timedelta(days=1)
    session.commit()
    assert sold_out.id and ended.id
    assert ids(browse(session)) == [shown.id]


def test_sorts_by_price_and_freshness(make, session):
    a = listed(make, session, price="5.00", harvested=3)
    b = listed(make, session, price="3.00", harvested=1)
    c = listed(make, session, price="4.00", harvested=2)
    assert ids(browse(session, sort="price")) == [b.id, c.id, a.id]
    a.harvest_date, c.harvest_date = TODAY, TODAY - dt.timedelta(days=5)
    session.commit()
    assert ids(browse(session, sort="fresh")) == [a.id, b.id, c.id]


@pytest.mark.parametrize("sort", ["price", "fresh"])
def test_keyset_pages_are_stable_across_inserts(make, session, sort):
    made = [listed(make, session, price=f"{3 + i % 3}.00", harvested=1 + i % 4)
            for i in range(7)]
    first = browse(session, sort=sort, limit=3)
    assert len(first.listings) == 3 and first.next_cursor
    # A listing that sorts before the cursor arrives between page loads: nothing repeats.
    listed(make, session, price="1.00", harvested=0)
    seen = ids(first)
    cursor = first.next_cursor
    while cursor:
        page = browse(session, sort=sort, limit=3, cursor=cursor)
        seen += ids(page)
        cursor = page.next_cursor
    assert len(seen) == len(set(seen))
    assert set(seen) >= {m.id for m in made}


def test_cursor_of_another_sort_or_garbage_is_422(make, session):
    for _ in range(3):
        listed(make, session)
    cursor = browse(session, sort="price", limit=1).next_cursor
    with pytest.raises(InvalidInput) as raised:
        browse(session, sort="fresh", cursor=cursor)
    assert "cursor" in raised.value.errors
    with pytest.raises(InvalidInput):
        browse(session, cursor="not-a-cursor")


def test_arrival_needs_a_site(make, session):
    listed(make, session)
    with pytest.raises(InvalidInput) as raised:
        browse(session, sort="arrival")
    assert "sort" in raised.value.errors


def test_arrival_sort_and_filter(make, session):
    near = listed(make, session, price="9.00")  # 太和县
    far = listed(make, session, price="1.00", county="341221", county_name="临泉县")
    far.producer.order_cutoff = dt.time(8, 0)  # missed today's: dispatched a day later
    site = make.new_place(name_zh="太和门店")  # at 太和县's seat
    session.commit()
    morning = dt.datetime.combine(TODAY, dt.time(9, 0), CHINA)
    assert ids(browse_at(session, site, sort="arrival", now=morning)) == [near.id, far.id]
    by = dt.datetime.combine(TODAY + dt.timedelta(days=1), dt.time(23, 59), CHINA)
    assert ids(browse_at(session, site, arrive_by=by, now=morning)) == [near.id]
    page = browse_at(session, site, sort="arrival", limit=1, now=morning)
    assert ids(browse_at(session, site, sort="arrival", cursor=page.next_cursor,
                         now=morning)) == [far.id]


def browse_at(session, site, now=None, **query):
    return listing_browse.browse(session, listing_browse.BrowseQuery(**query), site=site,
                                 now=now)


def test_api_search_filters_sort_and_cursor(make, session, login):
    cheap = listed(make, session, price="2.00")
    dear = listed(make, session, price="3.00", certified=True)
    listed(make, session, "Spinach", price="1.00")
    client = login(make.user(Role.BUYER))
    body = client.get("/api/v1/listings?q=蒜&limit=1").json
    assert [i["id"] for i in body["items"]] == [cheap.id]
    assert body["items"][0]["price_per_kg"] == "4.00"
    body = client.get(f"/api/v1/listings?q=蒜&limit=1&cursor={body['next_cursor']}").json
    assert [i["id"] for i in body["items"]] == [dear.id] and body["next_cursor"] is None
    body = client.get("/api/v1/listings?certified=true&price_min=2.5").json
    assert [i["id"] for i in body["items"]] == [dear.id]
    response = client.get("/api/v1/listings?sort=cheapest")
    assert response.status_code == 422 and "sort" in response.json["errors"]

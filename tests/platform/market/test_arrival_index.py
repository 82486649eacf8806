"""The arrival index answers what estimating every producer at that moment answers: the arrival
sort and the can-arrive-by filter, as the clock passes cut-offs and as producers, sites and
stock change."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from freshcircle.platform.core.services.clock import CHINA, today_in_china
from freshcircle.platform.market.services import (
    arrival_index,
    delivery,
    listing_browse,
    listings,
)
from freshcircle.platform.models import Listing, ListingStatus, PlaceKind

TODAY = today_in_china()
MORNING = dt.datetime.combine(TODAY, dt.time(9, 0), CHINA)
# (latitude, longitude, cut-off, dispatch weekdays) of each producer
FARMS = [(33.16, 115.62, dt.time(16, 0), "1234567"), (32.65, 116.27, dt.time(10, 0), "1234567"),
         (33.04, 115.26, dt.time(16, 0), "135"), (32.88, 115.81, dt.time(9, 30), "246"),
         (None, None, dt.time(16, 0), "1234567")]  # 太和县's seat is its origin


def offer(make, session, farmer, producer, price: str):
    batch = make.batch(producer, product=make.product("Garlic (cured bulb)"))
    return listings.create_listing(session, farmer, batch, {
        "price": price, "unit": "jin", "min_order": "10", "quantity": "600",
        "available_to": TODAY + dt.timedelta(days=10)})


@pytest.fixture()
def world(make, session):
    """Five producers, three listings each (two sold out, one paused), and two sites: one
    that receives at any hour, one that receives 08:00-17:00 (most arrivals wait for 08:00:
    ties broken by listing id)."""
    made = []
    for i, (lat, lon, cutoff, weekdays) in enumerate(FARMS):
        farmer = make.user()
        producer = make.producer(farmer, name=f"第{i}合作社")
        producer.latitude = None if lat is None else Decimal(str(lat))
        producer.longitude = None if lon is None else Decimal(str(lon))
        producer.order_cutoff, producer.dispatch_weekdays = cutoff, weekdays
        made += [offer(make, session, farmer, producer, f"{2 + (i * 3 + j) % 5}.00")
                 for j in range(3)]
    made[4].sold_g = made[4].offered_g
    made[8].sold_g = made[8].offered_g
    made[10].status = ListingStatus.PAUSED
    anywhere = make.new_place(name_zh="上海门店", kind=PlaceKind.BUYER_SITE,
                              latitude="31.23", longitude="121.47")
    daytime = make.new_place(name_zh="南京仓", kind=PlaceKind.BUYER_SITE,
                             latitude="32.06", longitude="118.80")
    daytime.receiving_from, daytime.receiving_to = dt.time(8, 0), dt.time(17, 0)
    session.commit()
    return made, anywhere, daytime


def walk(session, site, now, **query) -> list[int]:
    """Every listing of the search, page after page (three a page) by the cursor."""
    seen, cursor = [], None
    while True:
        page = listing_browse.browse(session, listing_browse.BrowseQuery(
            limit=3, cursor=cursor, **query), site=site, now=now)
        seen += [item.id for item in page.listings]
        cursor = page.next_cursor
        if cursor is None:
            return seen


def estimated(session, site, now, arrive_by=None, sort="arrival") -> list[int]:
    """The same search worked out by estimating each listing's producer at `now`."""
    today = today_in_china(now)
    rows = []
    for item in session.query(Listing).order_by(Listing.id):
        if item.status != ListingStatus.ACTIVE or item.left_g <= 0 or item.available_to < today:
            continue
        try:
            arrival = delivery.estimate(session, item.producer, site, 500_000, now=now).arrival
        except ValueError:
            continue
        if arrive_by is None or arrival <= arrive_by:
            key = arrival_index.minute_of(arrival) if sort == "arrival" else \
                item.price_fen_per_jin
            rows.append((key, item.id))
    return [listing_id for _, listing_id in sorted(rows)]


def test_arrival_sort_is_what_estimating_every_producer_gives(world, session):
    made, anywhere, daytime = world
    for site in (anywhere, daytime):
        expected = estimated(session, site, MORNING)
        assert len(expected) == len(made) - 3  # two sold out, one paused
        assert walk(session, site, MORNING, sort="arrival") == expected
    # At the daytime site most trucks wait for 08:00: ties, in listing id order.
    first = [arrival_index.minute_of(delivery.estimate(
        session, item.producer, daytime, 500_000, now=MORNING).arrival) for item in made[:6]]
    assert len(set(first)) < len(first)


def test_can_arrive_by_filter_is_what_estimating_gives(world, session):
    _, anywhere, daytime = world
    for days in (1, 2, 3, 4):
        by = dt.datetime.combine(TODAY + dt.timedelta(days=days), dt.time(23, 59), CHINA)
        for site in (anywhere, daytime):
            expected = estimated(session, site, MORNING, by, sort="price")
            assert walk(session, site, MORNING, arrive_by=by) == expected
    assert walk(session, anywhere, MORNING, arrive_by=by)  # something arrives within 4 days


def test_a_passing_cut_off_moves_its_producers_listings_back(world, session):
    _, anywhere, _ = world
    before = walk(session, anywhere, MORNING, sort="arrival")
    later = MORNING + dt.timedelta(hours=1, minutes=30)  # 10:30: past the 09:30 and 10:00 ones
    after = walk(session, anywhere, later, sort="arrival")
    assert after == estimated(session, anywhere, later)
    assert after != before  # the clock alone changed the order
    tomorrow = MORNING + dt.timedelta(days=1, hours=8)  # every cut-off of today has passed
    assert walk(session, anywhere, tomorrow, sort="arrival") == \
        estimated(session, anywhere, tomorrow)


def test_producer_site_and_stock_changes_show_at_once(world, make, session):
    made, anywhere, daytime = world
    walk(session, anywhere, MORNING, sort="arrival")  # both sites are in the index now
    walk(session, daytime, MORNING, sort="arrival")
    far = made[0].producer
    far.latitude, far.longitude = Decimal("30.00"), Decimal("112.00")  # moved west
    far.order_cutoff = dt.time(8, 0)
    made[3].producer.dispatch_weekdays = "7"  # Sundays only
    daytime.receiving_from = dt.time(5, 0)
    made[1].sold_g = made[1].offered_g  # sold out
    made[4].sold_g = 0  # a sold-out listing restocked
    session.commit()
    late = offer(make, session, made[0].producer.memberships[0].user, made[0].producer, "1.00")
    session.commit()
    # The changes were written for the moment they were made (the clock only moves on).
    now = dt.datetime.now(dt.UTC)
    for site in (anywhere, daytime):
        expected = estimated(session, site, now)
        assert late.id in expected and made[1].id not in expected and made[4].id in expected
        assert walk(session, site, now, sort="arrival") == expected
    made[2].status = ListingStatus.CLOSED
    session.commit()
    assert made[2].id not in walk(session, anywhere, now, sort="arrival")

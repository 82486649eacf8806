"""Facet counts: each value's count is the number of results a click on it leaves (every other
active filter applied), on the service, the API and the market page."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from freshcircle.platform.core.services.clock import CHINA, today_in_china
from freshcircle.platform.market.services import listing_browse, listing_facets
from freshcircle.platform.market.services.listing_browse import BrowseQuery
from freshcircle.platform.models import PlaceKind, Role
from tests.platform.market.test_listing_search import listed

TODAY = today_in_china()
MORNING = dt.datetime.combine(TODAY, dt.time(9, 0), CHINA)
# product, price 元/斤, county (code, name), grade, certified, cut-off (a 07:00 one has
# passed by 09:00: dispatched a day later)
OFFERS = [
    ("Garlic (cured bulb)", "1.50", ("341222", "太和县"), "一级", False, dt.time(16, 0)),
    ("Garlic (cured bulb)", "3.00", ("341222", "太和县"), "特级", True, dt.time(7, 0)),
    ("Garlic (cured bulb)", "6.00", ("341221", "临泉县"), "一级", True, dt.time(16, 0)),
    ("Garlic (cured bulb)", "12.00", ("341282", "界首市"), "二级", False, dt.time(16, 0)),
    ("Spinach", "2.00", ("341222", "太和县"), "一级", False, dt.time(7, 0)),
    ("Spinach", "4.99", ("341221", "临泉县"), None, True, dt.time(16, 0)),
    ("Spinach", "5.00", ("341282", "界首市"), "特级", False, dt.time(16, 0)),
    ("Celery", "9.99", ("341222", "太和县"), "二级", True, dt.time(16, 0)),
    ("Celery", "10.00", ("341221", "临泉县"), "一级", False, dt.time(7, 0)),
]


@pytest.fixture()
def world(make, session):
    made = []
    for i, (product, price, (code, county), grade, certified, cutoff) in enumerate(OFFERS):
        item = listed(make, session, product, price=price, county=code, county_name=county,
                      grade=grade, certified=certified, name=f"第{i}农场")
        item.producer.order_cutoff = cutoff
        item.producer.latitude = Decimal("33.16") + Decimal(i) / 10
        item.producer.longitude = Decimal("115.62")
        made.append(item)
    site = make.new_place(name_zh="上海门店", kind=PlaceKind.BUYER_SITE,
                          latitude="31.23", longitude="121.47")
    session.commit()
    return made, site


def clicked(query: BrowseQuery, name: str, value) -> BrowseQuery:
    """The search after a click on facet `name`'s `value` (the filter set to it)."""
    if name == "price":
        return dataclasses.replace(query, price_min=value[0], price_max=value[1])
    if name == "arrive_by":
        return dataclasses.replace(
            query, arrive_by=dt.datetime.combine(value, dt.time(23, 59), CHINA))
    if name == "certified":
        return dataclasses.replace(query, certified=True)
    return dataclasses.replace(query, **{name: value})


def results(session, site, query: BrowseQuery) -> int:
    page = listing_browse.browse(session, dataclasses.replace(query, limit=100), site=site,
                                 now=MORNING)
    return len(page.listings)


QUERIES = [
    {},
    {"county": "341222"},
    {"county": "341221", "grade": "一级"},
    {"certified": True, "price_min": 200, "price_max": 499},
    {"q": "蒜", "product_arrive": 2},
    {"grade": "特级", "certified": True, "county": "341282"},  # nothing: zero counts shown
    {"price_min": 250, "price_max": 1100, "arrive_hours": 60},  # not a band, not a day's end
]


@pytest.mark.parametrize("spec", QUERIES, ids=lambda s: ",".join(s) or "none")
def test_every_count_is_what_the_click_leaves(world, session, spec):
    made, site = world
    spec = dict(spec)
    if "arrive_hours" in spec:
        spec["arrive_by"] = MORNING + dt.timedelta(hours=spec.pop("arrive_hours"))
    if spec.pop("product_arrive", None):
        spec["product"] = made[0].product_id
        spec["arrive_by"] = listing_facets.arrive_by_of(TODAY, 2)
    query = BrowseQuery(**spec)
    facets = listing_facets.facet_counts(session, query, site=site, now=MORNING)
    assert set(facets.values) == set(listing_facets.FACETS)
    shown = 0
    for name, values in facets.values.items():
        for value in values:
            assert value.count == results(session, site, clicked(query, name, value.value)), \
                (name, value)
            shown += value.count
        active = [v for v in values if v.active]
        assert len(active) <= 1
    assert shown > 0  # not all zero: the check above compared real counts


def test_counts_differ_by_value_and_ignore_only_their_own_filter(world, session):
    made, site = world
    facets = listing_facets.facet_counts(session, BrowseQuery(county="341222"), site=site,
                                         now=MORNING)
    counties = {v.value: v.count for v in facets.values["county"]}
    assert counties == {"341222": 4, "341221": 3, "341282": 2}  # all counties: its own filter
    grades = {v.value: v.count for v in facets.values["grade"]}
    assert grades == {"一级": 2, "特级": 1, "二级": 1}  # within 太和县
    bands = [v.count for v in facets.values["price"]]
    assert bands == [1, 2, 1, 0]  # ¥1.50; ¥2.00 and ¥3.00; ¥9.99
    arrive = [v.count for v in facets.values["arrive_by"]]
    assert arrive[0] < arrive[-1] == 4  # the 07:00 cut-offs wait a day
    assert facets.products[made[0].product_id].name_zh == "大蒜"


def test_without_a_site_arrival_counts_nothing(world, session):
    facets = listing_facets.facet_counts(session, BrowseQuery(), now=MORNING)
    assert [v.count for v in facets.values["arrive_by"]] == [0, 0, 0, 0]
    assert sum(v.count for v in facets.values["county"]) == len(OFFERS)


def test_api_gives_facets_when_asked(world, session, login):
    _, site = world
    buyer = login(make_buyer(session, site))
    body = buyer.get("/api/v1/listings?county=341222&facets=true").json
    counties = {v["value"]: v["count"] for v in body["facets"]["county"]}
    assert counties["341221"] == 3 and counties["341222"] == len(body["items"]) == 4
    price = body["facets"]["price"][1]
    again = buyer.get(f"/api/v1/listings?county=341222&price_min={price['price_min']}"
                      f"&price_max={price['price_max']}").json
    assert len(again["items"]) == price["count"] == 2  # ¥2.00 and ¥3.00
    day = body["facets"]["arrive_by"][-1]
    again = buyer.get("/api/v1/listings", query_string={"county": "341222",
                                                        "arrive_by": day["value"]}).json
    assert len(again["items"]) == day["count"]
    assert "facets" not in buyer.get("/api/v1/listings").json


def make_buyer(session, site):
    from freshcircle.platform.models import BuyerProfile, User
    from tests import factories

    buyer = User(phone="13912340000", name="王买家", role=Role.BUYER,
                 password_hash=factories._password_hash())
    session.add(buyer)
    session.flush()
    site.buyer_id = buyer.id
    session.add(BuyerProfile(user_id=buyer.id, company="王买家生鲜", default_site_id=site.id))
    session.commit()
    return buyer


def test_counts_follow_a_sale_a_new_listing_and_uncommitted_changes(world, make, session):
    made, site = world

    def counties() -> dict:
        facets = listing_facets.facet_counts(session, BrowseQuery(), site=site, now=MORNING)
        return {v.value: v.count for v in facets.values["county"]}

    assert counties() == {"341222": 4, "341221": 3, "341282": 2}
    made[0].sold_g = made[0].offered_g  # sold out
    session.commit()
    listed(make, session, "Celery", price="3.00", county="341282", county_name="界首市")
    assert counties() == {"341222": 3, "341221": 3, "341282": 3}
    made[2].price_fen_per_jin = 100  # not committed: this transaction sees it all the same
    session.flush()
    bands = listing_facets.facet_counts(session, BrowseQuery(), site=site, now=MORNING)
    assert bands.values["price"][0].count == 1 == results(
        session, site, BrowseQuery(price_max=199))

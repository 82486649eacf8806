"""The market page at a desk (issue 19): the table view (`view=table`) with a header per column
that sorts by it (price, harvest date or arrival, either way, through the search service's
sort keys), links that keep the search (view switch, headers, pager, facets, the search form)
and a listing page whose 返回市场 comes back to the same search; Chinese and English."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from freshcircle.platform.market.services import listing_browse
from freshcircle.platform.models import Listing, ListingStatus
from tests.platform.market.test_arrival_index import MORNING, estimated, walk, world  # noqa: F401
from tests.platform.market.test_listing_search import listed
from tests.platform.market.test_market_pages import buyer_client
from tests.platform.page_helpers import text

# Service: each sort key, page after page -------------------------------------------------


def _on_sale(session, key) -> list[int]:
    rows = [item for item in session.query(Listing)
            if item.status == ListingStatus.ACTIVE and item.left_g > 0]
    return [item.id for item in sorted(rows, key=key)]


def test_every_sort_key_walks_every_listing_once_in_its_order(world, session):  # noqa: F811
    _, anywhere, _ = world
    cheapest = _on_sale(session, lambda item: (item.price_fen_per_jin, item.id))
    assert walk(session, None, MORNING, sort="price") == cheapest
    assert walk(session, None, MORNING, sort="price_desc") == cheapest[::-1]
    oldest = _on_sale(session, lambda item: (item.harvest_date, item.id))
    assert walk(session, None, MORNING, sort="harvest") == oldest
    assert walk(session, None, MORNING, sort="fresh") == oldest[::-1]
    smallest = _on_sale(session, lambda item: (item.min_order_g, item.id))
    assert walk(session, None, MORNING, sort="min_order") == smallest
    assert walk(session, None, MORNING, sort="min_order_desc") == smallest[::-1]
    soonest = estimated(session, anywhere, MORNING)
    assert walk(session, anywhere, MORNING, sort="arrival") == soonest
    assert walk(session, anywhere, MORNING, sort="arrival_desc") == soonest[::-1]


def test_a_cursor_of_one_direction_is_refused_by_the_other(world, session):  # noqa: F811
    page = listing_browse.browse(session, listing_browse.BrowseQuery(sort="price", limit=2))
    with pytest.raises(listing_browse.InvalidInput):
        listing_browse.browse(session, listing_browse.BrowseQuery(
            sort="price_desc", cursor=page.next_cursor))


def test_arrival_either_way_needs_a_site(session):
    for sort in ("arrival", "arrival_desc"):
        with pytest.raises(listing_browse.InvalidInput) as error:
            listing_browse.browse(session, listing_browse.BrowseQuery(sort=sort))
        assert "sort" in error.value.errors


# Pages -----------------------------------------------------------------------------------


def _links(html: str, pattern: str) -> list[str]:
    return [unescape(href) for href in re.findall(pattern, html)]


def _query(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query)


def _row_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'class="row-link" href="/market/listings/(\d+)', html)]


def _header(html: str, column: str) -> tuple[str | None, str]:
    """(aria-sort, href) of a column's header."""
    found = re.search(r'<th scope="col"[^>]*?(?: aria-sort="(\w+)")?><a class="sort" '
                      rf'id="sort-{column}" href="([^"]+)"', html)
    assert found, f"no sortable {column} header"
    return found.group(1), unescape(found.group(2))


@pytest.fixture()
def three(make, session):
    """Three listings: prices 2, 5 and 3.50 元/斤, harvested 1, 3 and 2 days ago, minimum
    orders 10, 40 and 20 斤."""
    return [listed(make, session, price="2.00", harvested=1, name="甲合作社"),
            listed(make, session, price="5.00", harvested=3, name="乙合作社", min_order="40"),
            listed(make, session, price="3.50", harvested=2, name="丙合作社", min_order="20")]


def test_table_columns_and_price_header_sorts_both_ways(make, login, session, three):
    cheap, dear, middle = three
    client = buyer_client(make, login, session)
    page = client.get("/market?view=table&q=大蒜")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="listings-table"' in html and 'class="listings"' not in html
    shown = text(page)
    for title in ("产品", "等级", "产地", "价格", "起订量", "库存", "采收"):
        assert f" {title}" in shown
    assert "¥2.00/斤" in shown and "¥4.00/kg" in shown and "乙合作社" in shown
    assert _row_ids(html) == [cheap.id, middle.id, dear.id]  # the default: cheapest first
    state, href = _header(html, "price")
    assert state == "ascending"
    assert _query(href) == {"q": ["大蒜"], "view": ["table"], "sort": ["price_desc"]}
    html = client.get(href).get_data(as_text=True)
    assert _row_ids(html) == [dear.id, middle.id, cheap.id]
    state, back = _header(html, "price")
    assert state == "descending" and "sort" not in _query(back)  # back to cheapest first
    assert 'aria-current="page">表格' in html


def test_harvest_header_sorts_freshest_first_then_oldest(make, login, session, three):
    cheap, dear, middle = three
    client = buyer_client(make, login, session)
    html = client.get("/market?view=table").get_data(as_text=True)
    state, href = _header(html, "harvest")
    assert state is None and _query(href) == {"view": ["table"], "sort": ["fresh"]}
    html = client.get(href).get_data(as_text=True)
    assert _row_ids(html) == [cheap.id, middle.id, dear.id]
    state, href = _header(html, "harvest")
    assert state == "descending" and _query(href)["sort"] == ["harvest"]
    html = client.get(href).get_data(as_text=True)
    assert _row_ids(html) == [dear.id, middle.id, cheap.id]
    assert _header(html, "harvest")[0] == "ascending"
    assert 'id="sort-product"' not in html and 'id="sort-stock"' not in html  # not sort keys


def test_minimum_order_header_sorts_smallest_first_then_largest(make, login, session, three):
    cheap, dear, middle = three
    client = buyer_client(make, login, session)
    html = client.get("/market?view=table&grade=一级").get_data(as_text=True)
    state, href = _header(html, "min_order")
    assert state is None
    assert _query(href) == {"view": ["table"], "grade": ["一级"], "sort": ["min_order"]}
    html = client.get(href).get_data(as_text=True)
    assert _row_ids(html) == [cheap.id, middle.id, dear.id]
    assert "20 斤（10 kg）" in text(client.get(href))
    state, href = _header(html, "min_order")
    assert state == "ascending" and _query(href)["sort"] == ["min_order_desc"]
    html = client.get(href).get_data(as_text=True)
    assert _row_ids(html) == [dear.id, middle.id, cheap.id]
    assert _header(html, "min_order")[0] == "descending"
    assert "起订量最大" in html  # the form's sort shows it too


def test_with_a_site_the_last_column_is_arrival_sorted_both_ways(make, login, session, three):
    client = buyer_client(make, login, session, with_site=True)
    html = client.get("/market?view=table&sort=arrival").get_data(as_text=True)
    assert "预计送达" in html and 'id="sort-harvest"' not in html
    assert html.count('class="when arrival"') == 3
    state, href = _header(html, "arrival")
    assert state == "ascending" and _query(href)["sort"] == ["arrival_desc"]
    soonest = _row_ids(html)
    latest = _row_ids(client.get(href).get_data(as_text=True))
    assert sorted(soonest) == sorted(latest) == sorted(item.id for item in three)


def test_paging_facets_view_switch_and_form_keep_the_view_and_sort(make, login, session):
    made = [listed(make, session, price=f"{2 + i}.00") for i in range(23)]
    client = buyer_client(make, login, session)
    url, seen = "/market?view=table&sort=price_desc", []
    while url:
        html = client.get(url).get_data(as_text=True)
        seen += _row_ids(html)
        found = re.search(r'href="([^"]+)" id="next-page"', html)
        url = unescape(found.group(1)) if found else None
        if url:
            assert _query(url)["view"] == ["table"] and _query(url)["sort"] == ["price_desc"]
    assert seen == [item.id for item in made][::-1]
    html = client.get("/market?view=table&sort=price_desc").get_data(as_text=True)
    assert '<input type="hidden" name="view" value="table">' in html
    chips = _links(html, r'<a class="chip" href="([^"]+)"')
    assert chips and all(_query(href)["view"] == ["table"] for href in chips)
    cards = _links(html, r'<a id="view-cards" href="([^"]+)"')[0]
    assert _query(cards) == {"sort": ["price_desc"]}
    cards_html = client.get(cards).get_data(as_text=True)
    assert 'class="listings"' in cards_html and 'id="listings-table"' not in cards_html
    assert _query(_links(cards_html, r'<a id="view-table" href="([^"]+)"')[0]) == {
        "sort": ["price_desc"], "view": ["table"]}


@pytest.mark.parametrize("view", ["table", "cards"])
def test_back_to_the_market_returns_to_the_same_search(make, login, session, three, view):
    client = buyer_client(make, login, session)
    search = f"/market?q=大蒜&sort=price_desc&view={view}&grade=一级"
    html = client.get(search).get_data(as_text=True)
    href = _links(html, r'href="(/market/listings/\d+\?back=[^"]+)"')[0]
    page = client.get(href)
    assert page.status_code == 200
    back = _links(page.get_data(as_text=True), r'href="([^"]+)" id="back-to-market"')[0]
    assert _query(back) == _query(search) and urlsplit(back).path == "/market"
    plain = client.get(f"/market/listings/{three[0].id}").get_data(as_text=True)
    assert 'href="/market" id="back-to-market"' in plain
    forged = client.get(f"/market/listings/{three[0].id}?back=//evil.example/x%3Fq%3D1")
    assert _links(forged.get_data(as_text=True),
                  r'href="([^"]+)" id="back-to-market"')[0].startswith("/market")


def test_english_table_and_sort_choices(make, login, session, three):
    client = buyer_client(make, login, session)
    client.get("/lang/en")
    page = client.get("/market?view=table&sort=harvest")
    shown = text(page)
    for title in ("Product", "Grade", "Origin", "Price", "Minimum order", "Stock", "Harvested",
                  "Cards", "Table"):
        assert title in shown
    assert "CN¥2.00/jin" in shown and "CN¥4.00/kg" in shown
    html = page.get_data(as_text=True)
    assert re.search(r'<option selected value="harvest">Harvested longest ago</option>', html)
    assert "Highest price" in html


def test_chinese_sort_choices_and_an_unknown_sort_is_refused(make, login, session, three):
    client = buyer_client(make, login, session)
    html = client.get("/market").get_data(as_text=True)
    for label in ("价格最低", "价格最高", "最新鲜", "采收最早", "起订量最小", "起订量最大"):
        assert label in html
    assert "送达最晚" not in html  # no delivery site: no arrival sort
    assert client.get("/market?sort=stock&view=table").status_code == 422


def test_the_table_shows_the_harvest_date_the_card_shows(make, login, session):
    day = listed(make, session, harvested=4).harvest_date
    client = buyer_client(make, login, session)
    shown = f"{day.year}年{day.month}月{day.day}日"
    assert shown in text(client.get("/market")) and shown in text(client.get("/market?view=table"))


def test_the_api_takes_the_new_sort_keys(make, login, session, three):
    cheap, dear, middle = three
    client = buyer_client(make, login, session)
    body = client.get("/api/v1/listings?sort=price_desc").json
    assert [item["id"] for item in body["items"]] == [dear.id, middle.id, cheap.id]
    body = client.get("/api/v1/listings?sort=harvest").json
    assert [item["id"] for item in body["items"]] == [dear.id, middle.id, cheap.id]
    assert client.get("/api/v1/listings?sort=stock").status_code == 422

"""The market at a desk and on a phone (issue 19), on the demo data as the Shanghai buyer sees
it: in cards, from 1024 px the search and its filters are a side column (shown without opening
筛选与排序) and the cards a grid of several columns; at 360 px the filters are closed and the
cards one column, as before. The table view sorts by a header click, and becomes one card per
row on a phone. No width from 320 to 1920 px scrolls sideways, axe-core finds no serious or
critical violation in either view, and 返回市场 on a listing comes back to the same search.
Screenshots: test-artifacts/market-desk-*.png."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from tests.platform.browser import ARTIFACTS, BROWSER_MARKS, axe_violations, chromium
from tests.platform.web.test_browser_wide_screens import demo_base, sign_in  # noqa: F401

pytestmark = BROWSER_MARKS

WIDTHS = (320, 360, 768, 1280, 1920)
DESK = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}


def _buyer() -> str:
    from freshcircle.platform.demo import SIGN_INS

    return next(s.person.phone for s in SIGN_INS if s.person.role.value == "buyer")


def _fits_every_width(page, where: str) -> list[str]:
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if scroll > width:
            problems.append(f"{where} at {width}: {scroll}px wide")
    return problems


def _box(page, selector: str) -> dict:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not shown"
    return box


def test_cards_beside_the_filters_at_a_desk_and_as_before_on_a_phone(demo_base):  # noqa: F811
    with chromium() as browser:
        page = sign_in(browser, demo_base, _buyer(), **DESK)
        page.goto(demo_base + "/market")
        form, results = _box(page, "#market-search"), _box(page, "#listings")
        assert form["x"] + form["width"] <= results["x"], "the filters are not a side column"
        assert page.locator("#facets").is_visible() and page.locator("#county").is_visible()
        tops = page.eval_on_selector_all(
            "#listings > li", "li => li.map(item => Math.round(item.getBoundingClientRect().top))")
        assert tops.count(tops[0]) >= 2, "the cards are not a grid"
        page.focus("#county")  # a filter is reached and used there, not hidden in <details>
        page.select_option("#county", "341221")
        page.click("#apply-filters")
        page.wait_for_load_state()
        assert parse_qs(urlsplit(page.url).query)["county"] == ["341221"]
        page.screenshot(path=str(ARTIFACTS / "market-desk-cards-1280.png"))
        problems = [f"cards: {v}" for v in axe_violations(page)]
        problems += _fits_every_width(page, "cards")
        page.set_viewport_size(PHONE)
        page.goto(demo_base + "/market")
        assert not page.locator("#facets").is_visible()  # 筛选与排序 closed, as before
        left = {round(b["x"]) for b in (page.locator("#listings > li").nth(i).bounding_box()
                                        for i in range(3))}
        assert len(left) == 1, "more than one column of cards on a phone"
        page.screenshot(path=str(ARTIFACTS / "market-desk-cards-360.png"))
        problems += [f"cards 360: {v}" for v in axe_violations(page)]
        page.context.close()
    assert not problems, "\n".join(problems)


def test_table_sorts_by_a_header_and_back_to_the_market_keeps_the_search(demo_base):  # noqa: F811
    with chromium() as browser:
        page = sign_in(browser, demo_base, _buyer(), **DESK)
        page.goto(demo_base + "/market")
        page.click("#view-table")
        page.wait_for_load_state()
        assert parse_qs(urlsplit(page.url).query) == {"view": ["table"]}
        table = _box(page, "#listings-table")
        assert table["width"] >= 800
        header = page.locator("th:has(#sort-price)")
        assert header.get_attribute("aria-sort") == "ascending"
        page.click("#sort-price")
        page.wait_for_load_state()
        assert parse_qs(urlsplit(page.url).query) == {"view": ["table"], "sort": ["price_desc"]}
        assert header.get_attribute("aria-sort") == "descending"
        prices = page.eval_on_selector_all(
            "#listings-table .per-jin", "cells => cells.map(c => c.textContent)")
        values = [float(p.strip("¥/斤")) for p in prices]
        assert values == sorted(values, reverse=True) and len(values) > 3
        search = page.url
        page.screenshot(path=str(ARTIFACTS / "market-desk-table-1280.png"))
        problems = [f"table: {v}" for v in axe_violations(page)]
        problems += _fits_every_width(page, "table")
        page.set_viewport_size(PHONE)
        assert not page.locator("#listings-table thead").is_visible()  # one card per row
        row = _box(page, "#listings-table tbody tr")
        assert row["width"] <= PHONE["width"]
        page.screenshot(path=str(ARTIFACTS / "market-desk-table-360.png"))
        problems += [f"table 360: {v}" for v in axe_violations(page)]
        page.click("#listings-table tbody tr >> nth=1")  # the whole card is its link
        page.wait_for_load_state()
        assert "/market/listings/" in page.url
        page.click("#back-to-market")
        page.wait_for_load_state()
        assert page.url == search, "返回市场 did not come back to the same search"
        page.context.close()
    assert not problems, "\n".join(problems)

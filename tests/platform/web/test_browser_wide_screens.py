"""Every demo sign-in's main pages from a phone to a wide desk (issue 19): nothing scrolls
sideways at 320, 360, 768, 1280 or 1920 px, the navigation is a side bar from 1024 px, lists
are tables at desk width, and axe-core finds no serious or critical violation. Screenshots of
the list pages at 1280×800 and 360×740 go to test-artifacts/wide-*.png, to be looked at.

One page load per page: the widths are tried by resizing the same page.
"""

from __future__ import annotations

import pytest
from flask_migrate import upgrade

from freshcircle.platform import create_app
from freshcircle.platform.demo import DEMO_PASSWORD, SIGN_INS, seed_demo
from freshcircle.platform.demo.content import JIESHOU_MANAGER
from freshcircle.platform.extensions import db
from tests.platform.browser import ARTIFACTS, BROWSER_MARKS, axe_violations, chromium, phone_page
from tests.platform.live_server import site

pytestmark = BROWSER_MARKS

WIDTHS = (320, 360, 768, 1280, 1920)
DESK = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
# The list pages that become tables at desk width (the market's browse page and the dispatch
# pages are other work): their screenshots, and a table that must be as wide as the page.
TABLE_PAGES = {"/orders": "buyer-orders", "/sales": "sales", "/inspector/batches": "inspector",
               "/inspector/recalls": "recalls", "/admin/users": "admin-users",
               "/admin/producers": "admin-producers", "/admin/places": "admin-places",
               "/admin/audit": "admin-audit"}


@pytest.fixture(scope="module")
def demo_base(tmp_path_factory):
    app = create_app({"SECRET_KEY": "wide-screens-test", "SQLALCHEMY_DATABASE_URI":
                      "sqlite:///" + str(tmp_path_factory.mktemp("wide") / "demo.db")})
    with app.app_context():
        upgrade()
        seed_demo(db.session)
        db.session.commit()
        db.session.remove()
    with site(app) as base:
        yield base


def sign_in(browser, base: str, phone: str, **viewport):
    page = phone_page(browser, timeout_ms=20_000, bypass_csp=True, **viewport)
    page.goto(base + "/login")
    page.fill("#phone", phone)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/login" not in page.url, f"{phone} could not sign in"
    return page


def _widths_problems(page, where: str) -> list[str]:
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if scroll > width:
            problems.append(f"{where} at {width}: {scroll}px wide")
    return problems


def _desk_checks(page, where: str, path: str, tables: set[str]) -> list[str]:
    """At 1280: the navigation beside the page, a list page's table (when it lists anything:
    `tables` collects those that did) using the width."""
    page.set_viewport_size(DESK)
    problems = []
    nav = page.locator("nav.mainnav").bounding_box()
    main = page.locator("main").bounding_box()
    if nav and main and not nav["x"] + nav["width"] <= main["x"]:
        problems.append(f"{where}: the navigation is not a side bar at 1280")
    if path in TABLE_PAGES:
        table = page.locator("table.datatable")
        if table.count() == 1:
            tables.add(path)
            if table.bounding_box()["width"] < 800:
                problems.append(f"{where}: the table is {table.bounding_box()['width']:.0f}px")
    return problems


def _screenshots(page, path: str) -> None:
    name = TABLE_PAGES[path]
    page.set_viewport_size(DESK)
    page.screenshot(path=str(ARTIFACTS / f"wide-{name}-1280.png"))
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(ARTIFACTS / f"wide-{name}-360.png"))


def test_main_pages_fit_every_width_and_pass_axe(demo_base):
    problems: list[str] = []
    tables: set[str] = set()
    with chromium() as browser:
        for sign_in_ in SIGN_INS:
            phone = sign_in_.person.phone
            page = sign_in(browser, demo_base, phone, **DESK)
            hrefs = page.eval_on_selector_all(
                "nav.mainnav a", "links => links.map(a => a.getAttribute('href'))")
            for href in dict.fromkeys(["/", *hrefs]):
                page.set_viewport_size(DESK)
                response = page.goto(demo_base + href)
                page.wait_for_load_state()
                where = f"{phone} {href}"
                if response is None or response.status != 200:
                    problems.append(f"{where}: {response.status if response else 'none'}")
                    continue
                problems += [f"{where}: {v}" for v in axe_violations(page)]
                problems += _desk_checks(page, where, href, tables)
                problems += _widths_problems(page, where)
                if href in TABLE_PAGES:
                    _screenshots(page, href)
            page.context.close()
    assert not problems, "\n".join(problems)
    assert tables == set(TABLE_PAGES), f"no rows to show as a table: {set(TABLE_PAGES) - tables}"


def _tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until `selector` has the focus (the keyboard's own way there), and check the
    focus is visible there (an outline)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
            assert outline not in ("none", ""), f"{selector}: no visible focus"
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_buyer_adds_and_changes_a_cart_line_with_the_keyboard_alone(demo_base):
    buyer = next(s.person.phone for s in SIGN_INS if s.person.role.value == "buyer")
    with chromium() as browser:
        page = sign_in(browser, demo_base, buyer, **DESK)
        page.goto(demo_base + "/market")
        href = page.get_attribute("a.listing-link", "href")
        page.goto(demo_base + href)
        _tab_to(page, "#cart-quantity")
        page.keyboard.type("30")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        page.goto(demo_base + "/cart")
        assert page.locator(".cart-line").count() >= 1
        _tab_to(page, ".cart-line input[name=quantity]")
        page.keyboard.press("Control+A")
        page.keyboard.type("40")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "40" in page.locator(".cart-line input[name=quantity]").first.input_value()
        assert not axe_violations(page)
        page.context.close()


def test_producer_confirms_an_order_of_the_day_with_the_keyboard_alone(demo_base):
    manager = JIESHOU_MANAGER.phone  # the Jieshou co-op's: tomorrow's confirmed orders
    with chromium() as browser:
        page = sign_in(browser, demo_base, manager, **DESK)
        page.goto(demo_base + "/sales?sort=number&dir=desc")
        _tab_to(page, "a.row-link")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "/sales/" in page.url and "back=" in page.url
        _tab_to(page, "#next-step")
        before = page.inner_text("#status")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.inner_text("#status") != before
        page.click("#back-to-list")
        assert page.url.endswith("/sales?sort=number&dir=desc")  # 返回: the same list
        assert not axe_violations(page)
        page.context.close()

"""A buyer on a 360×740 phone: signs in, opens a listing, adds 100 斤 to the cart, sees the
price per 斤 and per kg, the dispatch date and freight, checks out and sees the order.

Same set-up as test_browser_farmer_flow: the real app in a thread on its own SQLite file built
by the migrations (no_db_isolation), Debian's Chromium, screenshots in test-artifacts/.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import select

from freshcircle.platform import create_app
from freshcircle.platform.core.services import accounts, reference_data
from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.extensions import db
from freshcircle.platform.market.services import listings
from freshcircle.platform.models import (
    Batch,
    BuyerProfile,
    MemberRole,
    Membership,
    Order,
    Place,
    PlaceKind,
    Plot,
    Producer,
    ProducerKind,
    Product,
    Role,
)
from tests.platform.live_server import site

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
PHONE, PASSWORD = "13912345678", "buyer-pass-2026"
WIDTH = 360

pytestmark = [
    pytest.mark.database_independent,
    pytest.mark.browser,
    pytest.mark.no_db_isolation,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="needs Debian's Chromium at /usr/bin/chromium "
                              "(apt-get install chromium fonts-wqy-microhei)"),
]


def _seed() -> int:
    """A Taihe co-op's garlic listed at ¥3.50/斤, and a Shanghai buyer with a site."""
    reference_data.load_products(db.session)
    reference_data.load_places(db.session)
    farmer = accounts.create_user(db.session, phone="13812340000", name="王建国",
                                  password=PASSWORD, role=Role.FARMER)
    producer = Producer(kind=ProducerKind.COOPERATIVE, name="太和县大蒜种植专业合作社",
                        county_code="341222", county_name="太和县",
                        latitude=Decimal("33.16"), longitude=Decimal("115.62"))
    producer.memberships.append(Membership(user=farmer, role=MemberRole.MANAGER))
    db.session.add(producer)
    garlic = db.session.scalar(select(Product).where(Product.name_zh == "大蒜"))
    batch = Batch(producer=producer, product=garlic or db.session.scalar(select(Product)),
                  plot=Plot(producer=producer, name="东地块"),
                  harvest_date=today_in_china() - dt.timedelta(days=1),
                  quantity_g=1_000_000, lot_code="FY341222-BROWSER-001", grade="一级")
    db.session.add_all([producer, batch])
    db.session.flush()
    listing = listings.create_listing(db.session, farmer, batch, {
        "price": "3.50", "unit": "jin", "min_order": "20", "quantity": "1000",
        "available_to": today_in_china() + dt.timedelta(days=7)})
    buyer = accounts.create_user(db.session, phone=PHONE, name="李采购", password=PASSWORD,
                                 role=Role.BUYER)
    site = Place(name_zh="上海闵行配送中心", name_en="Minhang DC (browser test)",
                 kind=PlaceKind.BUYER_SITE, latitude=Decimal("31.112"),
                 longitude=Decimal("121.381"), buyer_id=buyer.id)
    db.session.add(site)
    db.session.flush()
    db.session.add(BuyerProfile(user_id=buyer.id, company="上海鲜蔬", default_site_id=site.id))
    db.session.commit()
    return listing.id


@pytest.fixture
def live_app(tmp_path):
    app = create_app({
        "SECRET_KEY": "browser-test",
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "browser.db"),
    })
    with app.app_context():
        upgrade()
        listing_id = _seed()
        db.session.remove()
    with site(app) as base:
        yield app, base, listing_id


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{page.url} scrolls sideways: {width}px wide"


def _sign_in(page, base: str) -> None:
    """The buyer signs in through the form, typing the number with spaces as on a phone."""
    page.goto(base + "/login")
    page.fill("#phone", "139 1234 5678")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def _shot(page, name: str) -> None:
    _no_sideways_scroll(page)
    page.screenshot(path=str(ARTIFACTS / f"buyer-{name}.png"), full_page=True)


def test_buyer_orders_100_jin_on_a_phone(live_app):
    sync_api = pytest.importorskip("playwright.sync_api")
    app, base, listing_id = live_app
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        try:
            context = browser.new_context(viewport={"width": WIDTH, "height": 740},
                                          locale="zh-CN", timezone_id="Asia/Shanghai")
            page = context.new_page()
            page.set_default_timeout(15_000)

            _sign_in(page, base)
            for link in ("#nav-market", "#nav-cart", "#nav-orders", "#nav-account"):
                assert page.locator(link).count() == 1

            page.goto(f"{base}/market/listings/{listing_id}")
            assert "¥3.50" in page.inner_text("#price") and "¥7.00/kg" in page.inner_text(
                "#price")
            page.fill("#cart-quantity", "100")
            _shot(page, "1-listing")
            page.click("#add-cart")
            page.wait_for_url(f"{base}/market/listings/{listing_id}")
            assert "已加入购物车" in page.locator(".flash").inner_text()

            page.click("#nav-cart")
            page.wait_for_url(base + "/cart")
            line = page.inner_text(f"#line-{listing_id}")
            assert "¥3.50/斤" in line and "¥7.00/kg" in line
            assert "100\u00a0斤（50\u00a0kg）" in line and "¥350.00" in line
            preview = page.locator(".checkout-preview")
            assert "年" in preview.locator(".dispatch").inner_text()  # a long Chinese date
            assert "¥" in preview.locator(".freight").inner_text()
            assert page.locator("#site_id").input_value()  # the default site is chosen
            _shot(page, "2-cart")

            page.click("#place-order")
            page.wait_for_url(f"{base}/orders/*")
            main = page.inner_text("main")
            assert "已下单" in main and "100\u00a0斤（50\u00a0kg）" in main
            assert "太和县大蒜种植专业合作社" in main
            _shot(page, "3-order")

            page.click("#nav-orders")
            page.wait_for_url(base + "/orders")
            assert page.locator(".order-row").count() == 1
            _shot(page, "4-orders")
            page.click("#nav-account")
            page.wait_for_url(base + "/account")
            assert "上海闵行配送中心" in page.inner_text("main")
            assert "139 1234 5678" in page.inner_text("main")
            _shot(page, "5-account")
            page.click("#add-site")
            _shot(page, "6-new-site")
        finally:
            browser.close()

    with app.app_context():
        order = db.session.scalar(select(Order))
        assert order.lines[0].quantity_g == 50_000
        db.session.remove()


def test_a_buyer_types_suan_in_pinyin_and_finds_garlic(live_app):
    """Issue 18: the market search as a phone keyboard types it."""
    sync_api = pytest.importorskip("playwright.sync_api")
    _app, base, listing_id = live_app
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                             args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_context(viewport={"width": WIDTH, "height": 740},
                                       locale="zh-CN").new_page()
            page.set_default_timeout(15_000)
            _sign_in(page, base)
            page.goto(base + "/market")
            for typed, found in (("suan", True), ("ds", True), ("bocai", False)):
                page.fill("#q", typed)
                page.click("#search")
                page.wait_for_load_state()
                listings = page.locator("#listings").inner_text() if page.locator(
                    "#listings").count() else ""
                assert ("大蒜" in listings) is found, (typed, listings)
                assert (page.locator(f"a[href$='/market/listings/{listing_id}'], "
                                     f"a[href*='/market/listings/{listing_id}?']").count()
                        > 0) is found
                if typed == "suan":
                    _shot(page, "7-search-suan")
        finally:
            browser.close()


def _more_listings(app) -> None:
    """Besides the garlic: a 临泉县 farm's spinach and a second 太和县 garlic, 特级."""
    with app.app_context():
        farmer = accounts.create_user(db.session, phone="13812340001", name="赵农",
                                      password=PASSWORD, role=Role.FARMER)
        for name, code, county, product, grade in (
                ("临泉县菠菜家庭农场", "341221", "临泉县", "菠菜", "二级"),
                ("太和县蒜业合作社", "341222", "太和县", "大蒜", "特级")):
            producer = Producer(kind=ProducerKind.FAMILY_FARM, name=name, county_code=code,
                                county_name=county, latitude=Decimal("33.04"),
                                longitude=Decimal("115.26"))
            db.session.add(producer)
            producer.memberships.append(Membership(user=farmer, role=MemberRole.MANAGER))
            batch = Batch(producer=producer,
                          product=db.session.scalar(select(Product).where(
                              Product.name_zh == product)),
                          plot=Plot(producer=producer, name="西地块"), grade=grade,
                          harvest_date=today_in_china() - dt.timedelta(days=2),
                          quantity_g=500_000, lot_code=f"FY{code}-FACET-{grade}")
            db.session.add_all([producer, batch])
            db.session.flush()
            listings.create_listing(db.session, farmer, batch, {
                "price": "6.00", "unit": "jin", "min_order": "20", "quantity": "500",
                "available_to": today_in_china() + dt.timedelta(days=7)})
        db.session.commit()
        db.session.remove()


def test_a_buyer_sees_what_each_filter_leaves_and_clicks_one(live_app):
    """Issue 18: facet counts beside the filters, in Chinese, at 360 px; a click leaves as
    many listings as the number said."""
    sync_api = pytest.importorskip("playwright.sync_api")
    app, base, _ = live_app
    _more_listings(app)
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                             args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_context(viewport={"width": WIDTH, "height": 740},
                                       locale="zh-CN").new_page()
            page.set_default_timeout(15_000)
            _sign_in(page, base)
            page.goto(base + "/market")
            page.click("#filters summary")
            counties = page.locator("#facet-county")
            assert "产地" in counties.inner_text()
            taihe = counties.locator("a.chip", has_text="太和县")
            assert taihe.locator(".count").inner_text() == "2"
            assert "最晚送达" in page.inner_text("#facet-arrive_by")  # the buyer has a site
            assert "价格（元/斤）" in page.inner_text("#facet-price")
            _shot(page, "8-facets")
            taihe.click()
            page.wait_for_load_state()
            assert page.locator("#listings > li").count() == 2
            chosen = page.locator("#facet-county a.chip[aria-current=true]")
            assert "太和县" in chosen.inner_text()
            grades = page.locator("#facet-grade")  # within 太和县: 一级 1, 特级 1, no 二级
            assert "二级" not in grades.inner_text()
            grades.locator("a.chip", has_text="特级").click()
            page.wait_for_load_state()
            assert page.locator("#listings > li").count() == 1
            _shot(page, "9-facets-chosen")  # the filters stay open while some are chosen
            page.goto(base + "/lang/en")
            page.goto(base + "/market")
            page.click("#filters summary")
            assert "Origin" in page.inner_text("#facet-county")
            _shot(page, "10-facets-english")
        finally:
            browser.close()

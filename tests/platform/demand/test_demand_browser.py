"""Standing demand (求购) in Chromium on the demo data: the Shanghai buyer's demand page with
its ranked matches and the producer's 求购匹配, at 360 px and 1280 px, in Chinese; no page
scrolls sideways. Screenshots in test-artifacts/demand-*.png, to be looked at."""

from __future__ import annotations

import pytest
from flask_migrate import upgrade
from sqlalchemy import select

from freshcircle.platform import create_app
from freshcircle.platform.demo import DEMO_PASSWORD, seed_demo
from freshcircle.platform.demo import content as c
from freshcircle.platform.extensions import db
from freshcircle.platform.models import StandingDemand, User
from tests.platform.browser import ARTIFACTS, BROWSER_MARKS, chromium, phone_page
from tests.platform.live_server import site

pytestmark = BROWSER_MARKS


@pytest.fixture
def live_app(tmp_path):
    app = create_app({"SECRET_KEY": "browser-test",
                      "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "demand.db")})
    with app.app_context():
        upgrade()
        seed_demo(db.session)
        db.session.commit()
        buyer = db.session.scalar(select(User).where(User.phone == c.BUYER.phone))
        demand_id = db.session.scalar(select(StandingDemand.id).where(
            StandingDemand.buyer_id == buyer.id))
        db.session.remove()
    with site(app) as base:
        yield base, demand_id


def _sign_in(page, base: str, phone: str) -> None:
    page.goto(base + "/login")
    page.fill("#phone", phone)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def _shot(page, name: str, width: int) -> str:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} scrolls sideways: {scroll}px wide"
    page.screenshot(path=str(ARTIFACTS / f"demand-{name}-{width}.png"), full_page=True)
    return page.inner_text("main") if page.locator("main").count() else page.inner_text("body")


@pytest.mark.parametrize("width,height", [(360, 740), (1280, 800)])
def test_buyer_and_producer_see_the_demand_in_chinese(live_app, width, height):
    base, demand_id = live_app
    with chromium() as browser:
        buyer = phone_page(browser, width=width, height=height)
        _sign_in(buyer, base, c.BUYER.phone)
        buyer.click("#nav-demands")
        listed = _shot(buyer, "mine", width)
        assert "我的求购" in listed and "菠菜" in listed
        buyer.goto(f"{base}/demands/{demand_id}")
        detail = _shot(buyer, "detail", width)
        assert "匹配的生产者" in detail and "第 1 名" in detail
        assert "到货剩余保质期" in detail and "待报价" in detail
        buyer.goto(f"{base}/demands/new")
        assert "发布求购" in _shot(buyer, "new", width)

        farmer = phone_page(browser, width=width, height=height)
        _sign_in(farmer, base, c.FARMER.phone)
        farmer.click("#nav-demands")
        matched = _shot(farmer, "matched", width)
        assert "求购匹配" in matched and "菠菜" in matched and "距离" in matched
        farmer.goto(f"{base}/notices")
        assert "有买家每周需要菠菜" in _shot(farmer, "notice", width)

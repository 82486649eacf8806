"""Forward contract pages in headless Chromium, in Chinese, at 360×740 and 1280×800: the
buyer's list, a contract with its weeks, an order made for it and a shortfall, the proposal
form and the report; nothing scrolls sideways on the phone. Screenshots in test-artifacts/."""

from __future__ import annotations

import pytest
from flask_migrate import upgrade

from freshcircle.platform import create_app
from freshcircle.platform.contracts.services import offers, shortfalls
from freshcircle.platform.core.services import reference_data
from freshcircle.platform.extensions import db
from tests.factories import PASSWORD, Factory
from tests.platform.browser import ARTIFACTS, BROWSER_MARKS, chromium, phone_page
from tests.platform.contracts.contract_helpers import TODAY, contract_for, world
from tests.platform.live_server import site

pytestmark = BROWSER_MARKS
SIZES = ((360, 740), (1280, 800))


@pytest.fixture
def live_app(tmp_path):
    app = create_app({"SECRET_KEY": "contract-browser-test",
                      "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "c.db")})
    with app.app_context():
        upgrade()
        reference_data.load_products(db.session)
        reference_data.load_places(db.session)
        make = Factory(db.session)
        w = world(make, db.session)
        contract = contract_for(db.session, w, per_week="200", weeks=4, grade="一级")
        batch = make.batch(w.producer, plot=w.planting.plot, product=w.planting.product,
                           planting=w.planting, grade="一级")
        offers.offer_registered_batch(db.session, w.farmer, batch)
        shortfalls.declare_shortfall(db.session, w.farmer, contract, {
            "quantity": "150", "week_from": contract.weeks[2].week_start,
            "week_to": contract.weeks[3].week_start, "reason": "冰雹打伤部分植株"})
        db.session.commit()
        ids = {"contract": contract.id, "buyer": w.buyer.phone, "farmer": w.farmer.phone}
        db.session.remove()
    with site(app) as base:
        yield base, ids


def _sign_in(page, base: str, phone: str) -> None:
    page.goto(base + "/login")
    page.fill("#phone", phone)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/login" not in page.url


def test_contract_pages_in_chinese_on_a_phone_and_a_desk(live_app):
    base, ids = live_app
    with chromium() as browser:
        for width, height in SIZES:
            for who in ("buyer", "farmer"):
                page = phone_page(browser, width=width, height=height)
                _sign_in(page, base, ids[who])
                for name, path in (("list", "/contracts"),
                                   ("detail", f"/contracts/{ids['contract']}"),
                                   ("new", "/contracts/new"), ("report", "/contracts/report")):
                    response = page.goto(base + path)
                    assert response is not None and response.status == 200, path
                    body = page.inner_text("body")
                    assert "订单农业" in body or "合同" in body, path
                    if width == 360:
                        scroll = page.evaluate("document.documentElement.scrollWidth")
                        assert scroll <= width, f"{path} scrolls sideways: {scroll}px"
                    page.screenshot(path=str(ARTIFACTS / f"contracts-{who}-{name}-{width}.png"),
                                    full_page=True)
                if who == "buyer":
                    page.goto(base + f"/contracts/{ids['contract']}")
                    body = page.inner_text("body")
                    assert "执行中" in body and "冰雹打伤部分植株" in body
                    assert "接受部分交货" in body and "解除合同" in body
                    assert TODAY.year and "订单 #" in body
                page.context.close()

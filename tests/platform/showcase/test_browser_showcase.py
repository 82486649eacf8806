"""阜阳好物 in Chromium: one column on a 360×740 phone, a grid at 1280×800; Chinese first, no
price, nothing wider than the phone. Screenshots in test-artifacts/ (showcase-*.png).

Set-up as the other browser tests: the real app in a thread on its own SQLite file built by
the migrations (no_db_isolation), Debian's Chromium.
"""

from __future__ import annotations

import datetime as dt
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
    MemberRole,
    Membership,
    Plot,
    Producer,
    ProducerKind,
    Product,
    Role,
)
from tests.platform.live_server import site

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"

pytestmark = [
    pytest.mark.database_independent,
    pytest.mark.browser,
    pytest.mark.no_db_isolation,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="needs Debian's Chromium at /usr/bin/chromium "
                              "(apt-get install chromium fonts-wqy-microhei)"),
]


def _seed() -> int:
    """A Taihe toon co-op with three listed batches at ¥9.80/斤."""
    reference_data.load_products(db.session)
    reference_data.load_places(db.session)
    farmer = accounts.create_user(db.session, phone="13812340001", name="李秀兰",
                                  password="farmer-pass-2026", role=Role.FARMER)
    producer = Producer(kind=ProducerKind.COOPERATIVE, name="太和县绿香香椿种植专业合作社",
                        county_code="341222", county_name="太和县", township="旧县镇",
                        service_phone="0558-6100222")
    producer.memberships.append(Membership(user=farmer, role=MemberRole.MANAGER))
    db.session.add(producer)
    toon = db.session.scalar(select(Product).where(
        Product.name_en == "Chinese toon shoots (Taihe xiangchun)"))
    plot = Plot(producer=producer, name="香椿大棚")
    for n in range(3):
        batch = Batch(producer=producer, product=toon, plot=plot, variety="黑油椿",
                      harvest_date=today_in_china() - dt.timedelta(days=n),
                      quantity_g=200_000, lot_code=f"FY341222-SHOW-00{n}", grade="一级")
        db.session.add(batch)
        db.session.flush()
        listings.create_listing(db.session, farmer, batch, {
            "price": "9.80", "unit": "jin", "min_order": "10", "quantity": "300",
            "available_to": today_in_china() + dt.timedelta(days=7)})
    db.session.commit()
    return producer.id


@pytest.fixture
def live_app(tmp_path):
    app = create_app({
        "SECRET_KEY": "browser-test",
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "browser.db"),
    })
    with app.app_context():
        upgrade()
        producer_id = _seed()
        db.session.remove()
    with site(app) as base:
        yield base, producer_id


def _columns(page) -> int:
    """How many listing cards sit side by side in the first row."""
    tops = page.eval_on_selector_all(
        "#listings .listing-card", "cards => cards.map(c => c.getBoundingClientRect().top)")
    return sum(1 for top in tops if abs(top - tops[0]) < 2)


def test_showcase_on_a_phone_and_on_a_desktop(live_app):
    sync_api = pytest.importorskip("playwright.sync_api")
    base, producer_id = live_app
    ARTIFACTS.mkdir(exist_ok=True)
    pages = {"home": "/", "county": "/haowu/counties/341222",
             "brand": "/haowu/brands/taihe-xiangchun",
             "producer": f"/haowu/producers/{producer_id}"}
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"])
        try:
            for width, height, columns in ((360, 740, 1), (1280, 800, 3)):
                context = browser.new_context(viewport={"width": width, "height": height},
                                              locale="zh-CN", timezone_id="Asia/Shanghai")
                page = context.new_page()
                page.set_default_timeout(15_000)
                for name, path in pages.items():
                    page.goto(base + path)
                    main = page.inner_text("main")
                    assert "登录后查看批发价并下单" in main and "9.80" not in main
                    assert "香椿(太和香椿)" in main
                    assert _columns(page) == columns, (name, width)
                    assert page.evaluate("document.documentElement.scrollWidth") <= width
                    page.screenshot(path=str(ARTIFACTS / f"showcase-{name}-{width}x{height}.png"),
                                    full_page=width == 360)
                context.close()
        finally:
            browser.close()

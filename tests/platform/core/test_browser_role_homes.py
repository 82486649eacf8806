"""Every demo sign-in's home and every page its navigation links to, in a phone browser at
360×740: each opens (200), none shows a placeholder, and nothing scrolls sideways.

The real app in a thread on its own SQLite file built by the migrations and seeded by
`seed_demo`, Debian's Chromium, as the demo walkthrough does.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask_migrate import upgrade

from freshcircle.platform import create_app
from freshcircle.platform.demo import DEMO_PASSWORD, SIGN_INS, seed_demo
from freshcircle.platform.extensions import db
from tests.platform.live_server import site

CHROMIUM = Path("/usr/bin/chromium")
WIDTH = 360
PLACEHOLDER = ("还在建设中", "not ready yet")

pytestmark = [
    pytest.mark.database_independent,
    pytest.mark.browser,
    pytest.mark.no_db_isolation,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="needs Debian's Chromium at /usr/bin/chromium "
                              "(apt-get install chromium fonts-wqy-microhei)"),
]


@pytest.fixture
def demo_base(tmp_path):
    app = create_app({"SECRET_KEY": "role-homes-test",
                      "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "demo.db")})
    with app.app_context():
        upgrade()
        seed_demo(db.session)
        db.session.commit()
        db.session.remove()
    with site(app) as base:
        yield base


def test_every_role_home_and_nav_page_fits_a_phone(demo_base):
    sync_api = pytest.importorskip("playwright.sync_api")
    problems: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"])
        try:
            for sign_in in SIGN_INS:
                phone = sign_in.person.phone
                context = browser.new_context(viewport={"width": WIDTH, "height": 740},
                                              locale="zh-CN", timezone_id="Asia/Shanghai")
                page = context.new_page()
                page.set_default_timeout(20_000)
                page.goto(demo_base + "/login")
                page.fill("#phone", phone)
                page.fill("#password", DEMO_PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_load_state()
                assert "/login" not in page.url, f"{phone} could not sign in"
                hrefs = page.eval_on_selector_all(
                    "nav.mainnav a", "links => links.map(a => a.getAttribute('href'))")
                assert hrefs, f"{phone} has no navigation"
                for href in ["/", *hrefs]:
                    response = page.goto(demo_base + href)
                    page.wait_for_load_state()
                    where = f"{phone} {href}"
                    if response is None or response.status != 200:
                        problems.append(f"{where}: {response.status if response else 'none'}")
                    text = page.inner_text("body")
                    if any(p in text for p in PLACEHOLDER):
                        problems.append(f"{where}: placeholder")
                    width = page.evaluate("document.documentElement.scrollWidth")
                    if width > WIDTH:
                        problems.append(f"{where}: {width}px wide")
                context.close()
        finally:
            browser.close()
    assert not problems, problems

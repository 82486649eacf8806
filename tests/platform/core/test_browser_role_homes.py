"""Every demo sign-in's home and every page its navigation links to, in a phone browser at
360×740: each opens (200), none shows a placeholder, and nothing scrolls sideways.

The real app in a thread on its own SQLite file built by the migrations and seeded by
`seed_demo`, Debian's Chromium, as the demo walkthrough does.
"""

from __future__ import annotations

import pytest
from flask_migrate import upgrade

from freshcircle.platform import create_app
from freshcircle.platform.demo import DEMO_PASSWORD, SIGN_INS, seed_demo
from freshcircle.platform.extensions import db
from tests.platform.browser import BROWSER_MARKS, chromium, phone_page
from tests.platform.live_server import site

WIDTH = 360
PLACEHOLDER = ("还在建设中", "not ready yet")

pytestmark = BROWSER_MARKS


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
    problems: list[str] = []
    with chromium() as browser:
        for sign_in in SIGN_INS:
            phone = sign_in.person.phone
            page = phone_page(browser, timeout_ms=20_000)
            context = page.context
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
    assert not problems, problems

"""README's demo table, walked in a phone browser: every sign-in does what its "what to try"
says, on the demo as `make run` seeds it, with the lot codes the seed printed.

The real app in a thread on its own SQLite file built by the migrations and seeded by
`seed_demo` (no_db_isolation), Debian's Chromium at 360×740, screenshots in test-artifacts/.
The roles run in the README's order, except that the inspector's recall comes before the
buyer reads the inbox (the buyer's row says the recall notice arrives there).
"""

from __future__ import annotations

import re

import pytest
from flask_migrate import upgrade

from freshcircle.platform import create_app
from freshcircle.platform.demo import DEMO_PASSWORD, seed_demo
from freshcircle.platform.demo.content import ADMIN as PLATFORM_ADMIN
from freshcircle.platform.demo.content import (
    BUYER,
    CARRIER,
    COOP_ADMIN,
    FARMER,
    INSPECTOR,
    JIESHOU_MANAGER,
)
from freshcircle.platform.extensions import db
from tests.platform.browser import ARTIFACTS, BROWSER_MARKS, chromium, phone_page
from tests.platform.live_server import site

WIDTH = 360
LOT = re.compile(r"FY\d{6}-\d{6}-\d{3}")

pytestmark = BROWSER_MARKS


@pytest.fixture
def demo_server(tmp_path):
    app = create_app({
        "SECRET_KEY": "walkthrough-test",
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "demo.db"),
        "DISPATCH_JOBS_SYNC": True,
        "DISPATCH_MAX_ITERATIONS": 2000,
    })
    with app.app_context():
        upgrade()
        result = seed_demo(db.session)
        db.session.commit()
        db.session.remove()
    rows = {s.person.phone: s.what_to_try for s in result.sign_ins}
    with site(app) as base:
        yield base, rows


class Walk:
    """One browser context per sign-in; every page it looks at fits 360 px."""

    def __init__(self, browser, base: str, phone: str):
        self.base, self.phone = base, phone
        self.page = phone_page(browser, timeout_ms=20_000)
        self.context = self.page.context
        self.shots = 0
        self.page.goto(base + "/login")
        self.page.fill("#phone", phone)
        self.page.fill("#password", DEMO_PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_load_state()
        assert "/login" not in self.page.url, f"{phone} could not sign in"

    def main(self) -> str:
        return self.page.inner_text("main")

    def nav(self, text: str) -> str:
        self.page.locator("nav.mainnav a", has_text=text).first.click()
        self.page.wait_for_load_state()
        return self.look(text)

    def open(self, path: str, name: str) -> str:
        self.page.goto(self.base + path)
        return self.look(name)

    def click(self, text: str) -> str:
        self.page.get_by_role("link", name=text).first.click()
        self.page.wait_for_load_state()
        return self.look(text)

    def open_row(self, text: str) -> str:
        """A list row holding `text` (a lot code), opened as a finger or a mouse would."""
        self.page.locator("tr", has_text=text).locator(".row-link").first.click()
        self.page.wait_for_load_state()
        return self.look(text)

    def look(self, name: str) -> str:
        width = self.page.evaluate("document.documentElement.scrollWidth")
        assert width <= WIDTH, f"{self.page.url} scrolls sideways: {width}px wide"
        self.shots += 1
        safe = re.sub(r"[^\w-]+", "_", name)[:40]
        self.page.screenshot(path=str(ARTIFACTS / f"walk-{self.phone}-{self.shots}-{safe}.png"),
                             full_page=True)
        return self.main()

    def close(self) -> None:
        self.context.close()


def _lots(text: str) -> list[str]:
    return LOT.findall(text)


def test_every_demo_sign_in_does_what_readme_says(demo_server):
    base, rows = demo_server
    spinach, toon = _lots(rows[FARMER.phone])
    celery, merged, recalled = _lots(rows[INSPECTOR.phone])
    assert recalled == toon and _lots(rows[CARRIER.phone]) == [toon]

    with chromium() as browser:
        _farmer(Walk(browser, base, FARMER.phone), spinach, toon)
        _coop_admin(Walk(browser, base, COOP_ADMIN.phone))
        _jieshou_manager(Walk(browser, base, JIESHOU_MANAGER.phone))
        _carrier(Walk(browser, base, CARRIER.phone), toon)
        _inspector(Walk(browser, base, INSPECTOR.phone), celery, merged, toon)
        _buyer(Walk(browser, base, BUYER.phone), toon)
        _admin(Walk(browser, base, PLATFORM_ADMIN.phone))


def _farmer(walk: Walk, spinach: str, toon: str) -> None:
    """我的批次; the spinach lot shows 安全间隔期未满; print labels of the toon lot and open the
    shopper's page of the first pack: farm, tests, journey, cold chain with the excursion."""
    home = walk.look("my-batches")
    assert "我的批次" in home and spinach in home
    card = walk.page.locator("ul.batches li", has_text=spinach)
    assert "安全间隔期未满" in card.inner_text()
    assert "安全间隔期未满" in walk.click(spinach)
    walk.page.goto(walk.base + "/")
    while walk.page.locator("ul.batches li", has_text=toon).count() == 0:
        walk.click("更早")
    batch_page = walk.click(toon)
    assert "打印标签" in batch_page
    walk.page.fill("#labels-count", "24")
    walk.page.fill("#labels-net_weight", "5")
    walk.page.click("#print-labels")
    walk.page.wait_for_load_state()
    run = walk.look("label-run")
    assert "24" in run
    walk.page.click("#scan-preview")
    walk.page.wait_for_load_state()
    shopper = walk.look("shopper-page")
    assert "香椿" in shopper and "太和" in shopper
    for section in ("#product", "#tests", "#journey", "#shelf-life-card", "#cold-chain"):
        assert walk.page.locator(section).count() == 1, section
    cold_chain = walk.page.inner_text("#cold-chain")
    assert "温度过高" in cold_chain and "（40 分钟）" in cold_chain, cold_chain
    walk.close()


def _coop_admin(walk: Walk) -> None:
    """Manager of that co-op: members, inputs, residue tests, certifications."""
    walk.look("home")
    producers = walk.nav("生产主体")
    assert "太和" in producers
    walk.page.locator("main a", has_text="太和").first.click()
    walk.page.wait_for_load_state()
    producer = walk.look("producer")
    assert "成员" in producer and "证书" in producer
    inputs = walk.nav("投入品")
    assert "阿维菌素" in inputs
    walk.close()


def _carrier(walk: Walk, toon: str) -> None:
    """今日路线: tomorrow's stops by truck; 我的运单: reefer trucks 皖K…, the toon lot's trip
    with a temperature excursion."""
    walk.look("home")
    route = walk.nav("今日路线")
    if "皖K" not in route:
        route = walk.click("›")
    assert "皖K" in route and "卸货" in route
    shipments = walk.nav("我的运单")
    assert shipments.count("皖K") >= 3
    for city in ("上海", "杭州", "南京"):
        assert city in shipments
    trip = walk.page.locator("li.shipment", has_text=toon)
    assert trip.count() == 1 and "上海" in trip.locator("h2").inner_text()
    assert trip.locator(".alert-item").count() == 1  # the one excursion
    assert "温度过高" in trip.locator(".alert-item").inner_text()
    walk.close()


def _inspector(walk: Walk, celery: str, merged: str, toon: str) -> None:
    """批次查询 across counties; the held celery lot; the merged lot's two inputs; recall the
    toon lot and see who was told; 召回记录."""
    walk.look("home")
    search = walk.nav("批次查询")
    assert "界首" in search and "临泉" in search
    found = walk.open(f"/inspector/batches?lot={celery}", "search-celery")
    assert celery in found and "已暂扣" in found
    walk.open(f"/inspector/batches?lot={merged}", "search-merged")
    walk.open_row(merged)
    walk.page.click("#trace-link")
    walk.page.wait_for_load_state()
    walk.look("trace-merged")
    backward = walk.page.inner_text("#backward")
    assert len(set(_lots(backward)) - {merged}) == 2, backward
    walk.open(f"/inspector/batches?lot={toon}", "search-toon")
    walk.open_row(toon)
    walk.page.fill("#staff-actions [name=reason]", "抽检农残超标（演练）")
    walk.page.locator("#staff-actions button[value=recalled]").click()
    walk.page.wait_for_load_state()
    confirm = walk.look("recall-confirm")
    assert toon in confirm and "确认召回" in confirm
    assert "王海峰" in walk.page.inner_text("#to-tell")
    walk.page.click("#confirm-recall-button")
    walk.page.wait_for_load_state()
    told = walk.look("recalled")
    assert "已召回" in told and "王海峰" in walk.page.inner_text("#told")
    records = walk.nav("召回记录")
    assert toon in records
    walk.close()


def _buyer(walk: Walk, recalled: str) -> None:
    """市场 finds 临泉白蒜 with 元/斤 and 元/kg; cart and checkout with dispatch day and freight;
    通知 holds the recall notice."""
    walk.look("home")
    walk.nav("市场")
    with walk.page.expect_navigation():
        walk.page.fill("#market-search [name=q]", "临泉白蒜")
        walk.page.keyboard.press("Enter")
    market = walk.look("market-garlic")
    assert "白蒜" in market and "/斤" in market and "/kg" in market
    walk.page.locator("main a", has_text="白蒜").first.click()
    walk.page.wait_for_load_state()
    walk.look("listing")
    walk.page.fill("#cart-quantity", "100")
    walk.page.click("#add-cart")
    walk.page.wait_for_load_state()
    cart = walk.nav("购物车")
    assert "运费" in cart and "发货" in cart
    walk.page.click("#place-order")
    walk.page.wait_for_load_state()
    assert "已下单" in walk.look("ordered")
    inbox = walk.nav("通知")
    assert recalled in inbox and "召回" in inbox
    walk.close()


def _admin(walk: Walk) -> None:
    """Users, producers and places."""
    walk.look("home")
    assert "13900000001" in walk.nav("用户") or "139 0000 0001" in walk.main()
    assert "合作社" in walk.nav("生产主体")
    assert "冷库" in walk.nav("地点")
    walk.close()


def _jieshou_manager(walk: Walk) -> None:
    """车队 lists four reefer trucks; 调度 plans tomorrow's nine orders with one tap; 采用方案
    makes the shipments the carrier drives."""
    walk.look("home")
    fleet = walk.nav("车队")
    assert fleet.count("皖K") >= 4
    day = walk.nav("调度")
    assert "#" in day
    walk.page.click("#plan-button")
    walk.page.wait_for_selector("#summary", timeout=90_000)
    plan = walk.look("plan")
    assert walk.page.inner_text("#planned") == "9 / 9", plan
    assert "皖KB2468" in walk.page.inner_text("#idle")  # the truck nobody drives
    # The timeline: no stop marker covers another, and the axis marks shown do not collide.
    overlaps = walk.page.evaluate("""() => {
      const hit = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom
                            && b.top < a.bottom;
      const found = [];
      for (const sel of [".tl-track", ".tl-scale"]) {
        document.querySelectorAll(sel).forEach(row => {
          const boxes = [...row.querySelectorAll(".tl-stop, .tl-tick:not([hidden])")]
            .map(e => e.getBoundingClientRect());
          boxes.forEach((a, i) => boxes.slice(i + 1).forEach(b => {
            if (hit(a, b)) found.push(row.textContent);
          }));
        });
      }
      return found;
    }""")
    assert overlaps == [], overlaps
    assert walk.page.locator(".tl-tick:not([hidden])").count() >= 2
    walk.page.click("#accept")
    walk.page.wait_for_selector("#accepted")
    walk.look("accepted")
    walk.close()

"""The dispatch map in Chromium (issue 19): Leaflet draws each truck's route in its colour on the
province and prefecture outlines with the served cities' names (no tile server here), a click
on a truck highlights its route, the driver sees their truck's map; and nothing breaks the CSP.
Screenshots of the plan page and the driver's page at 1280x800 and 360x740 in test-artifacts/."""

from __future__ import annotations

import json

import pytest
from flask_migrate import upgrade
from sqlalchemy import select

from freshcircle.platform import create_app
from freshcircle.platform.demo import DEMO_PASSWORD, seed_demo
from freshcircle.platform.extensions import db
from freshcircle.platform.models import Batch, Place, PlaceKind, Shipment, ShipmentLine
from tests.platform.browser import ARTIFACTS, BROWSER_MARKS, chromium, phone_page
from tests.platform.live_server import site
from tests.platform.trace_helpers import path_of, printed_codes

pytestmark = BROWSER_MARKS
SIZES = ((1280, 800), (360, 740))
MANAGER, CARRIER = "13900001121", "13900000004"


@pytest.fixture
def demo_server(tmp_path):
    app = create_app({
        "SECRET_KEY": "route-map-test",
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "map.db"),
        "DISPATCH_JOBS_SYNC": True,
        "DISPATCH_MAX_ITERATIONS": 2000,
    })
    with app.app_context():
        upgrade()
        seed_demo(db.session)
        db.session.commit()
        db.session.remove()
    with site(app) as base:
        yield base


def _sign_in(browser, base, phone, width, height):
    page = phone_page(browser, width=width, height=height, timeout_ms=30_000)
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(base + "/login")
    page.fill("#phone", phone)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return page, problems


def _map_drawn(page, selector="#route-map"):
    page.wait_for_selector(f"{selector}.drawn")
    page.wait_for_function(f"document.querySelector('{selector}').dataset.outlines > 0")
    page.wait_for_load_state("networkidle")


OVERLAPS = """el => {
  const box = e => (e.firstElementChild || e).getBoundingClientRect();
  const hit = (a, b) => a.left < b.right && b.left < a.right &&
    a.top < b.bottom && b.top < a.bottom;
  const names = [...el.querySelectorAll('.city-label:not(.covered)')];
  const marks = [...el.querySelectorAll('.stop-marker, .depot-marker, .rest-marker')];
  const out = [];
  names.forEach((n, i) => {
    marks.forEach(m => {  // the marker, and its span: the depot's name is drawn around its point
      if ([m.getBoundingClientRect(), box(m)].some(r => hit(box(n), r))) out.push(n.textContent);
    });
    names.slice(i + 1).forEach(o => {
      if (hit(box(n), box(o))) out.push(n.textContent + '/' + o.textContent);
    });
  });
  return out;
}"""


def test_the_plan_map_draws_each_route_on_the_outlines_and_a_click_picks_a_truck(demo_server):
    with chromium() as browser:
        page, problems = _sign_in(browser, demo_server, MANAGER, *SIZES[0])
        page.goto(demo_server + "/dispatch")
        page.click("#plan-button")
        page.wait_for_selector("#summary", timeout=90_000)
        _map_drawn(page)
        data = json.loads(page.inner_text("#route-map-data"))
        routes = data["routes"]
        assert len(routes) >= 2 and data["tiles"] is None
        # One polyline per truck, in the route's colour, along the depot and its stops.
        lines = page.locator("#route-map path.route-line")
        assert lines.count() == len(routes)
        for route in routes:
            line = page.locator(f"#route-map path.route-line-{route['no']}")
            assert line.get_attribute("stroke") == route["color"]
        assert len({r["color"] for r in routes}) == len(routes)
        # Real geography: 4 province and 40 prefecture outlines, the served cities' names.
        assert page.locator("#route-map path.outline-province").count() == 4
        assert page.locator("#route-map path.outline-prefecture").count() == 40
        cities = page.locator("#route-map .city-label").all_inner_texts()
        assert {"上海市", "杭州市", "南京市", "合肥市"} <= set(cities)
        # Numbered stops named after their sites, the cold store.
        stops = page.locator("#route-map .stop-marker")
        numbers = [n for t in stops.all_inner_texts() for n in t.split("·")]
        assert sorted(numbers) == sorted(str(s["n"]) for r in routes for s in r["stops"])
        first = routes[0]["stops"][0]
        title = page.locator("#route-map .stop-marker").first.get_attribute("title")
        assert "到达" in title and "卸货" in title
        assert first["name"] in page.locator("#route-map").inner_html()
        assert page.locator("#route-map .depot-marker").count() == 1
        rests = sum(1 for r in routes for s in r["stops"] if s["rests"])
        assert page.locator("#route-map .rest-marker").count() == rests
        # A click on a truck in the list highlights its route and dims the others.
        no = routes[1]["no"]
        page.click(f'.map-truck[data-route="{no}"]')
        assert page.get_attribute("#route-map", "data-highlighted") == str(no)
        assert page.get_attribute(f'.map-truck[data-route="{no}"]', "aria-pressed") == "true"
        assert page.locator(f"path.route-line-{no}").get_attribute("stroke-width") == "7"
        other = routes[0]["no"]
        assert page.locator(f"path.route-line-{other}").get_attribute("stroke-opacity") == "0.15"
        page.screenshot(path=str(ARTIFACTS / "dispatch-map-picked-1280.png"))
        page.click(f'.map-truck[data-route="{no}"]')
        assert page.get_attribute("#route-map", "data-highlighted") == ""
        plan_url = page.url
        for width, height in SIZES:
            page.set_viewport_size({"width": width, "height": height})
            page.goto(plan_url)
            _map_drawn(page)
            width_now = page.evaluate("document.documentElement.scrollWidth")
            assert width_now <= width, f"scrolls sideways at {width}: {width_now}"
            # No city's name under a marker or on another name: moved beside it or hidden.
            assert page.locator("#route-map").evaluate(OVERLAPS) == [], width
            page.screenshot(path=str(ARTIFACTS / f"dispatch-plan-{width}.png"), full_page=True)
        page.click("#accept")
        page.wait_for_selector("#accepted")
        assert problems == [], problems
        page.context.close()

        for width, height in SIZES:
            page, problems = _sign_in(browser, demo_server, CARRIER, width, height)
            page.goto(demo_server + "/driver")
            page.click("#day-after")  # the plan was for tomorrow, the dispatch page's default
            _map_drawn(page, ".route-map")
            drawn = page.locator(".route-map")
            assert drawn.count() >= 1
            assert page.locator(".route-map path.route-line").count() == drawn.count()
            assert page.locator(".route-map .stop-marker").count() >= 1
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            page.screenshot(path=str(ARTIFACTS / f"driver-map-{width}.png"), full_page=True)
            assert problems == [], problems
            page.context.close()


def test_the_scan_page_draws_the_journey_from_the_county_to_the_buyers_city(tmp_path):
    app = create_app({
        "SECRET_KEY": "journey-map-test",
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "journey.db"),
        "SIGNING_KEYS": "t1=dGVzdC1zaWduaW5nLWtleS0zMi1ieXRlcy1sb25nISE",
    })
    with app.app_context():
        upgrade()
        seed_demo(db.session)
        db.session.commit()
        batch = db.session.scalars(select(Batch).join(ShipmentLine).join(Shipment).where(
            Shipment.to_place.has(Place.kind == PlaceKind.BUYER_SITE)).limit(1)).one()
        path = path_of(printed_codes(app, db.session, batch)[0])
        db.session.remove()
    with site(app) as base, chromium() as browser:
        for width, height in SIZES:
            page = phone_page(browser, width=width, height=height)
            problems: list[str] = []
            page.on("console", lambda m, seen=problems: seen.append(m.text)
                    if m.type == "error" else None)
            page.goto(base + path)
            _map_drawn(page, "#journey-map")
            data = json.loads(page.inner_text("#journey-map-data"))
            assert data["points"][0]["kind"] == "farm" and data["points"][-1]["kind"] == "city"
            assert page.locator("#journey-map path.journey-line").count() == 1
            names = page.locator("#journey-map .journey-marker").all_inner_texts()
            assert names == [p["name"] for p in data["points"]]
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            page.locator("#journey").screenshot(path=str(ARTIFACTS / f"journey-map-{width}.png"))
            assert problems == [], problems
            page.context.close()

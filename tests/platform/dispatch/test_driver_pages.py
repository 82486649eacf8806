"""今日路线: a driver's stops for a dispatch day, by route and stop order, with what to unload;
only the driver's own."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import select

from freshcircle.platform import create_app
from freshcircle.platform.core.services.clock import CHINA, today_in_china
from freshcircle.platform.demo import DEMO_PASSWORD, seed_demo
from freshcircle.platform.extensions import db
from freshcircle.platform.models import (
    DispatchPlan,
    Order,
    OrderStatus,
    PlaceKind,
    Role,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
    TemperatureClass,
    TransportMode,
    Vehicle,
)
from tests.platform.live_server import site
from tests.platform.page_helpers import element, text

TODAY = today_in_china()


def _route(make, session, driver, day=TODAY, plate="皖KD3186"):
    """An accepted plan for `day`: two stops (Hangzhou second, created first) on one truck."""
    farmer = make.user()
    producer = make.producer(farmer)
    store = make.new_place(name_zh="太和香椿冷库", producer=producer)
    plan = DispatchPlan(producer_id=producer.id, depot_id=store.id, dispatch_date=day,
                        status="done")
    session.add(plan)
    session.commit()
    spinach = make.batch(producer, lot_code="FY341222-261125-001", quantity_g=900_000)
    toon = make.batch(producer, lot_code="FY341222-261125-002", quantity_g=300_000,
                      product=make.product("Chinese toon shoots (Taihe xiangchun)"))
    shanghai = make.new_place(name_zh="上海鲜达配送中心", name_en="Shanghai Xianda DC",
                              kind=PlaceKind.BUYER_SITE, latitude="31.112", longitude="121.381")
    hangzhou = make.new_place(name_zh="杭州禾鲜配送中心", name_en="Hangzhou Hexian DC",
                              kind=PlaceKind.BUYER_SITE, latitude="30.318", longitude="120.212")
    shanghai.receiving_from, shanghai.receiving_to = dt.time(4), dt.time(10)
    leave = dt.datetime.combine(day - dt.timedelta(days=1), dt.time(22), CHINA)
    second = make.shipment(carrier=driver, lines=[(spinach, 60_000)], from_place=store,
                           to_place=hangzhou, dispatch_plan_id=plan.id, route_no=1, stop_no=2,
                           vehicle_plate=plate, temp_class=TemperatureClass.COOL)
    first = make.shipment(carrier=driver, lines=[(spinach, 100_000), (toon, 25_500)],
                          from_place=store, to_place=shanghai, dispatch_plan_id=plan.id,
                          route_no=1, stop_no=1, vehicle_plate=plate)
    for shipment, hours in ((first, 7), (second, 10)):
        shipment.planned_departure = leave
        shipment.planned_arrival = leave + dt.timedelta(hours=hours)
    session.commit()
    return first, second


def test_driver_sees_stops_in_order_with_what_to_unload(make, login, session):
    driver = make.user(Role.CARRIER, name="赵志强")
    first, second = _route(make, session, driver)
    make.shipment(carrier=driver)  # planned by hand, not by dispatch: not on the route page

    response = login(driver).get("/driver")

    assert response.status_code == 200
    page = text(response)
    assert "今日路线" in page and "今天" in page and "皖KD3186" in page and "共 2 站" in page
    assert "到达时间已含法定休息" in page
    assert page.index("上海鲜达配送中心") < page.index("杭州禾鲜配送中心")
    stop = element(response, f"stop-{first.id}").replace("\u00a0", " ")
    assert "收货时间 04:00–10:00" in stop
    arrival = first.planned_arrival.astimezone(CHINA)
    assert f"计划到达 {arrival.year}年{arrival.month}月{arrival.day}日 05:00" in stop
    assert "菠菜 FY341222-261125-001 200 斤（100 kg）" in stop
    assert "香椿(太和香椿) FY341222-261125-002 51 斤（25.5 kg）" in stop
    assert "冷藏（0 至 4 °C）" in stop
    assert 'href="geo:31.112000,121.381000?q=31.112000,121.381000(' in \
        response.get_data(as_text=True)
    hangzhou = element(response, f"stop-{second.id}").replace("\u00a0", " ")
    assert "冷凉（8 至 15 °C）" in hangzhou and "收货时间 全天" in hangzhou
    assert len(re.findall(r'class="card stop"', response.get_data(as_text=True))) == 2


def test_date_switch_shows_tomorrow_and_back(make, login, session):
    driver = make.user(Role.CARRIER)
    tomorrow = TODAY + dt.timedelta(days=1)
    first, _ = _route(make, session, driver, day=tomorrow)
    client = login(driver)

    today = client.get("/driver")
    assert "这一天您没有计划的站点。" in text(today)
    assert f'href="/driver?day={tomorrow.isoformat()}"' in today.get_data(as_text=True)

    ahead = client.get(f"/driver?day={tomorrow.isoformat()}")
    assert f"stop-{first.id}" in ahead.get_data(as_text=True) and "明天" in text(ahead)
    assert "回到今天" in text(ahead)
    assert "这一天您没有计划的站点。" in text(client.get("/driver?day=not-a-date"))


def test_another_carrier_sees_nothing_and_others_get_403(make, login, session):
    driver = make.user(Role.CARRIER)
    first, _second = _route(make, session, driver)
    other = make.user(Role.CARRIER)

    page = login(other).get("/driver")
    assert page.status_code == 200 and "皖KD3186" not in text(page)
    assert f"stop-{first.id}" not in page.get_data(as_text=True)
    assert "这一天您没有计划的站点。" in text(page)
    assert login(other).get(f"/api/v1/shipments/{first.id}").status_code == 403
    assert login(make.user(Role.FARMER)).get("/driver").status_code == 403
    assert login(make.user(Role.BUYER)).get("/driver").status_code == 403


def test_cancelled_stops_are_left_out_and_english_works(make, login, session):
    driver = make.user(Role.CARRIER)
    _first, second = _route(make, session, driver)
    second.status = ShipmentStatus.CANCELLED
    session.commit()
    client = login(driver)
    client.get("/lang/en")

    response = client.get("/driver")

    page = text(response)
    assert "My route" in page and "Unload" in page and "Stops: 1" in page
    assert f"stop-{second.id}" not in response.get_data(as_text=True)
    assert "Shanghai Xianda DC" in page


CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
WIDTH = 360


@pytest.fixture
def demo_server(tmp_path):
    """The real app on a fresh SQLite file with the demo data and one accepted route for the
    demo carrier today, served on 127.0.0.1:<free port> (the browser needs committed data)."""
    app = create_app({
        "SECRET_KEY": "browser-test",
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "driver.db"),
        "SIGNING_KEYS": "t1=dGVzdC1zaWduaW5nLWtleS0zMi1ieXRlcy1sb25nISE",
    })
    with app.app_context():
        upgrade()
        seed_demo(db.session)
        db.session.commit()
        _demo_route(db.session)
        db.session.commit()
        db.session.remove()
    with site(app) as base:
        yield base


def _demo_route(session) -> None:
    """What accepting a plan makes: the demo carrier's Jieshou truck's stops today, one per
    confirmed order."""
    vehicle = session.scalar(select(Vehicle).where(Vehicle.plate == "皖KC7729"))
    plan = DispatchPlan(producer_id=vehicle.producer_id, depot_id=vehicle.depot_id,
                        dispatch_date=TODAY, status="done")
    session.add(plan)
    session.flush()
    orders = session.scalars(select(Order).where(Order.producer_id == vehicle.producer_id,
                                                 Order.status == OrderStatus.CONFIRMED)
                             .order_by(Order.id).limit(3)).all()
    leave = dt.datetime.combine(TODAY - dt.timedelta(days=1), dt.time(22), CHINA)
    for stop_no, order in enumerate(orders, start=1):
        shipment = Shipment(
            from_place_id=vehicle.depot_id, to_place_id=order.site_id,
            carrier_id=vehicle.driver_id, vehicle_plate=vehicle.plate,
            mode=TransportMode.REEFER_TRUCK, temp_class=TemperatureClass.CHILLED,
            planned_departure=leave, planned_arrival=leave + dt.timedelta(hours=6 + stop_no),
            dispatch_plan_id=plan.id, route_no=1, stop_no=stop_no)
        for line in order.lines:
            shipment.lines.append(ShipmentLine(batch_id=line.batch_id, quantity_g=line.quantity_g,
                                               order_line_id=line.id))
        session.add(shipment)


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{page.url} scrolls sideways: {width}px wide"


@pytest.mark.browser
@pytest.mark.no_db_isolation
@pytest.mark.database_independent
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Chromium at /usr/bin/chromium")
def test_fleet_and_driver_pages_on_a_phone(demo_server):
    sync_api = pytest.importorskip("playwright.sync_api")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            for phone, shots in (("13900001121", ("/fleet", "/fleet/new")),
                                 ("13900000004", ("/driver",))):
                context = browser.new_context(viewport={"width": WIDTH, "height": 740},
                                              locale="zh-CN", timezone_id="Asia/Shanghai")
                page = context.new_page()
                page.set_default_timeout(15_000)
                page.goto(demo_server + "/login")
                page.fill("#phone", phone)
                page.fill("#password", DEMO_PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_load_state()
                for path in shots:
                    page.goto(demo_server + path)
                    _no_sideways_scroll(page)
                    name = path.strip("/").replace("/", "-")
                    page.screenshot(path=str(ARTIFACTS / f"{name}-360.png"), full_page=True)
                    heading = page.locator("h1").inner_text()
                    assert heading in ("车队", "添加车辆", "今日路线"), heading
                if phone == "13900000004":
                    assert page.locator(".stop").count() == 3
                    assert "皖KC7729" in page.inner_text("main")
                    box = page.locator(".stop .map").first.bounding_box()
                    assert box["height"] >= 48 and box["width"] >= 300  # easy to tap
                else:
                    page.goto(demo_server + "/fleet")
                    assert page.locator(".vehicle").count() == 4
                context.close()
        finally:
            browser.close()

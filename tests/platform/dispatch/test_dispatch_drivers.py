"""Issue 13: the dispatch plan respects drivers and speaks the user's language.

The demo plan gave one driver three trucks leaving at 17:19, 18:57 and 23:00, routed a truck
with "司机: 暂无司机", showed compartment codes (chilled-veg), shelf life as "1,363.2 小时",
a distance without saying whether the drive back is in it, and the solver's time limit among
the everyday fields.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from freshcircle.platform.models import DispatchPlan, Shipment
from tests.platform.dispatch_helpers import THREE_TEMP, dispatch_day, vehicle


@pytest.fixture(autouse=True)
def _quick_search(app, monkeypatch):
    monkeypatch.setitem(app.config, "DISPATCH_MAX_ITERATIONS", 2000)
    monkeypatch.setitem(app.config, "DISPATCH_JOBS_SYNC", True)


def _plan_page(make, session, login, extra_trucks):
    day = dispatch_day(make, session, kg=2500)
    for plate, driver in extra_trucks:
        vehicle(session, day, plate, THREE_TEMP,
                driver_id=day.driver.id if driver == "same" else None)
    session.commit()
    web = login(day.manager)
    response = web.post("/dispatch/plans", data={"store": day.store.id,
                                                 "day": day.day.isoformat()})
    return day, web, response.headers["Location"]


def test_a_truck_without_a_driver_is_left_out_and_the_page_says_why(make, session, login):
    _day, web, url = _plan_page(make, session, login, [("皖K00001", None)])
    html = web.get(url).get_data(as_text=True)
    assert "暂无司机" not in html
    idle = html.split('id="idle"', 1)[1].split("</section>", 1)[0]
    assert "皖K00001" in idle and "没有司机" in idle
    routes = re.findall(r'<section class="route card".*?</section>', html, re.S)
    assert routes and all("皖K00001" not in r for r in routes)


def test_one_driver_never_has_two_runs_at_once(make, session, login):
    _day, web, url = _plan_page(make, session, login,
                                [("皖K00002", "same"), ("皖K00003", "same")])
    plan = session.scalars(select(DispatchPlan)).one()
    assert web.post(f"/dispatch/plans/{plan.id}/accept").status_code == 302
    runs = {}
    for shipment in session.scalars(select(Shipment).where(
            Shipment.dispatch_plan_id == plan.id)):
        assert shipment.carrier_id is not None
        runs.setdefault(shipment.carrier_id, set()).add(shipment.vehicle_plate)
    assert all(len(plates) == 1 for plates in runs.values())  # Fuyang-Shanghai: one run a day
    html = web.get(url).get_data(as_text=True)
    if 'id="idle"' in html:
        assert "司机老张" in html.split('id="idle"', 1)[1]


def test_plan_page_labels_every_code_and_states_units_plainly(make, session, login):
    day, web, url = _plan_page(make, session, login, [])
    html = web.get(url).get_data(as_text=True)
    for code in ("chilled-veg", "chilled-fruit", ">cool"):
        assert code not in html
    assert "冷藏·蔬菜" in html
    assert not re.search(r"\d\.\d\s*小时", html)
    assert re.search(r"到货时剩余保鲜期：\d+ 天( \d+ 小时)?", html)
    assert "含返程" in html
    index = web.get(f"/dispatch?store={day.store.id}&day={day.day.isoformat()}")
    advanced = index.get_data(as_text=True).split('id="advanced"', 1)[1].split("</details>")[0]
    assert "高级" in advanced and 'name="time_limit_s"' in advanced

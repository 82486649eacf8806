"""The dispatcher's pages: plan in one click, follow the job, read the plan, accept it."""

from __future__ import annotations

import json
import re
import socket

import pytest
from sqlalchemy import select

from freshcircle.platform.models import DispatchPlan, Role, Shipment
from tests.platform.dispatch_helpers import dispatch_day


@pytest.fixture(autouse=True)
def _quick_search(app, monkeypatch):
    monkeypatch.setitem(app.config, "DISPATCH_MAX_ITERATIONS", 2000)


def test_one_click_plans_the_day_and_the_plan_page_shows_it(make, session, app, login,
                                                            monkeypatch):
    monkeypatch.setitem(app.config, "DISPATCH_JOBS_SYNC", True)
    day = dispatch_day(make, session)
    web = login(day.manager)
    page = web.get(f"/dispatch?store={day.store.id}&day={day.day.isoformat()}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "上海配送中心" in html and "皖K12345" in html
    response = web.post("/dispatch/plans", data={"store": day.store.id,
                                                 "day": day.day.isoformat(),
                                                 "time_limit_s": 5})
    assert response.status_code == 302
    html = web.get(response.headers["Location"]).get_data(as_text=True)
    # The route map (Leaflet draws it from this JSON; no tiles here: the shipped outlines),
    # its stops in order with their times and the legal rests on each leg.
    found = re.search(r'<script type="application/json" id="route-map-data">(.*?)</script>',
                      html, re.S)
    drawn = json.loads(found.group(1))
    assert drawn["tiles"] is None and drawn["outlines"].startswith("/static/geo/")
    [route] = drawn["routes"]
    assert [s["n"] for s in route["stops"]] == [1, 2, 3] and route["color"].startswith("#")
    assert all(s["rests"] == 1 and s["arrival"] and s["unload"] for s in route["stops"])
    assert "上海市" in {c["name"] for c in drawn["cities"]}
    assert 'data-route="1"' in html  # the truck in the list that highlights its route
    assert 'id="timeline"' in html and html.count('class="tl-stop"') == 3
    assert "杭州配送中心" in html and "到货时剩余保鲜期" in html
    assert "最近的买家" in html  # the FEFO rule is explained on the page
    assert "途中法定休息：1 × 20 分钟" in html  # Fuyang to any of the cities: over 4 h driving
    plan = session.scalars(select(DispatchPlan)).one()
    web.get("/lang/en")  # the map's names in English too: cities, the cold store, the words
    english = web.get(f"/dispatch/plans/{plan.id}").get_data(as_text=True)
    drawn = json.loads(re.search(r'id="route-map-data">(.*?)</script>', english, re.S).group(1))
    assert "Shanghai" in {c["name"] for c in drawn["cities"]}
    assert not any("\u4e00" <= ch <= "\u9fff" for c in drawn["cities"] for ch in c["name"])
    assert drawn["routes"][0]["depot"]["name"] == day.store.name_en
    assert drawn["labels"]["depot"] == "Cold store"
    web.get("/lang/zh")
    accept = web.post(f"/dispatch/plans/{plan.id}/accept")
    assert accept.status_code == 302
    assert len(session.scalars(select(Shipment).where(
        Shipment.dispatch_plan_id == plan.id)).all()) == 6
    again = web.post(f"/dispatch/plans/{plan.id}/accept")
    assert again.status_code == 409  # accepted once only, shown on the page


def test_unassigned_reasons_in_chinese_and_english(make, session, app, login, monkeypatch):
    monkeypatch.setitem(app.config, "DISPATCH_JOBS_SYNC", True)
    day = dispatch_day(make, session, products=("Green / snap beans",), cities=("合肥",))
    web = login(day.manager)
    response = web.post("/dispatch/plans", data={"store": day.store.id,
                                                 "day": day.day.isoformat()})
    html = web.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="unassigned"' in html and "车队中没有能装" in html
    web.get("/lang/en")
    english = web.get(response.headers["Location"]).get_data(as_text=True)
    assert "No compartment in the fleet" in english


def test_an_unreachable_road_server_fails_the_plan_with_what_to_do(make, session, app, login,
                                                                     monkeypatch):
    with socket.socket() as sock:  # a port nothing listens on once the socket is closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setitem(app.config, "DISPATCH_JOBS_SYNC", True)
    monkeypatch.setitem(app.config, "OSRM_URL", f"http://127.0.0.1:{port}")
    day = dispatch_day(make, session)
    web = login(day.manager)
    response = web.post("/dispatch/plans", data={"store": day.store.id,
                                                 "day": day.day.isoformat()})
    html = web.get(response.headers["Location"]).get_data(as_text=True)
    assert "规划失败。" in html and "FRESHCIRCLE_OSRM_URL 设置的路线服务器没有返回行车时间" in html
    assert f"127.0.0.1:{port}" in html  # the technical detail, for whoever fixes it
    assert f'href="/dispatch?store={day.store.id}&amp;day={day.day.isoformat()}"' in html
    plan = session.scalars(select(DispatchPlan)).one()
    assert plan.status == "failed" and plan.result is None
    assert session.scalars(select(Shipment)).all() == []


def test_other_producers_and_buyers_are_turned_away(make, session, login, monkeypatch, app):
    monkeypatch.setitem(app.config, "DISPATCH_JOBS_SYNC", True)
    day = dispatch_day(make, session, products=("Spinach",), cities=("合肥",))
    response = login(day.manager).post("/dispatch/plans", data={
        "store": day.store.id, "day": day.day.isoformat()})
    location = response.headers["Location"]
    stranger = make.user(Role.COOP_ADMIN)
    make.producer(stranger, name="别的合作社")
    buyer = make.user(Role.BUYER)
    session.commit()
    assert login(stranger).get(location).status_code == 403
    assert login(buyer).get(location).status_code == 403
    assert login(stranger).post(location + "/accept").status_code == 403
    assert login(stranger).post("/dispatch/plans", data={
        "store": day.store.id, "day": day.day.isoformat()}).status_code == 302
    assert session.scalars(select(DispatchPlan)).all()[-1].id == int(location.rsplit("/", 1)[1])

"""The plan page a dispatcher reads at a glance (issue 19): the day in figures with warnings
first, each truck's compartments filled against capacity, and the plan on paper: each
driver's run sheet as a PDF, and the plan as CSV."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from freshcircle.platform.dispatch.services import dispatch_plans, plan_summary
from freshcircle.platform.models import DispatchPlan
from tests.platform.dispatch_helpers import dispatch_day
from tests.traceability.pdf_helpers import fonts, page_count, require_poppler, text


@pytest.fixture(autouse=True)
def _quick_search(app, monkeypatch):
    monkeypatch.setitem(app.config, "DISPATCH_MAX_ITERATIONS", 2000)
    monkeypatch.setitem(app.config, "DISPATCH_JOBS_SYNC", True)


def _planned(make, session, login, **day_options):
    day = dispatch_day(make, session, **day_options)
    web = login(day.manager)
    response = web.post("/dispatch/plans", data={"store": day.store.id,
                                                 "day": day.day.isoformat()})
    plan = session.scalars(select(DispatchPlan)).one()
    session.refresh(plan)
    return day, web, plan, response.headers["Location"]


def test_the_summary_gives_the_day_in_figures_that_add_up(make, session, login):
    _day, web, plan, url = _planned(make, session, login)
    html = web.get(url).get_data(as_text=True)
    result = dispatch_plans.result(plan)
    [route] = result["routes"]
    assert 0 < route["empty_km"] < route["distance_km"]
    loaded = route["distance_km"] - route["empty_km"]
    assert 'id="trucks">1 / 1<' in html and 'id="planned">3 / 3<' in html
    assert f"载货行驶 {loaded:,} 公里，空驶 {route['empty_km']:,} 公里" in html
    least = min(i["life_on_arrival_h"] for s in route["stops"] for i in s["items"])
    assert least > 24 and 'id="least-life"' in html
    assert 'id="no-warnings"' in html and 'id="warnings"' not in html
    # Each compartment kind in use: what it holds against capacity, as a meter, with the
    # products stowed there and the range each keeps.
    used = [c for c in route["compartments"] if c["kg"]]
    assert used and sum(c["kg"] for c in used) == 3 * 2 * 300
    for load in used:
        assert (f'<meter min="0" max="{load["capacity_kg"]}" value="{load["kg"]}"' in html)
        assert load["pallets"] > 0
    assert "菠菜" in html and "黄瓜" in html


def test_warnings_come_before_the_figures_and_name_what_is_wrong(make, session, login):
    _day, web, _plan, url = _planned(make, session, login, products=("Green / snap beans",),
                                     cities=("合肥",))
    html = web.get(url).get_data(as_text=True)
    assert 'id="warn-left-out"' in html and "1 个订单未能排入计划" in html
    assert html.index('id="warnings"') < html.index('id="trucks"')


def test_a_stop_that_unloads_close_to_closing_is_a_window_at_risk():
    stop = {"site_zh": "上海配送中心", "site_en": "Shanghai DC", "items": [],
            "start": "2026-12-06T13:40:00+08:00",
            "window": ["2026-12-06T04:00:00+08:00", "2026-12-06T14:00:00+08:00"]}
    easy = dict(stop, start="2026-12-06T09:00:00+08:00")
    result = {"vehicles": 2, "orders": 2, "cost_fen": 100, "unassigned": [], "idle": [],
              "routes": [{"no": 1, "plate": "皖K1", "distance_km": 10, "empty_km": 4,
                          "stops": [easy, stop]}]}
    summary = plan_summary.summary(result)
    assert summary.warnings == [plan_summary.WINDOW_RISK]
    [risky] = summary.risky_stops
    assert (risky.truck, risky.stop, risky.minutes_left) == (1, 2, 20)
    assert (summary.km_loaded, summary.km_empty, summary.trucks_available) == (6, 4, 2)
    del result["routes"][0]["empty_km"]  # a plan stored before empty kilometres were kept
    assert plan_summary.summary(result).km_loaded is None


def test_the_plan_csv_has_a_row_per_lot_unloaded_in_chinese(make, session, login):
    _day, web, plan, _url = _planned(make, session, login)
    response = web.get(f"/dispatch/plans/{plan.id}/plan.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    body = response.get_data().decode("utf-8")
    assert body.startswith("\ufeff")  # Excel reads it as UTF-8
    rows = list(csv.DictReader(io.StringIO(body[1:])))
    assert len(rows) == 6  # three stops, two products each
    assert {r["site"] for r in rows} == {"上海配送中心", "杭州配送中心", "南京配送中心"}
    assert sum(float(r["kg"]) for r in rows) == 1800
    assert [r["stop"] for r in rows] == sorted(r["stop"] for r in rows)
    assert all(r["contact_phone"] and r["plate"] == "皖K12345" for r in rows)


def test_run_sheets_print_each_truck_in_chinese_with_what_to_unload(make, session, login):
    require_poppler()
    _day, web, plan, _url = _planned(make, session, login)
    response = web.get(f"/dispatch/plans/{plan.id}/run-sheets.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pdf = response.get_data()
    assert page_count(pdf) >= 1 and all(f.embedded for f in fonts(pdf))
    words = text(pdf)
    assert "皖K12345" in words and "司机老张" in words
    for city in ("上海", "杭州", "南京"):
        assert f"{city}配送中心" in words and f"{city}买家" in words
    assert "菠菜" in words and "黄瓜" in words and "到达" in words
    one = web.get(f"/dispatch/plans/{plan.id}/run-sheets.pdf?truck=1")
    assert one.status_code == 200
    assert web.get(f"/dispatch/plans/{plan.id}/run-sheets.pdf?truck=9").status_code == 404


def test_nothing_to_print_before_the_plan_is_finished(make, session, login, app, monkeypatch):
    monkeypatch.setitem(app.config, "DISPATCH_JOBS_SYNC", False)
    day = dispatch_day(make, session)
    plan = DispatchPlan(producer_id=day.producer.id, depot_id=day.store.id,
                        dispatch_date=day.day, status="queued", time_limit_s=5)
    session.add(plan)
    session.commit()
    web = login(day.manager)
    assert web.get(f"/dispatch/plans/{plan.id}/run-sheets.pdf").status_code == 409
    assert web.get(f"/dispatch/plans/{plan.id}/plan.csv").status_code == 409


def test_the_timeline_axis_marks_whole_hours_and_names_a_new_day():
    from freshcircle.platform.dispatch.pages.dispatch import _timeline

    stop = {"site_zh": "上海", "start": "2026-12-07T06:00:00+08:00"}
    result = {"routes": [{"no": 1, "plate": "皖K1", "departure": "2026-12-06T17:19:00+08:00",
                          "finish": "2026-12-07T11:58:00+08:00", "stops": [stop]}]}
    ticks = _timeline(result)["ticks"]
    labels = [t["label"] for t in ticks]
    assert labels == ["18:00", "21:00", "12-07", "03:00", "06:00", "09:00"]
    assert 0 < ticks[0]["at"] < ticks[-1]["at"] < 100
    [route] = _timeline(result)["routes"]
    assert route["stops"][0]["time"] == "06:00"

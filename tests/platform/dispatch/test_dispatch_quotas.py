"""Dispatch planning shares one worker among all tenants: one plan at a time per cold store,
a daily quota of plans per producer, and dispatch days from today to a year ahead."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.dispatch.services import dispatch_plans
from freshcircle.platform.models import DispatchPlan
from tests.platform.dispatch_helpers import dispatch_day
from tests.platform.page_helpers import text

EN = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def _quick_search(app, monkeypatch):
    monkeypatch.setitem(app.config, "DISPATCH_MAX_ITERATIONS", 2000)
    monkeypatch.setitem(app.config, "DISPATCH_JOBS_SYNC", True)


def _plan(session, day, status="queued", age=dt.timedelta(0)) -> DispatchPlan:
    plan = DispatchPlan(producer_id=day.store.producer_id, depot_id=day.store.id,
                        dispatch_date=day.day, status=status, time_limit_s=5,
                        created_by_id=day.manager.id,
                        created_at=dt.datetime.now(dt.UTC) - age)
    if status == "running":
        plan.started_at = plan.created_at
    session.add(plan)
    session.commit()
    return plan


def _plans(session) -> int:
    return session.scalar(select(func.count()).select_from(DispatchPlan))


def _request(client, day, when=None, **extra):
    return client.post("/api/v1/dispatch/plans", json={
        "depot_id": day.store.id, "dispatch_date": (when or day.day).isoformat(),
        "time_limit_s": 5, **extra}, headers=EN)


@pytest.mark.parametrize("status", ["queued", "running"])
def test_one_plan_at_a_time_per_cold_store(make, session, login, status):
    day = dispatch_day(make, session, products=("Spinach",), cities=("合肥",))
    _plan(session, day, status)
    client = login(day.manager)

    second = _request(client, day)

    assert second.status_code == 409, second.json
    assert "being made" in second.json["message"]
    assert _plans(session) == 1


def test_a_plan_left_behind_by_a_dead_process_does_not_block_the_store(make, session, login):
    day = dispatch_day(make, session, products=("Spinach",), cities=("合肥",))
    stale = _plan(session, day, "queued", age=dt.timedelta(hours=2))

    response = _request(login(day.manager), day)

    assert response.status_code == 202, response.json
    session.expire_all()
    assert session.get(DispatchPlan, stale.id).status == "failed"


def test_the_daily_quota_of_plans_per_producer(make, session, login, app, monkeypatch):
    monkeypatch.setitem(app.config, "DISPATCH_PLANS_PER_DAY", 2)
    day = dispatch_day(make, session, products=("Spinach",), cities=("合肥",))
    _plan(session, day, "done", age=dt.timedelta(days=2))  # another day's: not counted
    _plan(session, day, "done")
    client = login(day.manager)
    assert _request(client, day).status_code == 202

    third = _request(client, day)

    assert third.status_code == 429, third.json
    assert "2 dispatch plans" in third.json["message"]
    assert 0 < int(third.headers["Retry-After"]) <= 24 * 3600
    assert _plans(session) == 3


@pytest.mark.parametrize("when", ["0018-04-26", "9967-11-28", "yesterday", "next-year"])
def test_dispatch_days_from_today_to_a_year_ahead(make, session, login, when):
    day = dispatch_day(make, session, products=("Spinach",), cities=("合肥",))
    today = today_in_china()
    value = {"yesterday": today - dt.timedelta(days=1),
             "next-year": today + dt.timedelta(days=366)}.get(when) or when
    response = login(day.manager).post("/api/v1/dispatch/plans", json={
        "depot_id": day.store.id, "dispatch_date": str(value)}, headers=EN)

    assert response.status_code == 422, response.json
    assert list(response.json["errors"]) == ["dispatch_date"]
    # today to a year ahead (the dispatch rule), or the years any date may have (the input guard)
    message = response.json["errors"]["dispatch_date"][0]
    assert "one year ahead" in message or "between 1900-01-01 and 2100-12-31" in message, message
    assert _plans(session) == 0


def test_today_and_a_year_ahead_are_dispatch_days(make, session):
    day = dispatch_day(make, session, products=("Spinach",), cities=("合肥",))
    for when in (today_in_china(), today_in_china() + dt.timedelta(days=365)):
        plan = dispatch_plans.request_plan(session, day.manager, {
            "depot_id": day.store.id, "dispatch_date": when})
        plan.status = "done"
        session.flush()
    assert _plans(session) == 2


def test_the_page_says_why_a_plan_was_refused(make, session, login):
    day = dispatch_day(make, session, products=("Spinach",), cities=("合肥",))
    web = login(day.manager)
    far = web.post("/dispatch/plans", data={"store": day.store.id, "day": "9967-11-28",
                                            "time_limit_s": 5}, follow_redirects=True)
    assert "今天起一年内" in text(far)
    _plan(session, day, "running")
    busy = web.post("/dispatch/plans", data={"store": day.store.id,
                                             "day": day.day.isoformat(), "time_limit_s": 5},
                    follow_redirects=True)
    assert "正在生成" in text(busy)
    assert _plans(session) == 1

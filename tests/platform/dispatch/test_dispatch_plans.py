"""Dispatch planning in the platform: request, background job, result, acceptance."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from freshcircle.logistics import planning as lp
from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.core.services.errors import Conflict, InvalidInput, PermissionDenied
from freshcircle.platform.dispatch import jobs as dispatch_jobs
from freshcircle.platform.dispatch.services import dispatch_plans
from freshcircle.platform.models import (
    DispatchPlan,
    EpcisEventRecord,
    Order,
    OrderStatus,
    Role,
    Shipment,
    ShipmentLine,
    TemperatureClass,
)
from tests.platform.dispatch_helpers import dispatch_day, vehicle


@pytest.fixture(autouse=True)
def _quick_search(app, monkeypatch):
    monkeypatch.setitem(app.config, "DISPATCH_MAX_ITERATIONS", 2000)


def planned(session, app, day, **extra) -> DispatchPlan:
    plan = dispatch_plans.request_plan(session, day.manager, {
        "depot_id": day.store.id, "dispatch_date": day.day, "time_limit_s": 5, **extra})
    dispatch_jobs.compute_in_session(app, session, plan)
    session.commit()
    return plan


def test_a_plan_routes_every_order_with_compartments_and_times(make, session, app):
    day = dispatch_day(make, session)
    plan = planned(session, app, day)
    data = dispatch_plans.result(plan)
    assert plan.status == "done" and data["unassigned"] == []
    (route,) = data["routes"]
    assert route["plate"] == "皖K12345" and route["driver"] == "司机老张"
    assert {s["site_zh"] for s in route["stops"]} == {"上海配送中心", "杭州配送中心",
                                                      "南京配送中心"}
    kinds = {i["product_en"]: i["kind"] for s in route["stops"] for i in s["items"]}
    assert kinds == {"Spinach": "chilled-veg", "Cucumber": "cool"}
    for stop in route["stops"]:  # inside receiving hours, 04:00-14:00 the next day
        start = dt.datetime.fromisoformat(stop["start"])
        opens, closes = (dt.datetime.fromisoformat(t) for t in stop["window"])
        assert opens <= start <= closes
        assert start.hour >= 4
        assert all(i["life_on_arrival_h"] > 24 for i in stop["items"])
    loads = {c["kind"]: c["kg"] for c in route["compartments"]}
    assert loads == {"chilled-veg": 900, "chilled-fruit": 0, "cool": 900}
    assert route["stops"][0]["rests"] == 1  # over 4 h from Fuyang to the first city


def test_orders_that_cannot_go_come_back_with_reasons(make, session, app):
    day = dispatch_day(make, session, products=("Spinach",), cities=("上海", "合肥"))
    day.vehicles[0].shift_hours = 7  # Shanghai is ~11 h away, Hefei 3 h (and a wait)
    session.commit()
    data = dispatch_plans.result(planned(session, app, day))
    assert [u["code"] for u in data["unassigned"]] == [lp.SHIFT]
    assert data["unassigned"][0]["site_zh"] == "上海配送中心"
    assert [s["site_zh"] for s in data["routes"][0]["stops"]] == ["合肥配送中心"]


def test_no_fleet_is_a_plan_with_every_order_unassigned(make, session, app):
    day = dispatch_day(make, session, products=("Spinach",), cities=("合肥",))
    day.vehicles[0].active = False
    session.commit()
    data = dispatch_plans.result(planned(session, app, day))
    assert data["routes"] == [] and data["no_fleet"]
    assert [u["code"] for u in data["unassigned"]] == [lp.NO_COMPARTMENT]


def test_fefo_gives_the_shorter_lived_lot_to_the_nearer_buyer(make, session, app):
    day = dispatch_day(make, session, products=("Spinach",), cities=("合肥", "上海"))
    hefei, shanghai = day.orders
    # A second spinach lot, harvested five days ago (less life left), bought by Shanghai.
    old = make.batch(day.producer, product=make.product("Spinach"), quantity_g=1_000_000,
                     harvest_date=today_in_china() - dt.timedelta(days=5))
    from freshcircle.platform.market.services import listings
    old_listing = listings.create_listing(session, day.manager, old, {
        "price": "3.00", "unit": "jin", "min_order": "10", "quantity": "2000",
        "available_to": today_in_china() + dt.timedelta(days=7)})
    line = shanghai.lines[0]
    fresh_batch = line.batch_id
    old_listing.sold_g += line.quantity_g
    day.listings["Spinach"].sold_g -= line.quantity_g
    line.batch_id, line.listing_id = old.id, old_listing.id
    session.commit()
    plan = planned(session, app, day)
    data = dispatch_plans.result(plan)
    lots = {s["site_zh"]: [i["batch_id"] for i in s["items"]]
            for r in data["routes"] for s in r["stops"]}
    assert lots == {"合肥配送中心": [old.id], "上海配送中心": [fresh_batch]}
    assert data["allocation"]["moved_lines"] == 2
    # Accepting re-cuts the order lines to those lots; each listing keeps its sold grams.
    sold = {old_listing.id: old_listing.sold_g,
            day.listings["Spinach"].id: day.listings["Spinach"].sold_g}
    dispatch_plans.accept(session, day.manager, plan)
    session.commit()
    session.expire_all()
    assert [ln.batch_id for ln in session.get(Order, hefei.id).lines] == [old.id]
    assert [ln.batch_id for ln in session.get(Order, shanghai.id).lines] == [fresh_batch]
    assert {k: session.get(type(old_listing), k).sold_g for k in sold} == sold


def test_accepting_creates_shipments_lines_events_and_packs_orders(make, session, app):
    day = dispatch_day(make, session)
    plan = planned(session, app, day)
    events_before = session.scalar(select(func.count()).select_from(EpcisEventRecord))
    shipments = dispatch_plans.accept(session, day.manager, plan)
    session.commit()
    # One shipment per stop and temperature class: 3 stops x (chilled, cool).
    assert len(shipments) == 6
    assert {(s.temp_class, s.set_point_c is not None) for s in shipments} == {
        (TemperatureClass.CHILLED, True), (TemperatureClass.COOL, True)}
    cool = next(s for s in shipments if s.temp_class == TemperatureClass.COOL)
    assert 10 <= cool.set_point_c <= 12.5  # cucumber's own range inside the cool band
    assert all(s.carrier_id == day.driver.id and s.vehicle_plate == "皖K12345"
               for s in shipments)
    assert sorted({s.stop_no for s in shipments}) == [1, 2, 3]
    grams = session.scalar(select(func.sum(ShipmentLine.quantity_g)).where(
        ShipmentLine.shipment_id.in_([s.id for s in shipments])))
    assert grams == 3 * 2 * 300_000
    for order in day.orders:
        session.refresh(order)
        assert order.status == OrderStatus.PACKED and order.shipment_id is not None
    events_after = session.scalar(select(func.count()).select_from(EpcisEventRecord))
    assert events_after > events_before  # loading and packing events
    assert plan.status == "accepted"
    with pytest.raises(Conflict):
        dispatch_plans.accept(session, day.manager, plan)


def test_a_plan_for_changed_orders_cannot_be_accepted(make, session, app):
    day = dispatch_day(make, session, products=("Spinach",), cities=("合肥",))
    plan = planned(session, app, day)
    from freshcircle.platform.market.services import orders
    order = day.orders[0]  # cancelled before its cut-off (issue 13)
    orders.advance(session, order.buyer, order, OrderStatus.CANCELLED, now=order.placed_at)
    session.commit()
    with pytest.raises(Conflict):
        dispatch_plans.accept(session, day.manager, plan)
    assert session.scalar(select(func.count()).select_from(Shipment).where(
        Shipment.dispatch_plan_id == plan.id)) == 0


def test_bad_requests_and_strangers(make, session):
    day = dispatch_day(make, session, products=("Spinach",), cities=("合肥",))
    with pytest.raises(InvalidInput) as error:
        dispatch_plans.request_plan(session, day.manager, {
            "depot_id": 999_999, "dispatch_date": "tomorrow", "time_limit_s": 600})
    assert set(error.value.errors) == {"depot_id", "dispatch_date", "time_limit_s"}
    stranger = make.user(Role.COOP_ADMIN)
    make.producer(stranger, name="别的合作社")
    with pytest.raises(PermissionDenied):
        dispatch_plans.request_plan(session, stranger, {
            "depot_id": day.store.id, "dispatch_date": day.day})
    assert session.scalar(select(func.count()).select_from(DispatchPlan)) == 0


def test_two_trucks_when_one_is_full(make, session, app):
    day = dispatch_day(make, session, products=("Cucumber",), cities=("南京", "合肥"),
                       kg=3000)
    vehicle(session, day, "皖K54321", [("cool", TemperatureClass.COOL, 8, 15, 4000, 8)],
            name="7.6米冷藏车")
    session.commit()
    data = dispatch_plans.result(planned(session, app, day))
    assert len(data["routes"]) == 2 and data["unassigned"] == []

"""车队: a producer's managers keep its reefer trucks and their compartments; bad input names
each field and writes nothing; other producers' managers see nothing; the API needs a caller."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.demo import seed_demo
from freshcircle.platform.models import (
    MemberRole,
    Membership,
    Order,
    OrderStatus,
    Place,
    PlaceKind,
    Producer,
    Role,
    TemperatureClass,
    Vehicle,
    VehicleCompartment,
)
from tests.platform.page_helpers import count, field_errors, text


def _fleet(make):
    """A co-op with a manager, its cold store and a carrier."""
    manager = make.user(Role.COOP_ADMIN, name="李秀兰")
    producer = make.producer(manager, name="太和县绿香香椿种植专业合作社")
    store = make.new_place(name_zh="太和香椿冷库", producer=producer)
    carrier = make.user(Role.CARRIER, name="赵志强")
    return manager, producer, store, carrier


def _form(store, carrier, **overrides) -> dict:
    form = {
        "plate": "皖K·D3186", "name": "9.6 米三温区冷藏车", "depot_id": str(store.id),
        "driver_id": str(carrier.id), "fixed_cost": "1200", "per_km": "5.5",
        "shift_hours": "14",
        "c0-kind": "chilled-veg", "c0-temp_class": "chilled", "c0-min_c": "0", "c0-max_c": "4",
        "c0-capacity_kg": "8000", "c0-capacity_pallets": "12",
        "c1-kind": "cool", "c1-temp_class": "cool", "c1-min_c": "8", "c1-max_c": "15",
        "c1-capacity_kg": "4000", "c1-capacity_pallets": "6",
    }
    form.update(overrides)
    return form


def _body(store, carrier, producer, **overrides) -> dict:
    body = {
        "producer_id": producer.id, "plate": "皖K12345", "name": "4.2 米冷藏车",
        "depot_id": store.id, "driver_id": carrier.id, "fixed_cost_fen": 80_000,
        "fen_per_km": 400, "shift_hours": 14,
        "compartments": [{"kind": "chilled-veg", "temp_class": "chilled", "min_c": "0",
                          "max_c": "4", "capacity_kg": 2000, "capacity_pallets": 4}],
    }
    body.update(overrides)
    return body


def test_manager_adds_a_vehicle_with_compartments_and_sees_it_listed(make, login, session):
    manager, producer, store, carrier = _fleet(make)
    client = login(manager)

    response = client.post(f"/fleet/new?producer={producer.id}", data=_form(store, carrier))

    assert response.status_code == 302
    vehicle = session.scalar(select(Vehicle).where(Vehicle.producer_id == producer.id))
    assert vehicle.plate == "皖KD3186" and vehicle.driver_id == carrier.id
    assert (vehicle.fixed_cost_fen, vehicle.fen_per_km, vehicle.shift_hours) == (120_000, 550, 14)
    assert [(c.position, c.kind, c.temp_class, c.min_c, c.max_c, c.capacity_kg,
             c.capacity_pallets) for c in vehicle.compartments] == [
        (1, "chilled-veg", TemperatureClass.CHILLED, Decimal(0), Decimal(4), 8000, 12),
        (2, "cool", TemperatureClass.COOL, Decimal(8), Decimal(15), 4000, 6)]
    page = text(client.get("/fleet")).replace("\u00a0", " ")
    assert "车队" in page and "皖KD3186" in page and "9.6 米三温区冷藏车" in page
    assert "冷藏·蔬菜" in page and "8,000 kg" in page and "12 个托盘位" in page
    assert "chilled-veg" not in page  # issue 13: every code a user sees has a label
    assert "赵志强" in page and "太和香椿冷库" in page


def test_bad_fields_are_named_and_nothing_is_written(make, login, session):
    manager, producer, store, carrier = _fleet(make)
    other_store = make.new_place(name_zh="别家冷库", producer=make.producer(make.user()))
    farmer = make.user(Role.FARMER)
    before = count(session, Vehicle), count(session, VehicleCompartment)

    response = login(manager).post(f"/fleet/new?producer={producer.id}", data=_form(
        store, carrier, plate="AB12345", depot_id=str(other_store.id),
        driver_id=str(farmer.id), **{"c0-min_c": "5", "c0-max_c": "2", "c1-max_c": "20",
                                     "c1-capacity_kg": "0", "c1-kind": "Cool Box"}))

    assert response.status_code == 422
    assert field_errors(response, "plate") == ["请填写车牌号，例如：皖K12345。"]
    assert field_errors(response, "depot_id") == ["请选择本生产者的冷库。"]
    assert field_errors(response, "driver_id") == ["请选择已注册的承运商。"]
    assert field_errors(response, "c0-max_c") == ["最高温度不能低于最低温度。"]
    assert field_errors(response, "c1-max_c") == ["冷凉温区须在 8 至 15 °C 之间。"]
    assert field_errors(response, "c1-capacity_kg") == ["请输入大于零的整数。"]
    assert field_errors(response, "c1-kind") == ["请从车厢类型中选择一项。"]
    assert (count(session, Vehicle), count(session, VehicleCompartment)) == before


def test_compartment_kind_is_a_choice_that_fits_its_temperature_class(make, login, session):
    """Issue 13: the kind was free text; now a list, and a fruit hold cannot be frozen."""
    manager, producer, store, carrier = _fleet(make)
    client = login(manager)
    form = client.get(f"/fleet/new?producer={producer.id}").get_data(as_text=True)
    assert '<select id="c0-kind" name="c0-kind">' in form and "冷藏·水果" in form
    response = client.post(f"/fleet/new?producer={producer.id}", data=_form(
        store, carrier, **{"c0-kind": "chilled-fruit", "c0-temp_class": "frozen",
                           "c0-min_c": "-20", "c0-max_c": "-18"}))
    assert response.status_code == 422
    assert field_errors(response, "c0-temp_class") == ["“冷藏·水果”车厢不属于这个温区。"]


def test_english_messages_through_the_catalog(make, login):
    manager, producer, store, carrier = _fleet(make)
    client = login(manager)
    client.get("/lang/en")
    response = client.post(f"/fleet/new?producer={producer.id}",
                           data=_form(store, carrier, plate="皖K1"))
    assert field_errors(response, "plate") == ["Enter a Chinese plate number, e.g. 皖K12345."]


def test_another_producers_manager_can_neither_see_nor_edit(make, login, session):
    manager, producer, store, carrier = _fleet(make)
    login(manager).post(f"/fleet/new?producer={producer.id}", data=_form(store, carrier))
    vehicle = session.scalar(select(Vehicle).where(Vehicle.producer_id == producer.id))
    outsider = make.user(Role.COOP_ADMIN)
    make.producer(outsider, name="别的合作社")
    client = login(outsider)

    assert "皖KD3186" not in text(client.get(f"/fleet?producer={producer.id}"))
    assert client.get(f"/fleet/{vehicle.id}/edit").status_code == 404
    assert client.post(f"/fleet/{vehicle.id}/edit",
                       data=_form(store, carrier, name="改掉")).status_code == 404
    assert client.get(f"/api/v1/vehicles/{vehicle.id}").status_code == 404
    assert client.put(f"/api/v1/vehicles/{vehicle.id}", json={"name": "x"}).status_code == 404
    assert client.get("/api/v1/vehicles").json == []
    session.expire_all()
    assert session.get(Vehicle, vehicle.id).name == "9.6 米三温区冷藏车"


def test_a_plain_member_and_a_carrier_cannot_manage_the_fleet(make, login, session):
    _manager, producer, store, carrier = _fleet(make)
    member = make.user(Role.FARMER)
    session.add(Membership(user_id=member.id, producer_id=producer.id, role=MemberRole.MEMBER))
    session.commit()

    assert login(member).get("/fleet").status_code == 403
    assert login(carrier).get("/fleet").status_code == 403
    response = login(member).post("/api/v1/vehicles", json=_body(store, carrier, producer))
    assert response.status_code == 403 and count(session, Vehicle) == 0


def test_manager_edits_compartments_and_takes_a_truck_out_of_service(make, login, session):
    manager, producer, store, carrier = _fleet(make)
    client = login(manager)
    client.post(f"/fleet/new?producer={producer.id}", data=_form(store, carrier))
    vehicle = session.scalar(select(Vehicle).where(Vehicle.producer_id == producer.id))

    form = _form(store, carrier, **{f"c1-{k}": "" for k in (
        "kind", "min_c", "max_c", "capacity_kg", "capacity_pallets")})
    response = client.post(f"/fleet/{vehicle.id}/edit", data=form)  # no "active": retired

    assert response.status_code == 302
    session.expire_all()
    vehicle = session.get(Vehicle, vehicle.id)
    assert [c.kind for c in vehicle.compartments] == ["chilled-veg"] and not vehicle.active
    assert count(session, VehicleCompartment) == 1
    assert "停用" in text(client.get("/fleet"))


def test_api_creates_reads_updates_and_documents_vehicles(make, login, client, session):
    manager, producer, store, carrier = _fleet(make)
    api = login(manager)

    created = api.post("/api/v1/vehicles", json=_body(store, carrier, producer))
    assert created.status_code == 201, created.json
    vehicle_id = created.json["id"]
    assert created.json["compartments"][0]["min_c"] == "0.0"
    assert created.json["depot"]["id"] == store.id and created.json["driver"]["id"] == carrier.id

    changed = api.put(f"/api/v1/vehicles/{vehicle_id}", json={"fen_per_km": 450,
                                                              "active": False})
    assert changed.status_code == 200 and changed.json["fen_per_km"] == 450
    assert not changed.json["active"] and len(changed.json["compartments"]) == 1
    assert [v["id"] for v in api.get("/api/v1/vehicles").json] == [vehicle_id]
    assert api.get(f"/api/v1/vehicles/{vehicle_id}").json["plate"] == "皖K12345"

    bad = api.post("/api/v1/vehicles", json=_body(
        store, carrier, producer, plate="皖K54321", compartments=[
            {"kind": "frozen", "temp_class": "frozen", "min_c": "-30", "max_c": "-18",
             "capacity_kg": 1000, "capacity_pallets": 2}] * 5))
    assert bad.status_code == 422
    assert bad.json["errors"]["compartments"] == ["一辆车须有 1 至 4 个温区。"]
    assert count(session, Vehicle) == 1

    assert client.get("/api/v1/vehicles").status_code == 401
    assert client.post("/api/v1/vehicles", json={}).status_code == 401
    paths = client.get("/api/openapi.json").json["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/vehicles"])
    assert {"get", "put"} <= set(paths["/api/v1/vehicles/{vehicle_id}"])


def test_api_with_a_bearer_token(make, client):
    manager, producer, store, carrier = _fleet(make)
    issued = client.post("/api/v1/tokens", json={"phone": manager.phone,
                                                  "password": "correct-horse-9", "name": "调度"})
    headers = {"Authorization": f"Bearer {issued.json['token']}"}

    response = client.post("/api/v1/vehicles", json=_body(store, carrier, producer),
                           headers=headers)

    assert response.status_code == 201
    assert client.get("/api/v1/vehicles", headers=headers).json[0]["plate"] == "皖K12345"


def test_depot_must_be_a_cold_store(make, login):
    manager, producer, store, carrier = _fleet(make)
    farm = make.new_place(name_zh="李营农场", kind=PlaceKind.FARM, producer=producer)
    response = login(manager).post("/api/v1/vehicles",
                                   json=_body(store, carrier, producer, depot_id=farm.id))
    assert response.status_code == 422


def test_demo_seed_has_a_fleet_and_tomorrows_confirmed_orders_and_adds_nothing_twice(session):
    seed_demo(session)
    session.commit()
    tables = (Vehicle, VehicleCompartment, Order, Place)
    before = [count(session, model) for model in tables]
    again = seed_demo(session)
    session.commit()
    assert [count(session, model) for model in tables] == before
    assert not +again.created

    jieshou = session.scalar(select(Producer).where(Producer.name.startswith("界首市光武镇")))
    vehicles = session.scalars(select(Vehicle).where(Vehicle.producer_id == jieshou.id)).all()
    assert len(vehicles) == 4
    assert {len(v.compartments) for v in vehicles} == {1, 2, 3}
    drivers = {v.plate: v.driver.phone if v.driver else None for v in vehicles}
    # one driver a truck (the demo carrier drives the 7.6 m one); the second 4.2 m has nobody
    assert drivers == {"皖KD3186": "13900001401", "皖KC7729": "13900000004",
                       "皖KF0551": "13900001402", "皖KB2468": None}
    for vehicle in vehicles:
        assert vehicle.depot.name_zh.startswith("界首市光武镇蔬菜冷库")
        assert vehicle.shift_hours == 14
        assert 80_000 <= vehicle.fixed_cost_fen <= 150_000 and 400 <= vehicle.fen_per_km <= 600
    big = next(v for v in vehicles if len(v.compartments) == 3)
    assert [(c.kind, c.capacity_kg, c.capacity_pallets) for c in big.compartments] == [
        ("chilled-veg", 8000, 12), ("chilled-fruit", 4000, 6), ("cool", 4000, 6)]

    tomorrow = today_in_china() + dt.timedelta(days=1)
    confirmed = session.scalars(select(Order).where(
        Order.producer_id == jieshou.id, Order.status == OrderStatus.CONFIRMED,
        Order.dispatch_date == tomorrow)).all()
    assert 8 <= len(confirmed) <= 12
    assert {o.site.name_zh[:2] for o in confirmed} == {"上海", "杭州", "南京", "苏州", "昆山"}
    assert all(o.site.receiving_from is not None and o.lines for o in confirmed)
    for order in confirmed:
        for line in order.lines:
            assert line.listing.sold_g <= line.listing.offered_g


def test_fleet_page_without_a_cold_store_says_what_to_do_first(make, login):
    """Issue 13: 车队 is in an admin's navigation; before any co-op has a cold store it was
    a 403."""
    response = login(make.user(Role.ADMIN)).get("/fleet")
    assert response.status_code == 200
    assert "冷库" in text(response) and 'id="no-fleet-yet"' in response.get_data(as_text=True)

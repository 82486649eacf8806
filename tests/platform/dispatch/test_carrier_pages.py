"""我的运单: a carrier's shipments with loads and temperatures; depart and deliver."""

from __future__ import annotations

import datetime as dt
import re

from freshcircle.platform.models import Role, Shipment, ShipmentStatus
from tests.platform.page_helpers import element, element_html, text


def _load(make, farmer=None):
    """A batch of spinach and one of watermelon, from a Taihe producer."""
    producer = make.producer(farmer or make.user())
    spinach = make.batch(producer, lot_code="FY341222-261120-001", quantity_g=500_000)
    melon = make.batch(producer, lot_code="FY341222-261120-002", quantity_g=500_000,
                       product=make.product("Watermelon"))
    return [(spinach, 60_000), (melon, 125_500)]


def _buttons(response, shipment) -> list[str]:
    """The status buttons on a shipment's card, by the status each asks for."""
    return re.findall(r'<button[^>]*name="status" value="(\w+)"',
                      element_html(response, f"shipment-{shipment.id}"))


def _status(session, shipment) -> tuple:
    session.expire_all()
    stored = session.get(Shipment, shipment.id)
    return stored.status, stored.actual_departure, stored.actual_arrival


def test_carrier_lands_on_my_shipments(make, client):
    carrier = make.user(Role.CARRIER)
    response = client.post("/login", data={"phone": carrier.phone, "password": "correct-horse-9"})
    assert response.location.endswith("/carrier/shipments")
    assert client.get("/").location.endswith("/carrier/shipments")
    page = client.get("/carrier/shipments")
    assert page.status_code == 200
    assert 'id="nav-shipments"' in page.get_data(as_text=True) and "我的运单" in text(page)


def test_carrier_sees_route_plate_times_in_shanghai_and_the_load(make, login, session):
    carrier = make.user(Role.CARRIER)
    shipment = make.shipment(carrier=carrier, lines=_load(make), vehicle_plate="皖K12345")
    shipment.planned_departure = dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.UTC)
    shipment.planned_arrival = dt.datetime(2026, 5, 1, 20, 30, tzinfo=dt.UTC)
    session.commit()

    response = login(carrier).get("/carrier/shipments")

    card = element(response, f"shipment-{shipment.id}").replace("\u00a0", " ")
    assert "太和县 → 上海" in card
    assert "皖K12345" in card and "待发运" in card
    assert "计划发车 2026年5月1日 20:00" in card  # 12:00 UTC is 20:00 in Asia/Shanghai
    assert "计划到达 2026年5月2日 04:30" in card
    assert "菠菜 FY341222-261120-001 120 斤（60 kg）" in card
    assert "西瓜 FY341222-261120-002 251 斤（125.5 kg）" in card
    assert "还没有温度记录" in card
    assert _buttons(response, shipment) == ["in_transit"] and "发车" in card


def test_each_shipment_shows_its_temperature_summary(make, login):
    carrier = make.user(Role.CARRIER)
    moving = make.shipment(carrier=carrier, lines=_load(make), status=ShipmentStatus.IN_TRANSIT)
    other = make.shipment(carrier=carrier, lines=_load(make))
    start = dt.datetime(2026, 5, 1, 1, 0, tzinfo=dt.UTC)
    for minutes, celsius in ((0, "3.2"), (10, "1.5"), (20, "4.25")):
        make.temperature_reading(moving, celsius, start + dt.timedelta(minutes=minutes))
    make.temperature_reading(other, "9.9", start, sensor_id="T-OTHER")
    make.temperature_reading(other, "8.0", start + dt.timedelta(minutes=5), sensor_id="T-OTHER")

    response = login(carrier).get("/carrier/shipments")

    moving_card = element(response, f"shipment-{moving.id}").replace("\u00a0", " ")
    assert "共 3 条记录，最低 1.5 °C，最高 4.25 °C" in moving_card
    assert "最近一条：2026年5月1日 09:20" in moving_card  # 01:20 UTC
    assert _buttons(response, moving) == ["delivered"] and "送达" in moving_card
    other_card = element(response, f"shipment-{other.id}").replace("\u00a0", " ")
    assert "共 2 条记录，最低 8 °C，最高 9.9 °C" in other_card


def test_a_carrier_sees_only_their_own_shipments(make, login):
    carrier, someone_else = make.user(Role.CARRIER), make.user(Role.CARRIER)
    mine = make.shipment(carrier=carrier, lines=_load(make), vehicle_plate="皖K11111")
    theirs = make.shipment(carrier=someone_else, lines=_load(make), vehicle_plate="皖K22222")
    unassigned = make.shipment(lines=_load(make), vehicle_plate="皖K33333")

    response = login(carrier).get("/carrier/shipments")

    body = response.get_data(as_text=True)
    assert f'id="shipment-{mine.id}"' in body and "皖K11111" in body
    for shipment, plate in ((theirs, "皖K22222"), (unassigned, "皖K33333")):
        assert f'id="shipment-{shipment.id}"' not in body and plate not in body


def test_carrier_departs_then_delivers(make, login, session):
    carrier = make.user(Role.CARRIER)
    shipment = make.shipment(carrier=carrier, lines=_load(make))
    client = login(carrier)

    departed = client.post(f"/carrier/shipments/{shipment.id}/status",
                           data={"status": "in_transit"})

    assert departed.status_code == 302
    assert departed.location.endswith(f"/carrier/shipments#shipment-{shipment.id}")
    status, left, arrived = _status(session, shipment)
    assert status == ShipmentStatus.IN_TRANSIT and left is not None and arrived is None
    page = client.get(departed.location)
    assert "已发车：太和县 → 上海" in text(page)
    assert "运输中" in element(page, f"shipment-{shipment.id}")

    delivered = client.post(f"/carrier/shipments/{shipment.id}/status",
                            data={"status": "delivered"})

    assert delivered.status_code == 302
    status, left, arrived = _status(session, shipment)
    assert status == ShipmentStatus.DELIVERED and arrived >= left
    page = client.get(delivered.location)
    card = element(page, f"shipment-{shipment.id}")
    assert "已送达" in card and "实际到达" in card
    assert _buttons(page, shipment) == []  # nothing leaves delivered


def test_an_empty_truck_cannot_depart_and_the_reason_is_shown(make, login, session):
    carrier = make.user(Role.CARRIER)
    shipment = make.shipment(carrier=carrier)

    response = login(carrier).post(f"/carrier/shipments/{shipment.id}/status",
                                   data={"status": "in_transit"})

    assert response.status_code == 409
    assert element(response, "refusal") == "发车前请至少添加一个批次。"
    assert _status(session, shipment) == (ShipmentStatus.PLANNED, None, None)


def test_delivering_a_planned_shipment_is_refused(make, login, session):
    carrier = make.user(Role.CARRIER)
    shipment = make.shipment(carrier=carrier, lines=_load(make))

    response = login(carrier).post(f"/carrier/shipments/{shipment.id}/status",
                                   data={"status": "delivered"})

    assert response.status_code == 409
    assert element(response, "refusal") == "发运不能从“待发运”改为“已送达”。"
    assert _status(session, shipment) == (ShipmentStatus.PLANNED, None, None)


def test_a_carrier_cannot_cancel_or_move_someone_elses_shipment(make, login, session):
    carrier, someone_else = make.user(Role.CARRIER), make.user(Role.CARRIER)
    mine = make.shipment(carrier=carrier, lines=_load(make))
    theirs = make.shipment(carrier=someone_else, lines=_load(make))
    client = login(carrier)

    cancel = client.post(f"/carrier/shipments/{mine.id}/status", data={"status": "cancelled"})
    move = client.post(f"/carrier/shipments/{theirs.id}/status", data={"status": "in_transit"})

    assert cancel.status_code == 400
    assert move.status_code == 403
    assert _status(session, mine) == (ShipmentStatus.PLANNED, None, None)
    assert _status(session, theirs) == (ShipmentStatus.PLANNED, None, None)


def test_other_roles_cannot_reach_the_carrier_pages(make, login, session):
    farmer = make.user()
    shipment = make.shipment(created_by=farmer, carrier=make.user(Role.CARRIER),
                             lines=_load(make, farmer))
    for user in (farmer, make.user(Role.BUYER), make.user(Role.INSPECTOR)):
        client = login(user)
        assert client.get("/carrier/shipments").status_code == 403, user.role
        moved = client.post(f"/carrier/shipments/{shipment.id}/status",
                            data={"status": "in_transit"})
        assert moved.status_code == 403, user.role
    assert _status(session, shipment) == (ShipmentStatus.PLANNED, None, None)


def test_buyer_keeps_the_placeholder_page(make, login):
    response = login(make.user(Role.BUYER, name="王采购")).get("/")
    assert response.status_code == 200
    assert "王采购" in text(response) and "我的运单" not in text(response)

"""Shipments through the API: plans, lines that never oversell a batch, status, permissions."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
from sqlalchemy import func, select, text

from freshcircle.platform.extensions import db
from freshcircle.platform.models import (
    BatchStatus,
    MemberRole,
    Membership,
    Role,
    Shipment,
    ShipmentLine,
)
from tests.factories import Factory
from tests.platform.pg_helpers import delete_trace_records, token_client, wait_for_lock_waiters

CST = dt.timezone(dt.timedelta(hours=8))
DEPART = (dt.datetime.now(CST) + dt.timedelta(days=1)).replace(microsecond=0)


def _plan(make, **overrides):
    body = {
        "from_place_id": make.place("Taihe County").id,
        "to_place_id": make.place("Shanghai").id,
        "mode": "reefer_truck",
        "temp_class": "chilled",
        "set_point_c": "2",
        "vehicle_plate": "皖K12345",
        "planned_departure": DEPART.isoformat(),
        "planned_arrival": (DEPART + dt.timedelta(hours=7)).isoformat(),
    }
    body.update(overrides)
    return body


def _counts(session):
    return (session.scalar(select(func.count()).select_from(Shipment)),
            session.scalar(select(func.count()).select_from(ShipmentLine)))


def _shipper(make, quantity_g=500_000):
    farmer = make.user()
    producer = make.producer(farmer)
    return farmer, producer, make.batch(producer, quantity_g=quantity_g)


def test_farmer_plans_shipment_with_lines_in_jin(make, login):
    farmer, _, batch = _shipper(make)
    carrier = make.user(Role.CARRIER, name="老张")

    response = login(farmer).post("/api/v1/shipments", json=_plan(
        make, carrier_id=carrier.id, vehicle_plate="皖k·12345",
        lines=[{"batch_id": batch.id, "quantity": "200", "unit": "jin"}]))

    assert response.status_code == 201, response.json
    body = response.json
    assert body["status"] == "planned"
    assert body["vehicle_plate"] == "皖K12345"
    assert body["set_point_c"] == "2.0"
    assert body["carrier"] == {"id": carrier.id, "name": "老张"}
    assert body["from_place"]["name_zh"] == "太和县"
    assert body["planned_departure"] == DEPART.astimezone(dt.UTC).isoformat()
    [line] = body["lines"]
    assert line["batch_id"] == batch.id
    assert line["lot_code"] == batch.lot_code
    assert line["product"]["name_zh"] == "菠菜"
    assert line["quantity_g"] == 100_000
    assert body["total_g"] == 100_000


def test_plan_fields_are_checked_and_nothing_written(make, login, session):
    farmer, _, _ = _shipper(make)
    client = login(farmer)
    buyer = make.user(Role.BUYER)
    taihe = make.place("Taihe County").id

    response = client.post("/api/v1/shipments", json=_plan(
        make, to_place_id=taihe, vehicle_plate="ABC123", carrier_id=buyer.id,
        planned_arrival=(DEPART - dt.timedelta(hours=1)).isoformat()),
        headers={"Accept-Language": "en"})

    assert response.status_code == 422
    errors = response.json["errors"]
    assert errors["to_place_id"] == ["The destination must differ from the origin."]
    assert errors["vehicle_plate"] == ["Enter a Chinese plate number, e.g. 皖K12345."]
    assert errors["carrier_id"] == ["Choose a registered carrier."]
    assert errors["planned_arrival"] == ["The arrival must be after the departure."]
    assert _counts(session) == (0, 0)


def test_set_point_must_suit_the_temperature_class(make, login, session):
    farmer, _, _ = _shipper(make)
    client = login(farmer)
    cases = [("frozen", "-10", 422), ("frozen", "-18", 201), ("chilled", "5", 422),
             ("chilled", "0", 201), ("cool", "4", 422), ("cool", "12.5", 201),
             ("ambient", "30", 201)]
    for temp_class, set_point, expected in cases:
        response = client.post("/api/v1/shipments", json=_plan(
            make, temp_class=temp_class, set_point_c=set_point))
        assert response.status_code == expected, (temp_class, set_point, response.json)
        if expected == 422:
            assert "set_point_c" in response.json["errors"]
    assert _counts(session)[0] == 4


def test_times_need_a_time_zone(make, login, session):
    farmer, _, _ = _shipper(make)
    response = login(farmer).post("/api/v1/shipments", json=_plan(
        make, planned_departure="2026-12-01T08:00:00"), headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert response.json["errors"]["planned_departure"] == [
        "Not a valid datetime: a time zone is required."
    ]
    assert _counts(session) == (0, 0)


def test_line_over_what_remains_fails_the_whole_plan_by_index(make, login, session):
    farmer, producer, batch = _shipper(make, quantity_g=50_000)
    other = make.batch(producer)

    response = login(farmer).post("/api/v1/shipments", json=_plan(make, lines=[
        {"batch_id": other.id, "quantity": "10"},
        {"batch_id": batch.id, "quantity": "101", "unit": "jin"},
    ]), headers={"Accept-Language": "en"})

    assert response.status_code == 409
    assert response.json["message"] == f"Only 50 kg of batch {batch.lot_code} remain."
    assert set(response.json["errors"]["lines"]) == {"1"}
    assert _counts(session) == (0, 0)


def test_two_lines_together_cannot_exceed_the_batch(make, login, session):
    farmer, _, batch = _shipper(make, quantity_g=100_000)
    client = login(farmer)
    first = make.shipment(created_by=farmer)
    second = make.shipment(created_by=farmer)

    ok = client.post(f"/api/v1/shipments/{first.id}/lines",
                     json={"batch_id": batch.id, "quantity": "60"})
    too_much = client.post(f"/api/v1/shipments/{second.id}/lines",
                           json={"batch_id": batch.id, "quantity": "40.001"})
    rest = client.post(f"/api/v1/shipments/{second.id}/lines",
                       json={"batch_id": batch.id, "quantity": "80", "unit": "jin"})

    assert ok.status_code == 201
    assert too_much.status_code == 409
    assert "quantity" in too_much.json["errors"]
    assert rest.status_code == 201
    assert rest.json["quantity_g"] == 40_000
    assert client.get(f"/api/v1/batches/{batch.id}").json["remaining_g"] == 0


def test_cancelling_frees_the_quantity(make, login):
    farmer, _, batch = _shipper(make, quantity_g=10_000)
    first = make.shipment(created_by=farmer, lines=[(batch, 10_000)])
    second = make.shipment(created_by=farmer)
    client = login(farmer)
    line = {"batch_id": batch.id, "quantity": "10"}

    assert client.post(f"/api/v1/shipments/{second.id}/lines", json=line).status_code == 409
    cancelled = client.post(f"/api/v1/shipments/{first.id}/status", json={"status": "cancelled"})
    assert cancelled.status_code == 200
    assert client.post(f"/api/v1/shipments/{second.id}/lines", json=line).status_code == 201


def test_held_recalled_foreign_and_repeated_batches_are_refused(make, login):
    farmer, producer, batch = _shipper(make)
    held = make.batch(producer, status=BatchStatus.HELD)
    recalled = make.batch(producer, status=BatchStatus.RECALLED)
    foreign = make.batch(make.producer(make.user(), name="别家"))
    shipment = make.shipment(created_by=farmer, lines=[(batch, 1_000)])
    client = login(farmer)
    url = f"/api/v1/shipments/{shipment.id}/lines"

    assert client.post(url, json={"batch_id": held.id, "quantity": "1"}).status_code == 409
    assert client.post(url, json={"batch_id": recalled.id, "quantity": "1"}).status_code == 409
    assert client.post(url, json={"batch_id": foreign.id, "quantity": "1"}).status_code == 403
    again = client.post(url, json={"batch_id": batch.id, "quantity": "1"})
    assert again.status_code == 409 and again.json["message"]
    bad = client.post(url, json={"batch_id": 999999, "quantity": "0.0004"})
    assert bad.status_code == 422 and "quantity" in bad.json["errors"]
    assert client.post(url, json={"batch_id": 999999, "quantity": "1"}).status_code == 422
    assert len(client.get(f"/api/v1/shipments/{shipment.id}").json["lines"]) == 1


def test_status_moves_planned_transit_delivered_and_no_further(make, login):
    farmer, _, batch = _shipper(make)
    carrier = make.user(Role.CARRIER)
    empty = make.shipment(created_by=farmer, carrier=carrier)
    shipment = make.shipment(created_by=farmer, carrier=carrier, lines=[(batch, 5_000)])
    driver, shipper = login(carrier), login(farmer)
    url = f"/api/v1/shipments/{shipment.id}/status"
    left = dt.datetime.now(CST).replace(microsecond=0) - dt.timedelta(hours=2)

    no_lines = driver.post(f"/api/v1/shipments/{empty.id}/status",
                           json={"status": "in_transit"}, headers={"Accept-Language": "en"})
    assert no_lines.status_code == 409
    assert no_lines.json["message"] == "Add at least one batch before the shipment leaves."
    skip = driver.post(url, json={"status": "delivered"}, headers={"Accept-Language": "en"})
    assert skip.status_code == 409
    assert skip.json["message"] == "A shipment cannot go from planned to delivered."

    departed = driver.post(url, json={"status": "in_transit", "at": left.isoformat()})
    assert departed.status_code == 200
    assert departed.json["actual_departure"] == left.astimezone(dt.UTC).isoformat()
    assert driver.post(url, json={"status": "cancelled"}).status_code == 403
    assert shipper.post(url, json={"status": "cancelled"}).status_code == 409
    early = driver.post(url, json={"status": "delivered",
                                   "at": (left - dt.timedelta(hours=1)).isoformat()})
    assert early.status_code == 422 and "at" in early.json["errors"]

    delivered = driver.post(url, json={"status": "delivered"})
    assert delivered.status_code == 200
    assert delivered.json["status"] == "delivered"
    assert delivered.json["actual_arrival"] is not None
    for status in ("in_transit", "planned", "cancelled"):
        assert shipper.post(url, json={"status": status}).status_code == 409


def test_held_batch_keeps_the_truck_in(make, login):
    farmer, _, batch = _shipper(make)
    shipment = make.shipment(created_by=farmer, lines=[(batch, 5_000)])
    batch.status = BatchStatus.HELD
    make.session.commit()
    response = login(farmer).post(f"/api/v1/shipments/{shipment.id}/status",
                                  json={"status": "in_transit"})
    assert response.status_code == 409
    assert batch.lot_code in response.json["message"]


def test_future_times_are_refused(make, login):
    farmer, _, batch = _shipper(make)
    shipment = make.shipment(created_by=farmer, lines=[(batch, 5_000)])
    later = dt.datetime.now(CST) + dt.timedelta(hours=2)
    response = login(farmer).post(f"/api/v1/shipments/{shipment.id}/status",
                                  json={"status": "in_transit", "at": later.isoformat()})
    assert response.status_code == 422
    assert "at" in response.json["errors"]


def test_edits_only_while_planned(make, login):
    farmer, _, batch = _shipper(make)
    carrier = make.user(Role.CARRIER)
    shipment = make.shipment(created_by=farmer, carrier=carrier, lines=[(batch, 5_000)])
    client = login(farmer)
    url = f"/api/v1/shipments/{shipment.id}"

    cool = client.patch(url, json={"temp_class": "cool", "set_point_c": "10"})
    assert cool.status_code == 200 and cool.json["temp_class"] == "cool"
    frozen = client.patch(url, json={"temp_class": "frozen"})
    assert frozen.status_code == 422 and "set_point_c" in frozen.json["errors"]
    plate = login(carrier).patch(url, json={"vehicle_plate": "沪A9B8C7"})
    assert plate.status_code == 200 and plate.json["vehicle_plate"] == "沪A9B8C7"
    assert login(carrier).patch(url, json={"set_point_c": "3"}).status_code == 403

    client.post(f"{url}/status", json={"status": "in_transit"})
    late = client.patch(url, json={"vehicle_plate": "皖K54321"})
    assert late.status_code == 409
    assert late.json["message"]


def test_lines_are_removed_only_while_planned(make, login):
    farmer, _, batch = _shipper(make)
    shipment = make.shipment(created_by=farmer, lines=[(batch, 5_000), (make.batch(
        batch.producer), 1_000)])
    client = login(farmer)
    first, second = (line.id for line in shipment.lines)

    assert client.delete(f"/api/v1/shipments/{shipment.id}/lines/{first}").status_code == 204
    assert client.delete(f"/api/v1/shipments/{shipment.id}/lines/{first}").status_code == 404
    client.post(f"/api/v1/shipments/{shipment.id}/status", json={"status": "in_transit"})
    assert client.delete(f"/api/v1/shipments/{shipment.id}/lines/{second}").status_code == 409
    assert [line["id"] for line in client.get(f"/api/v1/shipments/{shipment.id}").json[
        "lines"]] == [second]


def test_who_sees_what(make, login, client):
    farmer, producer, batch = _shipper(make)
    colleague = make.user()
    make.producer(colleague, name="合作社二")
    make.session.add(Membership(user=colleague, producer=producer, role=MemberRole.MEMBER))
    make.session.commit()
    carrier, other_carrier = make.user(Role.CARRIER), make.user(Role.CARRIER)
    stranger, buyer = make.user(), make.user(Role.BUYER)
    make.producer(stranger, name="别家")
    shipment = make.shipment(created_by=farmer, carrier=carrier, lines=[(batch, 1_000)])
    make.shipment(created_by=stranger)
    url = f"/api/v1/shipments/{shipment.id}"

    for user in (farmer, colleague, carrier, make.user(Role.INSPECTOR)):
        assert login(user).get(url).status_code == 200, user.role
    assert [s["id"] for s in login(colleague).get("/api/v1/shipments").json] == [shipment.id]
    assert [s["id"] for s in login(carrier).get("/api/v1/shipments").json] == [shipment.id]
    assert login(other_carrier).get(url).status_code == 403
    assert login(other_carrier).get("/api/v1/shipments").json == []
    assert login(stranger).get(url).status_code == 403
    assert login(stranger).post(f"{url}/lines",
                                json={"batch_id": batch.id, "quantity": "1"}).status_code == 403
    assert login(buyer).get(url).status_code == 403
    assert login(buyer).get("/api/v1/shipments").status_code == 403
    assert login(buyer).post("/api/v1/shipments", json=_plan(make)).status_code == 403
    assert login(carrier).post("/api/v1/shipments", json=_plan(make)).status_code == 403
    assert client.get(url).status_code == 401
    assert login(farmer).get("/api/v1/shipments/999999").status_code == 404


def test_list_filters_and_paginates(make, login):
    farmer, _, batch = _shipper(make)
    carrier = make.user(Role.CARRIER)
    market = make.place("Shanghai Jiangqiao Wholesale Market")
    make.shipment(created_by=farmer, carrier=carrier)
    make.shipment(created_by=farmer, to_place=market)
    make.shipment(created_by=farmer, lines=[(batch, 1)], status="in_transit")
    client = login(make.user(Role.INSPECTOR))

    everything = client.get("/api/v1/shipments?page_size=2")
    assert len(everything.json) == 2
    assert json.loads(everything.headers["X-Pagination"])["total"] == 3
    assert len(client.get(f"/api/v1/shipments?carrier_id={carrier.id}").json) == 1
    assert len(client.get(f"/api/v1/shipments?to_place_id={market.id}").json) == 1
    in_transit = client.get("/api/v1/shipments?status=in_transit").json
    assert [s["lines"][0]["lot_code"] for s in in_transit] == [batch.lot_code]
    taihe = make.place("Taihe County").id
    assert len(client.get(f"/api/v1/shipments?from_place_id={taihe}").json) == 3


@pytest.mark.no_db_isolation
def test_two_requests_for_the_last_kilograms_exactly_one_wins(app):
    """Real concurrency (PostgreSQL): two requests wait on one batch; the second is refused.

    A third connection holds the batch row's lock until both requests are waiting for it, so
    without the lock in dispatch.services.shipment_lines both would count 10 kg remaining and
    succeed.
    """
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("row locks (SELECT ... FOR UPDATE) are exercised on PostgreSQL only")
        make = Factory(db.session)  # outside the rollback: these rows are really committed
        farmer = make.user()
        batch = make.batch(make.producer(farmer), quantity_g=10_000)
        shipments = [make.shipment(created_by=farmer), make.shipment(created_by=farmer)]
        ids = {"user": farmer.id, "producer": batch.producer_id, "batch": batch.id,
               "shipments": [s.id for s in shipments]}
        first, second = (token_client(app, db.session, farmer) for _ in range(2))
        db.session.remove()
        try:
            _race_for_the_last_units(first, second, ids)
        finally:
            _delete_committed_rows(ids)


def _race_for_the_last_units(first, second, ids):
    statuses, failures = {}, []

    def add_line(client, shipment_id):
        try:
            response = client.post(f"/api/v1/shipments/{shipment_id}/lines",
                                   json={"batch_id": ids["batch"], "quantity": "6"})
            statuses[shipment_id] = response.status_code
        except Exception as error:  # reported below, in the test's thread
            failures.append(error)

    threads = [threading.Thread(target=add_line, args=(client, shipment_id))
               for client, shipment_id in zip((first, second), ids["shipments"], strict=True)]
    with db.engine.connect() as holder:
        lock = holder.begin()
        holder.execute(text("SELECT id FROM batches WHERE id = :id FOR UPDATE"),
                       {"id": ids["batch"]})
        for thread in threads:
            thread.start()
        wait_for_lock_waiters(2)
        lock.rollback()
    for thread in threads:
        thread.join(timeout=30)
    assert not failures, failures
    assert sorted(statuses.values()) == [201, 409]
    with db.engine.connect() as conn:
        shipped = conn.scalar(text("SELECT sum(quantity_g) FROM shipment_lines "
                                   "WHERE batch_id = :id"), {"id": ids["batch"]})
    assert shipped == 6_000



def _delete_committed_rows(ids) -> None:
    with db.engine.begin() as conn:
        params = {"shipments": ids["shipments"], "batch": ids["batch"]}
        conn.execute(text("DELETE FROM shipment_lines WHERE shipment_id = ANY(:shipments) "
                          "OR batch_id = :batch"), params)
        conn.execute(text("DELETE FROM shipments WHERE id = ANY(:shipments)"), params)
        delete_trace_records(conn, ids["batch"])
        conn.execute(text("DELETE FROM batches WHERE id = :batch"), params)
        conn.execute(text("DELETE FROM memberships WHERE user_id = :id"), {"id": ids["user"]})
        conn.execute(text("DELETE FROM api_tokens WHERE user_id = :id"), {"id": ids["user"]})
        conn.execute(text("DELETE FROM trade_items WHERE producer_id = :id"),
                     {"id": ids["producer"]})
        conn.execute(text("DELETE FROM plots WHERE producer_id = :id"), {"id": ids["producer"]})
        conn.execute(text("DELETE FROM producers WHERE id = :id"), {"id": ids["producer"]})
        conn.execute(text("DELETE FROM users WHERE id = :id"), {"id": ids["user"]})

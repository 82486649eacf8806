"""Events recorded by the user actions themselves: inspection (a residue test), commissioning
(a label run), loading (a lot put on a shipment) and storing (a delivery to a cold store)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from freshcircle.platform.ledger.services import epcis_events
from freshcircle.platform.models import Batch, LabelRun, PlaceKind, Role
from freshcircle.traceability.epcis_validation import validate_document
from freshcircle.traceability.signing import encode_serial
from tests.platform.epcis_helpers import CST, gtin_of, settings

TODAY = dt.datetime.now(CST).date()
DEPART = (dt.datetime.now(CST) + dt.timedelta(days=1)).replace(microsecond=0)
LABELS = {"layout": "a4-24", "count": 30, "net_weight": "5", "unit": "jin"}


def _events(client, lot, step=None) -> list[dict]:
    """The lot's events through the query API; the document must pass the official schema."""
    params = {"lot": lot, **({"bizStep": step} if step else {})}
    response = client.get("/api/v1/epcis/events", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    report = validate_document(response.json)
    assert report.ok, report.messages()
    return response.json["epcisBody"]["eventList"]


def _id(app, kind, key) -> str:
    return f"https://{settings(app).domain}/{kind}/{key}"


def _steps(events) -> list[tuple[str, str]]:
    return [(e["bizStep"].rsplit("BizStep-", 1)[-1], e["disposition"]) for e in events]


def _reference(event) -> tuple[str, str]:
    (reference,) = event["bizTransactionList"]
    return reference["type"], reference["bizTransaction"]


def _test(client, batch, **overrides):
    body = {"batch_id": batch.id, "method": "rapid", "result": "pass", "tester": "合作社检测室",
            "measured_values": "抑制率 12%", "tested_on": TODAY.isoformat(), **overrides}
    return client.post("/api/v1/tests", json=body)


def _plan(make, lines, to_place=None, **overrides):
    return {"from_place_id": make.place("Taihe County").id,
            "to_place_id": (to_place or make.place("Shanghai")).id,
            "mode": "reefer_truck", "temp_class": "chilled", "set_point_c": "2",
            "planned_departure": DEPART.isoformat(),
            "planned_arrival": (DEPART + dt.timedelta(hours=7)).isoformat(),
            "lines": lines, **overrides}


def _farm(make):
    farmer = make.user()
    producer = make.producer(farmer)
    return farmer, producer, make.batch(producer, quantity_g=500_000)


# --- inspection -------------------------------------------------------------------------------

def test_a_passed_test_is_a_conformant_inspection_with_the_test_as_reference(
        app, make, login, session):
    farmer, producer, batch = _farm(make)
    client = login(farmer)
    response = _test(client, batch)
    assert response.status_code == 201, response.json

    (event,) = _events(client, batch.lot_code)
    assert (event["type"], event["action"]) == ("ObjectEvent", "OBSERVE")
    assert _steps([event]) == [("inspecting", "conformant")]
    assert _reference(event) == ("testres", _id(app, "test", response.json["id"]))
    assert event["readPoint"] == {"id": _id(app, "producer", producer.id)}
    assert event["quantityList"] == [{
        "epcClass": _id(app, f"01/{gtin_of(app, session, batch)}/10", batch.lot_code),
        "quantity": 500, "uom": "KGM"}]
    assert event["fc:testMethod"] == "rapid"
    assert event["eventTime"].startswith(TODAY.isoformat())


def test_an_inspectors_failed_lab_test_is_non_conformant(make, login):
    farmer, _, batch = _farm(make)
    inspector = login(make.user(Role.INSPECTOR))
    tested_on = TODAY - dt.timedelta(days=3)
    response = _test(inspector, batch, method="lab", result="fail",
                     tester="阜阳市农产品质量检测中心", tested_on=tested_on.isoformat())
    assert response.status_code == 201, response.json

    (event,) = _events(login(farmer), batch.lot_code)
    assert _steps([event]) == [("inspecting", "non_conformant")]
    assert event["fc:testMethod"] == "lab"
    # Entered three days late: the event is on the test day, not the day it was typed in.
    assert event["eventTime"] == f"{tested_on.isoformat()}T23:59:59.999+08:00"


def test_a_refused_test_records_no_inspection(make, login):
    farmer, _, batch = _farm(make)
    client = login(farmer)
    future = _test(client, batch, tested_on=(TODAY + dt.timedelta(days=2)).isoformat())
    assert future.status_code == 422
    assert _events(client, batch.lot_code) == []


# --- commissioning ----------------------------------------------------------------------------

def test_a_label_run_is_one_commissioning_event_with_counts_kilograms_and_serials(
        app, make, login, session):
    farmer, producer, batch = _farm(make)
    client = login(farmer)
    first = client.post(f"/api/v1/batches/{batch.id}/labels", json=LABELS)
    assert first.status_code == 201, first.get_data(as_text=True)
    second = client.post(f"/api/v1/batches/{batch.id}/labels",
                         json={**LABELS, "count": 10, "net_weight": "2", "unit": "kg"})
    assert second.status_code == 201

    events = _events(client, batch.lot_code, "commissioning")
    assert _steps(events) == [("commissioning", "active")] * 2
    run, other = events
    assert (run["type"], run["action"]) == ("ObjectEvent", "ADD")
    assert "epcList" not in run  # class level: never one EPC per pack
    lot_class = _id(app, f"01/{gtin_of(app, session, batch)}/10", batch.lot_code)
    assert run["quantityList"] == [{"epcClass": lot_class, "quantity": 75, "uom": "KGM"}]
    assert (run["fc:packCount"], run["fc:packNetWeightKg"]) == (30, 2.5)  # 30 packs of 5 斤
    assert (run["fc:firstSerial"], run["fc:lastSerial"]) == (encode_serial(0), encode_serial(29))
    run_id = first.headers["Location"].rsplit("/", 1)[-1]
    assert _reference(run) == ("prodorder", _id(app, "label-run", run_id))
    assert run["readPoint"] == {"id": _id(app, "producer", producer.id)}
    assert run["bizLocation"] == run["readPoint"]
    assert other["quantityList"][0]["quantity"] == 20
    assert (other["fc:packCount"], other["fc:packNetWeightKg"]) == (10, 2)
    assert (other["fc:firstSerial"], other["fc:lastSerial"]) == (
        encode_serial(30), encode_serial(39))


def test_a_run_without_a_pack_weight_counts_packs(app, make, login, session):
    farmer, _, batch = _farm(make)
    assert login(farmer).post(f"/api/v1/batches/{batch.id}/labels", json=LABELS).status_code == 201
    run = session.scalar(select(LabelRun).where(LabelRun.batch_id == batch.id))
    run.net_weight_g = None  # runs printed before pack weights were kept
    event_id = epcis_events.record_label_run(session, run, farmer)

    (event,) = [e for e in _events(login(farmer), batch.lot_code) if e["eventID"] == event_id]
    assert event["quantityList"][0]["quantity"] == 30 and "uom" not in event["quantityList"][0]
    assert event["fc:packCount"] == 30 and "fc:packNetWeightKg" not in event


def test_a_refused_label_run_records_nothing(make, login):
    farmer, _, batch = _farm(make)
    client = login(farmer)
    assert client.post(f"/api/v1/batches/{batch.id}/labels",
                       json={**LABELS, "count": 0}).status_code == 422
    assert _events(client, batch.lot_code) == []


# --- loading, shipping, receiving, storing ----------------------------------------------------

def test_lines_on_a_planned_shipment_are_loading_events_one_per_lot(app, make, login):
    farmer, producer, batch = _farm(make)
    other = make.batch(producer, quantity_g=200_000)
    late = make.batch(producer, quantity_g=100_000)
    client = login(farmer)
    created = client.post("/api/v1/shipments", json=_plan(make, [
        {"batch_id": batch.id, "quantity": "120", "unit": "jin"},
        {"batch_id": other.id, "quantity": "80"}]))
    assert created.status_code == 201, created.json
    shipment = created.json
    added = client.post(f"/api/v1/shipments/{shipment['id']}/lines",
                        json={"batch_id": late.id, "quantity": "25.5"})
    assert added.status_code == 201, added.json

    origin, destination = make.place("Taihe County"), make.place("Shanghai")
    for lot, kg in ((batch, 60), (other, 80), (late, 25.5)):
        (event,) = _events(client, lot.lot_code)
        assert _steps([event]) == [("loading", "in_progress")]
        assert event["quantityList"][0]["quantity"] == kg
        assert event["quantityList"][0]["uom"] == "KGM"
        assert event["readPoint"] == {"id": _id(app, "place", origin.id)}
        assert event["sourceList"] == [{"type": "location", "source": _id(app, "place", origin.id)}]
        assert event["destinationList"] == [{"type": "location",
                                             "destination": _id(app, "place", destination.id)}]
        assert _reference(event) == ("bol", _id(app, "shipment", shipment["id"]))


def test_a_refused_shipment_records_no_loading(make, login):
    farmer, producer, batch = _farm(make)
    other = make.batch(producer)
    client = login(farmer)
    bad_line = client.post("/api/v1/shipments", json=_plan(make, [
        {"batch_id": batch.id, "quantity": "10"}, {"batch_id": other.id, "quantity": "0"}]))
    assert bad_line.status_code == 422, bad_line.json
    bad_plan = client.post("/api/v1/shipments", json=_plan(
        make, [{"batch_id": batch.id, "quantity": "10"}],
        planned_arrival=(DEPART - dt.timedelta(hours=1)).isoformat()))
    assert bad_plan.status_code == 422
    assert _events(client, batch.lot_code) == [] and _events(client, other.lot_code) == []


def _deliver(make, login, to_place):
    farmer, _, batch = _farm(make)
    carrier = make.user(Role.CARRIER)
    client = login(farmer)
    created = client.post("/api/v1/shipments", json=_plan(
        make, [{"batch_id": batch.id, "quantity": "40"}], to_place=to_place,
        carrier_id=carrier.id))
    assert created.status_code == 201, created.json
    url = f"/api/v1/shipments/{created.json['id']}/status"
    driver = login(carrier)
    assert driver.post(url, json={"status": "in_transit"}).status_code == 200
    assert driver.post(url, json={"status": "delivered"}).status_code == 200
    return client, batch, created.json


def test_a_delivery_to_a_cold_store_is_received_then_stored(app, make, login):
    cold_store = make.new_place(name_zh="阜阳冷链中心冷库", kind=PlaceKind.COLD_STORE)
    client, batch, shipment = _deliver(make, login, cold_store)

    events = _events(client, batch.lot_code)
    assert _steps(events) == [("loading", "in_progress"), ("shipping", "in_transit"),
                              ("receiving", "in_progress"),
                              ("storing", "sellable_not_accessible")]
    receiving, storing = events[2:]
    assert storing["eventTime"] == receiving["eventTime"]
    here = _id(app, "place", cold_store.id)
    assert storing["readPoint"] == storing["bizLocation"] == {"id": here}
    assert storing["quantityList"][0]["quantity"] == 40
    assert _reference(storing) == ("bol", _id(app, "shipment", shipment["id"]))


def test_a_delivery_to_a_buyer_site_records_no_storing(make, login):
    buyer_site = make.new_place(name_zh="上海某超市配送中心", kind=PlaceKind.BUYER_SITE)
    client, batch, _ = _deliver(make, login, buyer_site)

    assert _steps(_events(client, batch.lot_code))[-1] == ("receiving", "in_progress")
    assert _events(client, batch.lot_code, "storing") == []


# --- the whole life of a lot ------------------------------------------------------------------

def test_every_recorded_step_keeps_the_lots_hash_chain_whole(app, make, login, session):
    farmer = make.user()
    producer = make.producer(farmer)
    carrier = make.user(Role.CARRIER)
    client = login(farmer)
    registered = client.post("/api/v1/batches", json={
        "producer_id": producer.id, "product_id": make.product().id,
        "plot_id": make.plot(producer).id,
        "quantity": "300", "unit": "kg", "harvest_date": TODAY.isoformat()})
    assert registered.status_code == 201, registered.json
    lot, batch_id = registered.json["lot_code"], registered.json["id"]
    assert _test(client, session.get(Batch, batch_id)).status_code == 201
    assert client.post(f"/api/v1/batches/{batch_id}/labels", json=LABELS).status_code == 201
    hub = make.new_place(name_zh="阜阳农产品冷链物流园", kind=PlaceKind.HUB)
    created = client.post("/api/v1/shipments", json=_plan(
        make, [{"batch_id": batch_id, "quantity": "75"}], to_place=hub, carrier_id=carrier.id))
    url = f"/api/v1/shipments/{created.json['id']}/status"
    driver = login(carrier)
    assert driver.post(url, json={"status": "in_transit"}).status_code == 200
    assert driver.post(url, json={"status": "delivered"}).status_code == 200

    events = _events(client, lot)
    assert [step for step, _ in _steps(events)] == [
        "harvesting", "inspecting", "commissioning", "loading", "shipping", "receiving",
        "storing"]
    for event in events:  # FSMA key data: what, how much, where, when, which document
        assert event["quantityList"][0]["uom"] == "KGM"
        assert event.get("readPoint") or event.get("bizLocation")
        assert event["eventTime"]
        assert event.get("bizTransactionList") or event["bizStep"].endswith("harvesting")
    result = app.test_cli_runner().invoke(args=["verify-chain", "--lot", lot])
    assert result.exit_code == 0, result.output
    assert f"OK lot {lot}" in result.output and ": 7 events" in result.output

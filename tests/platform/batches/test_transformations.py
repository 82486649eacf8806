"""Splits and merges (new lot codes, stock, the TransformationEvent under every lot) and the
inspector's forward and backward trace through them to shipments, buyers and farms."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import func, select

from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.models import Batch, BatchStatus, EpcisEventRecord, LotLink, Role
from freshcircle.traceability.epcis import (
    OBSERVE,
    EpcisConfig,
    ObjectEvent,
    Party,
    Quantity,
    build_document,
)
from freshcircle.traceability.epcis_validation import validate_document
from tests.platform.epcis_helpers import CST, events_of, gtin_of, settings
from tests.platform.genealogy_helpers import family, merge, split


def test_split_makes_new_lots_and_takes_their_weight_from_the_source(make, login, session):
    farmer = make.user()
    root = make.batch(make.producer(farmer), quantity_g=100_000, variety="大叶")
    client = login(farmer)

    response = split(client, root.id, 60, 40, unit="jin")  # 30 kg + 20 kg

    assert response.status_code == 201, response.json
    parts = response.json
    assert [p["quantity_g"] for p in parts] == [30_000, 20_000]
    assert len({p["lot_code"] for p in parts} | {root.lot_code}) == 3
    assert all(p["variety"] == "大叶" and p["harvest_date"] == root.harvest_date.isoformat()
               for p in parts)
    assert client.get(f"/api/v1/batches/{root.id}").json["remaining_g"] == 50_000
    (event,) = events_of(client, lot=root.lot_code)
    assert event["type"] == "TransformationEvent"
    assert [q["quantity"] for q in event["outputQuantityList"]] == [30, 20]
    assert event["inputQuantityList"][0]["quantity"] == 50
    for part in parts:  # the one event is found under every lot it names
        assert [e["eventID"] for e in events_of(client, lot=part["lot_code"])] == \
            [event["eventID"]]
    document = client.get("/api/v1/epcis/events", query_string={"lot": root.lot_code}).json
    assert validate_document(document).ok, validate_document(document).messages()


def test_split_of_more_than_is_left_is_refused_and_writes_nothing(make, login, session):
    farmer = make.user()
    root = make.batch(make.producer(farmer), quantity_g=10_000)
    client = login(farmer)
    before = session.scalar(select(func.count()).select_from(Batch))

    response = split(client, root.id, 6, 5)

    assert response.status_code == 409
    assert root.lot_code in response.json["message"] and "10" in response.json["message"]
    assert session.scalar(select(func.count()).select_from(Batch)) == before
    assert session.scalar(select(func.count()).select_from(EpcisEventRecord)) == 0
    assert split(client, root.id).status_code == 422  # no parts
    bad = split(client, root.id, "abc")
    assert bad.status_code == 422 and "parts" in bad.json["errors"]


def test_held_or_failed_lots_cannot_be_split_or_merged(make, login, session):
    farmer = make.user()
    producer = make.producer(farmer)
    held = make.batch(producer, status=BatchStatus.HELD)
    failed = make.batch(producer)
    make.residue_test(failed, result="fail")
    fine = make.batch(producer)
    client = login(farmer)

    assert split(client, held.id, 1).status_code == 409
    response = merge(client, {"batch_id": fine.id}, {"batch_id": failed.id})
    assert response.status_code == 409 and "农残检测不合格" in response.json["message"]
    assert session.get(Batch, fine.id).quantity_g == fine.quantity_g


def test_merge_needs_two_lots_of_one_producer_and_product(make, login, session):
    farmer = make.user()
    producer = make.producer(farmer)
    spinach = make.batch(producer)
    cabbage = make.batch(producer, product=make.product("Watermelon"))
    client = login(farmer)

    assert merge(client, {"batch_id": spinach.id}).status_code == 422
    response = merge(client, {"batch_id": spinach.id}, {"batch_id": cabbage.id})
    assert response.status_code == 422 and "inputs" in response.json["errors"]
    stranger = make.batch(make.producer(make.user()))
    assert merge(client, {"batch_id": spinach.id},
                 {"batch_id": stranger.id}).status_code == 403


def test_merge_keeps_the_earliest_harvest_date_and_every_input_quantity(make, login, session):
    farmer = make.user()
    producer = make.producer(farmer)
    old = make.batch(producer, harvest_date=today_in_china() - dt.timedelta(days=3),
                     quantity_g=40_000, plot="北地块")
    new = make.batch(producer, quantity_g=25_000)
    client = login(farmer)

    response = merge(client, {"batch_id": old.id, "quantity": "15", "unit": "kg"},
                     {"batch_id": new.id})

    assert response.status_code == 201, response.json
    merged = response.json
    assert merged["quantity_g"] == 40_000
    assert merged["harvest_date"] == old.harvest_date.isoformat()
    assert client.get(f"/api/v1/batches/{old.id}").json["remaining_g"] == 25_000
    assert client.get(f"/api/v1/batches/{new.id}").json["remaining_g"] == 0
    edges = session.scalars(select(LotLink).order_by(LotLink.id)).all()
    assert [(e.kind, e.quantity_g, e.target_batch_id) for e in edges] == [
        ("merge", 15_000, merged["id"]), ("merge", 25_000, merged["id"])]


def test_forward_trace_reaches_split_and_merged_lots_shipments_and_buyers(make, login, session):
    fam = family(make, login, session)
    inspector = login(fam.inspector)
    departed = login(fam.carrier).post(f"/api/v1/shipments/{fam.shipment.id}/status",
                                       json={"status": "in_transit"})
    assert departed.status_code == 200, departed.json

    response = inspector.get(f"/api/v1/batches/{fam.root.id}/trace")

    assert response.status_code == 200, response.json
    trace = response.json
    assert [(lot["lot"], lot["via"], lot["depth"]) for lot in trace["lots"]] == sorted(
        [(fam.a.lot_code, "split", 1), (fam.b.lot_code, "split", 1),
         (fam.merged.lot_code, "merge", 2)], key=lambda t: (t[2], t[0]))
    (hit,) = trace["shipments"]
    assert hit["lot"] == fam.a.lot_code and hit["quantity_kg"] == "10"
    assert hit["buyer"]["name"] == "王买家"
    assert trace["buyers"] == [{"id": fam.buyer.id, "name": "王买家"}]
    # the shipping event's edge to our own site is that shipment, not another consignee
    assert trace["consignees"] == []
    assert next(lot for lot in trace["lots"] if lot["lot"] == fam.merged.lot_code)["path"][-2] \
        .endswith(fam.b.lot_code)


def test_backward_trace_reaches_every_input_and_its_farm(make, login, session):
    fam = family(make, login, session)
    inspector = login(fam.inspector)

    trace = inspector.get(f"/api/v1/batches/{fam.merged.id}/trace",
                          query_string={"direction": "backward"}).json

    assert {lot["lot"] for lot in trace["lots"]} == {fam.b.lot_code, fam.other.lot_code,
                                                     fam.root.lot_code}
    assert trace["shipments"] == []
    assert {farm["lot"] for farm in trace["farms"]} == {fam.root.lot_code, fam.other.lot_code}
    assert inspector.get(f"/api/v1/batches/{fam.merged.id}/trace",
                         query_string={"direction": "sideways"}).status_code == 422


def test_only_inspectors_and_admins_trace(make, login, session):
    fam = family(make, login, session)
    assert login(fam.farmer).get(f"/api/v1/batches/{fam.root.id}/trace").status_code == 403
    assert login(fam.buyer).get(f"/api/v1/batches/{fam.root.id}/trace").status_code == 403
    admin = make.user(Role.ADMIN)
    assert login(admin).get(f"/api/v1/batches/{fam.root.id}/trace").status_code == 200


def test_a_captured_delivery_to_another_system_shows_as_a_consignee(app, make, login, session):
    fam = family(make, login, session)
    config = EpcisConfig(domain=settings(app).domain)
    event = ObjectEvent(
        event_time=dt.datetime(2026, 11, 20, 9, 0, tzinfo=CST), action=OBSERVE,
        biz_step="shipping", quantities=(Quantity(gtin_of(app, session, fam.merged),
                                                  fam.merged.lot_code, Decimal(5)),),
        destinations=(Party("https://market.example/gln/6901234000017", "location"),))
    captured = login(fam.farmer).post("/api/v1/epcis/capture",
                                      json=build_document([event], config))
    assert captured.status_code == 202, captured.json

    trace = login(fam.inspector).get(f"/api/v1/batches/{fam.root.id}/trace").json

    assert [c["node"] for c in trace["consignees"]] == [
        "https://market.example/gln/6901234000017"]

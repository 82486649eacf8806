"""Events the platform records itself (harvest, shipping, receiving, hold, recall) and the
`flask verify-chain` command that checks each lot's hash chain."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, update
from sqlalchemy.orm import object_session

from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.models import Batch, EpcisEventRecord, Role
from freshcircle.traceability.epcis_validation import validate_document
from tests.factories import Factory
from tests.platform.epcis_helpers import CST, events_of, gtin_of, lot_document


def _register(client, producer, product, **extra):
    plot_id = Factory(object_session(producer)).plot(producer).id
    body = {"producer_id": producer.id, "product_id": product.id, "plot_id": plot_id,
            "variety": "大叶菠菜", "quantity": "120", "unit": "jin",
            "harvest_date": (today_in_china() - dt.timedelta(days=1)).isoformat(), **extra}
    response = client.post("/api/v1/batches", json=body)
    assert response.status_code in (200, 201), response.json
    return response.json


def test_registered_batch_has_a_harvest_event_with_lot_master_data(app, make, login, session):
    farmer = make.user()
    producer = make.producer(farmer)
    client = login(farmer)
    batch = _register(client, producer, make.product(), idempotency_key="phone-retry-1")
    _register(client, producer, make.product(), idempotency_key="phone-retry-1")  # replay

    response = client.get("/api/v1/epcis/events", query_string={"lot": batch["lot_code"]})
    document = response.json
    assert validate_document(document).ok, validate_document(document).messages()
    (event,) = document["epcisBody"]["eventList"]
    assert event["type"] == "ObjectEvent" and event["action"] == "ADD"
    assert event["bizStep"].endswith("/voc/BizStep-harvesting")
    assert event["quantityList"][0]["quantity"] == 60
    assert event["quantityList"][0]["uom"] == "KGM"
    assert event["quantityList"][0]["epcClass"].endswith(f"/10/{batch['lot_code']}")
    assert event["ilmd"]["fc:harvestDate"] == batch["harvest_date"]
    assert event["ilmd"]["fc:plot"] == "东地块"
    assert event["ilmd"]["fc:variety"] == "大叶菠菜"
    assert event["ilmd"]["fc:countyCode"] == producer.county_code
    assert len(events_of(client, bizStep="harvesting")) == 1
    stored = session.scalar(select(EpcisEventRecord))
    assert stored.batch_id == batch["id"] and stored.event_id == event["eventID"]


def test_departure_and_delivery_record_shipping_and_receiving(app, make, login, session):
    farmer = make.user()
    producer = make.producer(farmer)
    batch = make.batch(producer)
    carrier = make.user(Role.CARRIER)
    shipment = make.shipment(created_by=farmer, carrier=carrier, lines=[(batch, 5_000)])
    driver = login(carrier)
    url = f"/api/v1/shipments/{shipment.id}/status"
    left = dt.datetime.now(CST).replace(microsecond=0) - dt.timedelta(hours=2)

    departed = driver.post(url, json={"status": "in_transit", "at": left.isoformat()})
    assert departed.status_code == 200
    assert driver.post(url, json={"status": "delivered"}).status_code == 200

    events = events_of(login(farmer), lot=batch.lot_code)
    assert [(e["bizStep"], e["disposition"]) for e in events] == [
        ("shipping", "in_transit"), ("receiving", "in_progress")]
    shipping, receiving = events
    assert shipping["eventTime"] == left.isoformat(timespec="milliseconds")
    assert shipping["quantityList"][0]["quantity"] == 5
    assert shipping["sourceList"][0]["source"].endswith(f"/place/{shipment.from_place_id}")
    assert receiving["destinationList"][0]["destination"].endswith(
        f"/place/{shipment.to_place_id}")
    assert shipping["bizTransactionList"][0]["bizTransaction"].endswith(f"/shipment/{shipment.id}")
    assert len(events_of(driver, lot=batch.lot_code)) == 2


def test_hold_and_recall_are_recorded_with_their_disposition(make, login):
    farmer = make.user()
    producer = make.producer(farmer)
    batch = make.batch(producer)
    inspector = login(make.user(Role.INSPECTOR))
    url = f"/api/v1/batches/{batch.id}/status"

    assert inspector.post(url, json={"status": "held", "reason": "农残待复检"}).status_code == 200
    assert inspector.post(url, json={"status": "recalled", "reason": "农残超标"}).status_code == 200

    events = events_of(login(farmer), lot=batch.lot_code)
    assert [(e["bizStep"], e["disposition"]) for e in events] == [
        ("holding", "non_sellable_other"), ("holding", "recalled")]


def _verify(app, *args):
    return app.test_cli_runner().invoke(args=["verify-chain", *args])


def test_verify_chain_passes_untouched_and_reports_a_tampered_body(app, make, login, session):
    farmer = make.user()
    producer = make.producer(farmer)
    client = login(farmer)
    batch = _register(client, producer, make.product())
    lot = session.get(Batch, batch["id"])
    assert client.post("/api/v1/epcis/capture",
                       json=lot_document(app, session, lot)).status_code == 202
    other = make.batch(producer)
    client.post("/api/v1/epcis/capture", json=lot_document(app, session, other, ("packing",)))

    clean = _verify(app)
    assert clean.exit_code == 0, clean.output
    assert f"OK lot {lot.lot_code} (GTIN {gtin_of(app, session, lot)}): 4 events" in clean.output

    second = session.scalars(select(EpcisEventRecord).where(
        EpcisEventRecord.lot_code == lot.lot_code).order_by(EpcisEventRecord.id)).all()[1]
    session.execute(update(EpcisEventRecord).where(EpcisEventRecord.id == second.id).values(
        body=second.body.replace('"quantity": 10', '"quantity": 9')))
    session.commit()

    tampered = _verify(app)
    assert tampered.exit_code == 1
    assert f"PROBLEM lot {lot.lot_code}" in tampered.output
    assert f"event 1 (record {second.id}): modified:" in tampered.output
    assert f"OK lot {other.lot_code}" in tampered.output
    only_other = _verify(app, "--lot", other.lot_code)
    assert only_other.exit_code == 0 and lot.lot_code not in only_other.output


def test_verify_chain_reports_a_deleted_record(app, make, login, session):
    farmer = make.user()
    batch = make.batch(make.producer(farmer))
    login(farmer).post("/api/v1/epcis/capture", json=lot_document(app, session, batch))
    first = session.scalar(select(func.min(EpcisEventRecord.id)))
    session.execute(EpcisEventRecord.__table__.delete().where(EpcisEventRecord.id == first))
    session.commit()

    result = _verify(app, "--lot", batch.lot_code)
    assert result.exit_code == 1
    assert "deleted" in result.output


def test_an_event_about_a_batch_in_hand_does_not_look_the_batch_up_again(app, make, session):
    """The platform builds its events from a batch it holds: storing one neither turns the
    batch into a Digital Link URI and selects it back, nor does so once per use (chain,
    lot index, genealogy), yet the stored event and its lot index point at the batch."""
    from sqlalchemy import event

    from freshcircle.platform.extensions import db
    from freshcircle.platform.ledger.services import epcis_events
    from freshcircle.platform.models import EpcisEventLot

    farmer = make.user()
    batch = make.batch(make.producer(farmer))
    session.flush()
    statements: list[str] = []

    def capture(conn, cursor, statement, *args):
        statements.append(" ".join(statement.split()).lower())

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        event_id = epcis_events.record_batch_registered(session, batch, farmer)
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)

    assert event_id is not None
    lookups = [s for s in statements
               if s.startswith("select") and "from batches join trade_items" in s]
    assert lookups == []
    record = session.scalar(select(EpcisEventRecord).where(EpcisEventRecord.event_id == event_id))
    assert record.batch_id == batch.id and record.lot_code == batch.lot_code
    indexed = session.scalars(select(EpcisEventLot.batch_id)
                              .where(EpcisEventLot.event_record_id == record.id)).all()
    assert indexed == [batch.id]

"""EPCIS capture and query through the API: schema checks per event, idempotency, filters,
and who may record and read events about which lots."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select, text

from freshcircle.platform.extensions import db
from freshcircle.platform.models import EpcisEventRecord, Role
from freshcircle.traceability.epcis_hash import document_event_hashes
from freshcircle.traceability.epcis_validation import validate_document
from freshcircle.traceability.event_chain import GENESIS
from tests.factories import Factory
from tests.platform.epcis_helpers import CST, EXAMPLES, events_of, example, gtin_of, lot_document
from tests.platform.pg_helpers import delete_trace_records, token_client, wait_for_lock_waiters


def counts(job: dict) -> dict:
    """What a capture job stored (beside the REST binding's own fields)."""
    assert job["success"] and not job["running"] and job["errors"] == []
    return {key: job[key] for key in ("captured", "duplicates", "declared", "event_ids")}


def events_of_document(document: dict) -> list[dict]:
    return document["epcisBody"]["eventList"]


def _count(session) -> int:
    return session.scalar(select(func.count()).select_from(EpcisEventRecord))


@pytest.fixture
def inspector(make, login):
    return login(make.user(Role.INSPECTOR))


@pytest.fixture
def farm(make):
    farmer = make.user()
    producer = make.producer(farmer)
    return farmer, producer, make.batch(producer)


@pytest.mark.parametrize("name", EXAMPLES)
def test_official_examples_are_stored_once_by_event_hash(name, inspector, session):
    document = example(name)
    hashes = document_event_hashes(document)
    ids = [event.get("eventID") or hashed  # the sender's eventID is kept
           for event, hashed in zip(events_of_document(document), hashes, strict=True)]

    first = inspector.post("/api/v1/epcis/capture", json=document)
    assert first.status_code == 202, first.json
    assert counts(first.json) == {"captured": len(hashes), "duplicates": 0, "declared": 0,
                                  "event_ids": ids}
    again = inspector.post("/api/v1/epcis/capture", json=document)
    assert again.status_code == 202
    assert counts(again.json) == {"captured": 0, "duplicates": len(hashes), "declared": 0,
                                  "event_ids": ids}
    assert _count(session) == len(hashes)
    stored = session.execute(select(EpcisEventRecord.event_id, EpcisEventRecord.event_hash))
    assert sorted(stored) == sorted(zip(ids, hashes, strict=True))


def test_examples_come_back_as_a_valid_document(inspector):
    inspector.post("/api/v1/epcis/capture", json=example("Example_9.6.1-ObjectEvent.jsonld"))
    response = inspector.get("/api/v1/epcis/events?bizStep=receiving",
                             headers={"Accept": "application/ld+json"})
    assert response.mimetype == "application/ld+json"
    document = response.json
    assert validate_document(document).ok, validate_document(document).messages()
    (event,) = document["epcisBody"]["eventList"]
    assert event["bizStep"] == "receiving"
    assert any(isinstance(c, dict) and c.get("example") == "http://ns.example.com/epcis/"
               for c in document["@context"])


def test_one_invalid_event_of_three_stores_nothing_and_names_it(app, session, farm, login):
    farmer, _, batch = farm
    document = lot_document(app, session, batch)
    document["epcisBody"]["eventList"][1]["bizStep"] = "harvesting"  # not CBV, not a URI
    client = login(farmer)

    response = client.post("/api/v1/epcis/capture", json=document,
                           headers={"Accept-Language": "en"})

    assert response.status_code == 202, response.json
    job = client.get(response.headers["Location"]).json
    assert job["success"] is False and job["captureErrorBehaviour"] == "rollback"
    (problem,) = job["errors"]
    assert problem["instance"] == "#/epcisBody/eventList/1" and "bizStep" in problem["detail"]
    assert problem["type"] == "epcisException:ValidationException"
    assert _count(session) == 0


def test_with_proceed_the_valid_events_are_captured(app, session, farm, login):
    farmer, _, batch = farm
    document = lot_document(app, session, batch)
    document["epcisBody"]["eventList"][1]["bizStep"] = "harvesting"

    response = login(farmer).post("/api/v1/epcis/capture", json=document,
                                  headers={"GS1-Capture-Error-Behaviour": "proceed"})

    job = response.json
    assert response.status_code == 202 and job["success"] is False
    assert job["captureErrorBehaviour"] == "proceed" and job["captured"] == 2
    assert job["event_ids"][1] is None and len(job["errors"]) == 1
    assert _count(session) == 2


def test_a_capture_job_is_its_senders_and_staffs(app, session, farm, make, login):
    farmer, _, batch = farm
    client = login(farmer)
    location = client.post("/api/v1/epcis/capture",
                           json=lot_document(app, session, batch)).headers["Location"]
    assert location.startswith("/api/v1/epcis/capture/")
    mine = client.get(location)
    assert mine.status_code == 200 and mine.json["success"] is True
    assert mine.json["finishedAt"] and mine.json["running"] is False
    assert mine.headers["GS1-EPCIS-Version"] == "2.0.0"
    assert [job["captureID"] for job in client.get("/api/v1/epcis/capture").json] == [
        mine.json["captureID"]]
    outsider = make.user()
    make.producer(outsider, name="别家合作社")
    assert login(outsider).get(location).status_code == 404
    assert login(outsider).get("/api/v1/epcis/capture").json == []
    assert login(make.user(Role.INSPECTOR)).get(location).status_code == 200


def test_gs1_headers_the_server_cannot_honour_are_refused(inspector, session):
    document = example("Example_9.6.1-ObjectEvent.jsonld")
    for header, value in (("GS1-EPCIS-Version", "1.2"), ("GS1-CBV-Version", "1.2"),
                          ("GS1-Capture-Error-Behaviour", "all")):
        response = inspector.post("/api/v1/epcis/capture", json=document,
                                  headers={header: value})
        assert response.status_code == 400, header
        assert header in response.json["errors"]
    assert _count(session) == 0
    accepted = inspector.post("/api/v1/epcis/capture", json=document, headers={
        "GS1-EPCIS-Version": "2.0.0", "GS1-CBV-Version": "2.0.0",
        "GS1-Capture-Error-Behaviour": "Rollback"})
    assert accepted.status_code == 202


def test_more_events_than_the_capture_limit_is_413(inspector, session):
    options = inspector.options("/api/v1/epcis/capture")
    limit = int(options.headers["GS1-EPCIS-Capture-Limit"])
    document = example("Example_9.6.1-ObjectEvent.jsonld")
    (first, *_rest) = document["epcisBody"]["eventList"]
    document["epcisBody"]["eventList"] = [first] * (limit + 1)

    response = inspector.post("/api/v1/epcis/capture", json=document)

    assert response.status_code == 413
    assert response.headers["GS1-EPCIS-Capture-Limit"] == str(limit)
    assert _count(session) == 0


def test_a_document_that_is_not_epcis_is_refused(inspector, session):
    response = inspector.post("/api/v1/epcis/capture", json={"type": "EPCISDocument"})
    assert response.status_code == 400
    assert response.json["errors"]["document"]
    assert _count(session) == 0


def test_query_by_lot_gtin_date_and_step(app, session, farm, login):
    farmer, _, batch = farm
    client = login(farmer)
    early = lot_document(app, session, batch, ("packing", "storing"),
                         start=dt.datetime(2026, 11, 1, 9, tzinfo=CST))
    late = lot_document(app, session, batch, ("shipping",),
                        start=dt.datetime(2026, 11, 10, 9, tzinfo=CST))
    assert client.post("/api/v1/epcis/capture", json=early).status_code == 202
    assert client.post("/api/v1/epcis/capture", json=late).status_code == 202
    gtin = gtin_of(app, session, batch)

    by_lot = events_of(client, lot=batch.lot_code)
    assert [e["bizStep"] for e in by_lot] == ["packing", "storing", "shipping"]
    assert len(events_of(client, gtin=gtin)) == 3
    assert [e["bizStep"] for e in events_of(client, lot=batch.lot_code, bizStep="storing")] == [
        "storing"]
    assert [e["bizStep"] for e in events_of(client, **{"from": "2026-11-05"})] == ["shipping"]
    assert len(events_of(client, to="2026-11-01")) == 2
    assert len(events_of(client, **{"from": "2026-11-01T10:30:00+08:00"})) == 1
    assert events_of(client, lot="NO-SUCH-LOT") == []
    first = client.get("/api/v1/epcis/events", query_string={"lot": batch.lot_code, "limit": 2})
    assert len(first.json["epcisBody"]["eventList"]) == 2
    following = first.headers["Link"].split(">")[0].lstrip("<")
    (last,) = client.get(following).json["epcisBody"]["eventList"]
    assert last["bizStep"] == "shipping" and "Link" not in client.get(following).headers
    document = client.get("/api/v1/epcis/events", query_string={"lot": batch.lot_code}).json
    assert validate_document(document).ok, validate_document(document).messages()


def test_bad_query_parameters_are_named(inspector):
    response = inspector.get("/api/v1/epcis/events?from=yesterday&gtin=12")
    assert response.status_code == 400
    assert response.json["type"] == "epcisException:QueryParameterException"
    assert set(response.json["errors"]) == {"from", "gtin"}


def test_other_producers_farmer_can_neither_capture_nor_see_the_lot(app, session, farm, make,
                                                                     login):
    farmer, _, batch = farm
    login(farmer).post("/api/v1/epcis/capture", json=lot_document(app, session, batch))
    outsider = make.user()
    make.producer(outsider, name="别家合作社")
    client = login(outsider)

    refused = client.post("/api/v1/epcis/capture",
                          json=lot_document(app, session, batch, ("receiving",)))
    assert refused.status_code == 403
    assert list(refused.json["errors"]["events"]) == ["0"]
    assert events_of(client, lot=batch.lot_code) == []
    assert events_of(client) == []
    assert _count(session) == 3


def test_carrier_sees_and_records_the_lots_it_carries(app, session, farm, make, login):
    farmer, _, batch = farm
    other = make.batch(farm[1])
    carrier = make.user(Role.CARRIER)
    make.shipment(created_by=farmer, carrier=carrier, lines=[(batch, 5_000)])
    login(farmer).post("/api/v1/epcis/capture", json=lot_document(app, session, batch))
    client = login(carrier)

    assert len(events_of(client, lot=batch.lot_code)) == 3
    arrived = lot_document(app, session, batch, ("arriving",),
                           start=dt.datetime(2026, 11, 21, 9, tzinfo=CST))
    assert client.post("/api/v1/epcis/capture", json=arrived).status_code == 202
    elsewhere = lot_document(app, session, other, ("arriving",))
    assert client.post("/api/v1/epcis/capture", json=elsewhere).status_code == 403


def test_buyer_is_refused_and_anonymous_must_sign_in(make, login, client):
    buyer = login(make.user(Role.BUYER))
    document = example("Example_9.6.1-ObjectEvent.jsonld")
    assert buyer.post("/api/v1/epcis/capture", json=document).status_code == 403
    assert buyer.get("/api/v1/epcis/events").status_code == 403
    assert client.post("/api/v1/epcis/capture", json=document).status_code == 401
    assert client.get("/api/v1/epcis/events").status_code == 401


@pytest.mark.no_db_isolation
def test_two_captures_for_one_lot_extend_its_chain_without_forking(app):
    """Real concurrency (PostgreSQL): two captures for one lot wait on its batch row.

    A third connection holds the batch row's lock until both requests wait for it; without
    the lock in ledger.services.epcis_store both would read the same last link and fork the chain.
    """
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("row locks (SELECT ... FOR UPDATE) are exercised on PostgreSQL only")
        make = Factory(db.session)  # outside the rollback: these rows are really committed
        farmer = make.user()
        batch = make.batch(make.producer(farmer))
        documents = [lot_document(app, db.session, batch, (step,)) for step in
                     ("packing", "storing")]
        ids = {"user": farmer.id, "producer": batch.producer_id, "batch": batch.id,
               "lot": batch.lot_code}
        first, second = (token_client(app, db.session, farmer) for _ in range(2))
        db.session.remove()
        try:
            _race_to_capture(first, second, documents, ids)
        finally:
            _delete_committed_rows(ids)


def _race_to_capture(first, second, documents, ids):
    statuses, failures = [], []

    def capture(client, document):
        try:
            statuses.append(client.post("/api/v1/epcis/capture", json=document).status_code)
        except Exception as error:  # reported below, in the test's thread
            failures.append(error)

    threads = [threading.Thread(target=capture, args=pair)
               for pair in zip((first, second), documents, strict=True)]
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
    assert statuses == [202, 202]
    with db.engine.connect() as conn:
        links = conn.execute(text("SELECT previous_link, link FROM epcis_events "
                                  "WHERE lot_code = :lot ORDER BY id"), {"lot": ids["lot"]}).all()
    assert len(links) == 2
    assert links[0].previous_link == GENESIS and links[1].previous_link == links[0].link



def _delete_committed_rows(ids) -> None:
    with db.engine.begin() as conn:
        delete_trace_records(conn, ids["batch"])
        conn.execute(text("DELETE FROM trade_items WHERE producer_id = :producer"), ids)
        conn.execute(text("DELETE FROM batches WHERE id = :batch"), ids)
        conn.execute(text("DELETE FROM memberships WHERE user_id = :user"), ids)
        conn.execute(text("DELETE FROM api_tokens WHERE user_id = :user"), ids)
        conn.execute(text("DELETE FROM epcis_capture_jobs WHERE created_by_id = :user"), ids)
        conn.execute(text("DELETE FROM plots WHERE producer_id = :producer"), ids)
        conn.execute(text("DELETE FROM producers WHERE id = :producer"), ids)
        conn.execute(text("DELETE FROM users WHERE id = :user"), ids)

"""EPCIS capture keeps what partners send (issue 17): their eventIDs, and error declarations
(which share the hash of the event they declare wrong, by the standard's design) stored against
the original event, shown in queries, on the lot's trace and on the consumer page."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from freshcircle.platform.models import EpcisEventRecord, Role
from freshcircle.traceability.epcis_hash import document_event_hashes
from tests.platform.epcis_helpers import events_of, lot_document
from tests.platform.trace_helpers import path_of, printed_codes

EXAMPLES = Path(__file__).parent / "data" / "gs1_epcis_examples"
CORRECTED = "urn:uuid:404d95fc-9457-4a51-bd6a-0bba133845a8"
DECLARED = "urn:uuid:374d95fc-9457-4a51-bd6a-0bba133845a8"


def official(name: str) -> dict:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def _count(session) -> int:
    return session.scalar(select(func.count()).select_from(EpcisEventRecord))


@pytest.fixture
def inspector(make, login):
    return login(make.user(Role.INSPECTOR))


def test_a_partners_event_ids_are_kept_and_a_corrective_event_resolves(inspector):
    document = official("WithErrorDeclaration_ErrorDeclarationAndCorrectiveEvent.jsonld")

    response = inspector.post("/api/v1/epcis/capture", json=document)

    assert response.status_code == 202, response.json
    assert response.json["event_ids"] == [DECLARED, CORRECTED]
    corrected = inspector.get(f"/api/v1/epcis/events/{CORRECTED}")
    assert corrected.status_code == 200, corrected.json
    assert corrected.json["eventID"] == CORRECTED
    assert corrected.json["outputQuantityList"][0]["quantity"] == 500
    declared = inspector.get(f"/api/v1/epcis/events/{DECLARED}").json
    assert declared["errorDeclaration"]["correctiveEventIDs"] == [CORRECTED]
    assert declared["errorDeclaration"]["reason"] == "incorrect_data"
    assert inspector.get("/api/v1/epcis/events/urn:uuid:nothing-here").status_code == 404


def test_an_event_without_an_id_is_stored_under_its_hash(inspector):
    document = official("Example_9.6.1-ObjectEvent.jsonld")
    for event in document["epcisBody"]["eventList"]:
        del event["eventID"]

    response = inspector.post("/api/v1/epcis/capture", json=document)

    assert response.json["event_ids"] == document_event_hashes(document)


def test_an_error_declaration_is_kept_against_the_original_event(inspector, session):
    original = official("Example_9.6.1-ObjectEvent.jsonld")
    first_id = original["epcisBody"]["eventList"][0]["eventID"]
    inspector.post("/api/v1/epcis/capture", json=original)
    declaration = copy.deepcopy(original)
    event = declaration["epcisBody"]["eventList"][0]
    event["errorDeclaration"] = {"declarationTime": "2021-02-01T22:46:31.117Z",
                                 "reason": "incorrect_data",
                                 "correctiveEventIDs": ["urn:uuid:f81d4fae-7dec-11d0-a765"]}

    response = inspector.post("/api/v1/epcis/capture", json=declaration)

    assert response.status_code == 202, response.json
    assert response.json["declared"] == 1 and response.json["captured"] == 0
    assert _count(session) == 2  # the original is kept, not replaced
    listed = {e["eventID"]: e for e in events_of(inspector, bizStep="shipping")}
    assert listed[first_id]["errorDeclaration"]["reason"] == "incorrect_data"
    assert listed[first_id]["bizStep"] == "shipping"  # the original's fields
    again = inspector.post("/api/v1/epcis/capture", json=declaration)
    assert again.json["declared"] == 0 and again.json["duplicates"] == 2


def test_the_official_declaration_example_finds_the_original_by_its_hash(inspector, session):
    inspector.post("/api/v1/epcis/capture", json=official("Example_9.6.1-ObjectEvent.jsonld"))
    declaring = official("WithErrorDeclaration_Example_9.6.1-ObjectEvent-with-error-declaration"
                         ".jsonld")

    response = inspector.post("/api/v1/epcis/capture", json=declaring)

    assert response.status_code == 202, response.json
    assert response.json["declared"] == 1
    assert _count(session) == 2


def test_a_different_event_under_a_known_event_id_is_refused(inspector, session):
    document = official("WithErrorDeclaration_ErrorDeclarationAndCorrectiveEvent.jsonld")
    inspector.post("/api/v1/epcis/capture", json=document)
    other = copy.deepcopy(document)
    other["epcisBody"]["eventList"] = [other["epcisBody"]["eventList"][1]]
    other["epcisBody"]["eventList"][0]["outputQuantityList"][0]["quantity"] = 499

    response = inspector.post("/api/v1/epcis/capture", json=other,
                              headers={"Accept-Language": "en"})

    assert response.status_code == 202, response.json
    assert response.json["success"] is False
    (problem,) = response.json["errors"]
    assert problem["instance"] == "#/epcisBody/eventList/0"
    assert "already names another event" in problem["detail"]
    assert _count(session) == 2


def test_a_declared_event_says_so_on_the_consumer_page(app, session, make, client, login):
    farmer = make.user()
    batch = make.batch(make.producer(farmer))
    document = lot_document(app, session, batch, steps=("packing", "storing"))
    farm = login(farmer)
    assert farm.post("/api/v1/epcis/capture", json=document).status_code == 202
    declared = copy.deepcopy(document)
    declared["epcisBody"]["eventList"] = declared["epcisBody"]["eventList"][1:]
    declared["epcisBody"]["eventList"][0]["errorDeclaration"] = {
        "declarationTime": "2026-11-21T09:00:00+08:00", "reason": "incorrect_data"}
    assert farm.post("/api/v1/epcis/capture", json=declared).json["declared"] == 1
    code = path_of(printed_codes(app, session, batch)[0])

    page = client.get(code).get_data(as_text=True)

    assert page.count("此记录已被更正") == 1


def test_a_corrected_harvest_record_says_so_on_the_harvest_row(app, session, make, client,
                                                              login):
    from freshcircle.platform.ledger.services import epcis_events

    farmer = make.user()
    batch = make.batch(make.producer(farmer))
    event_id = epcis_events.record_batch_registered(session, batch, farmer)
    session.commit()
    stored = json.loads(session.scalar(select(EpcisEventRecord.body)
                                       .where(EpcisEventRecord.event_id == event_id)))
    context = stored.pop("@context")
    stored["errorDeclaration"] = {"declarationTime": "2026-11-21T09:00:00+08:00",
                                  "reason": "incorrect_data"}
    document = {"@context": context, "type": "EPCISDocument", "schemaVersion": "2.0",
                "creationDate": "2026-11-21T09:00:00+08:00",
                "epcisBody": {"eventList": [stored]}}
    assert login(farmer).post("/api/v1/epcis/capture", json=document).json["declared"] == 1
    code = path_of(printed_codes(app, session, batch)[0])

    page = client.get(code).get_data(as_text=True)

    journey = page.split('id="journey"')[1]
    harvest_row = journey.split("</li>")[0]
    assert "此记录已被更正" in harvest_row

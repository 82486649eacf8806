"""Every EPCIS 2.0 JSON-LD example of GS1's own repository (tests/platform/ledger/data/
gs1_epcis_examples, all valid under the official schema) is captured and comes back from
`GET /events/{eventID}` field for field, its error declarations and corrective events kept."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest

from freshcircle.platform.models import Role
from freshcircle.traceability.epcis_validation import validate_document

EXAMPLES = sorted((Path(__file__).parent / "data" / "gs1_epcis_examples").glob("*.jsonld"))


@pytest.fixture
def inspector(make, login):
    return login(make.user(Role.INSPECTOR))


def capture_document(document: dict) -> dict:
    """The document to capture: an EPCISQueryDocument's events go as an EPCISDocument."""
    if document.get("type") != "EPCISQueryDocument":
        return document
    events = document["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    return {"@context": document["@context"], "type": "EPCISDocument",
            "schemaVersion": document["schemaVersion"],
            "creationDate": document["creationDate"], "epcisBody": {"eventList": events}}


def test_every_example_is_valid_under_the_official_schema():
    assert len(EXAMPLES) == 47
    for path in EXAMPLES:
        assert validate_document(json.loads(path.read_text(encoding="utf-8"))).ok, path.name


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.stem)
def test_an_official_example_is_captured_and_queried_back_field_for_field(path, inspector):
    document = capture_document(json.loads(path.read_text(encoding="utf-8")))
    events = document["epcisBody"]["eventList"]

    response = inspector.post("/api/v1/epcis/capture", json=document)

    assert response.status_code == 202, response.json
    job = response.json
    assert job["success"], job["errors"]
    assert job["captured"] + job["duplicates"] + job["declared"] == len(events)
    for event, event_id in zip(events, job["event_ids"], strict=True):
        assert event_id == event.get("eventID", event_id)
        back = inspector.get(f"/api/v1/epcis/events/{quote(event_id, safe='')}")
        assert back.status_code == 200, (event_id, back.json)
        returned = {key: value for key, value in back.json.items() if key != "@context"}
        assert returned == {**event, "eventID": event_id}
        for corrective in event.get("errorDeclaration", {}).get("correctiveEventIDs", []):
            if corrective in job["event_ids"]:  # sent in the same document: it resolves
                resolved = inspector.get(f"/api/v1/epcis/events/{quote(corrective, safe='')}")
                assert resolved.status_code == 200

"""The EPCIS 2.0 query interface (REST binding `GET /events`) on GS1's own examples: each
standard parameter, lists, CBV words bare or as URIs, identifiers as EPC URNs or Digital Links,
ordering, keyset pages through `Link`, eventCountLimit, QueryParameterException for what the
server cannot answer, and visibility; and the collection resources (`/eventTypes`,
`/bizSteps/{bizStep}/events`, ...), each `/events` with its path's one filter."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from freshcircle.platform import create_app
from freshcircle.platform.extensions import db
from freshcircle.platform.ledger.services.epcis_terms import canonical
from freshcircle.platform.models import Role
from tests.platform.epcis_helpers import gtin_of, lot_document

DATA = Path(__file__).parent / "data" / "gs1_epcis_examples"
# The events captured, in this order, under a letter each (their times, UTC):
#   A ObjectEvent 2005-04-04T02:33:31.116 shipping in_transit, EPCs 2017 2018, po acme
#   B ObjectEvent 2005-04-05T02:33:31.116 receiving, EPC 2018, po acme and a desadv
#   C AggregationEvent 2013-06-08 receiving, parent SSCC, children 2017 2018
#   D TransformationEvent 2013-10-31 commissioning, inputs and outputs
#   E AssociationEvent 2019-11-03 DELETE removing, parent GRAI 987
#   F TransactionEvent 2005-04-04T02:33:31.116 (A's very time) ADD shipping, sources, destinations
FILES = (("Example_9.6.1-ObjectEvent.jsonld", "AB"), ("Example_9.6.3-AggregationEvent.jsonld", "C"),
         ("Example_9.6.4-TransformationEvent.jsonld", "D"),
         ("AssociationEvent_AssociationEvent-c.jsonld", "E"),
         ("WithFullCombinationOfFields_transaction_event_all_possible_fields.jsonld", "F"))
SGTIN_2018 = "urn:epc:id:sgtin:0614141.107346.2018"
SSCC = "urn:epc:id:sscc:0614141.1234567890"
EVENTS = "/api/v1/epcis/events"


@pytest.fixture
def inspector(make, login):
    return login(make.user(Role.INSPECTOR))


@pytest.fixture
def letters(inspector) -> dict[str, str]:
    """Capture the examples; eventID -> letter."""
    names = {}
    for name, marks in FILES:
        document = json.loads((DATA / name).read_text(encoding="utf-8"))
        response = inspector.post("/api/v1/epcis/capture", json=document)
        assert response.status_code == 202 and response.json["captured"] == len(marks)
        names.update(zip(response.json["event_ids"], marks, strict=True))
    return names


def found(client, letters, params) -> str:
    """The letters of the events a query answers, in order (`params` as pairs: repeatable)."""
    response = client.get(EVENTS, query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return "".join(letters[e["eventID"]] for e in response.json["epcisBody"]["eventList"])


def problem(client, params) -> dict:
    response = client.get(EVENTS, query_string=params)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.json
    assert body["type"] == "epcisException:QueryParameterException"
    assert body["status"] == 400 and body["title"] and body["detail"]
    return body


@pytest.mark.parametrize(("params", "expected"), [
    ([("eventType", "ObjectEvent,AggregationEvent")], "ABC"),
    ([("eventType", "ObjectEvent"), ("eventType", "AssociationEvent")], "ABE"),
    ([("eventType", "ObjectEvent|AssociationEvent")], "ABE"),  # the binding's pipeDelimited
    ([("GE_eventTime", "2013-01-01T00:00:00Z"), ("LT_eventTime", "2019-01-01T00:00:00+08:00")],
     "CD"),
    ([("GE_eventTime", "2005-04-04T02:33:31.116Z"), ("LT_eventTime", "2005-04-05T02:33:31.116Z")],
     "AF"),
    ([("GE_recordTime", "2000-01-01T00:00:00Z")], "AFBCDE"),
    ([("LT_recordTime", "2000-01-01T00:00:00Z")], ""),
    ([("EQ_action", "ADD,DELETE")], "FE"),
    ([("EQ_bizStep", "receiving")], "BC"),
    ([("EQ_bizStep", "https://ref.gs1.org/cbv/BizStep-receiving")], "BC"),
    ([("EQ_bizStep", "urn:epcglobal:cbv:bizstep:receiving,removing")], "BCE"),
    ([("EQ_disposition", "in_transit")], "AF"),
    ([("EQ_disposition", "https://ref.gs1.org/cbv/Disp-in_transit")], "AF"),
    ([("EQ_readPoint", "urn:epc:id:sgln:0614141.07346.1234")], "AF"),
    ([("EQ_bizLocation", "urn:epc:id:sgln:0614141.00888.0")], "FC"),
    ([("MATCH_epc", SGTIN_2018)], "AFBC"),  # epcList, and childEPCs of the aggregation
    ([("MATCH_epc", "urn:epc:idpat:sgtin:0614141.107346.*")], "AFBC"),
    ([("MATCH_parentID", SSCC)], "FC"),
    # an EPC, a class, a read point in Digital Link form finds it sent as a URN
    ([("MATCH_epc", "https://id.gs1.org/01/10614141073464/21/2018")], "AFBC"),
    ([("MATCH_epc", "https://example.com/gtin/10614141073464/ser/2018?linkType=all")], "AFBC"),
    ([("MATCH_parentID", "https://id.gs1.org/00/106141412345678908")], "FC"),
    ([("MATCH_epcClass", "https://id.gs1.org/01/04012345111118/10/4444")], "F"),
    ([("EQ_readPoint", "https://id.gs1.org/414/0614141073467/254/1234")], "AF"),
    ([("MATCH_epcClass", "urn:epc:idpat:sgtin:4012345.098765.*")], "C"),
    ([("MATCH_inputEPC", "urn:epc:id:sgtin:4012345.011122.25")], "D"),
    ([("MATCH_outputEPC", "urn:epc:id:sgtin:4012345.077889.26")], "D"),
    ([("MATCH_inputEPC", "urn:epc:id:sgtin:4012345.077889.26")], ""),
    ([("MATCH_anyEPC", "urn:epc:id:grai:4012345.55555.987,urn:epc:id:sgtin:4012345.077889.26")],
     "DE"),
    ([("MATCH_anyEPC", SSCC)], "FC"),
    ([("MATCH_epcClass", "urn:epc:class:lgtin:4012345.011111.4444")], "F"),
    ([("MATCH_anyEPCClass", "urn:epc:class:lgtin:4012345.011111.4444")], "FD"),
    ([("EQ_bizTransaction_po", "http://transaction.acme.com/po/12345678")], "AB"),
    ([("EQ_bizTransaction_urn:epcglobal:cbv:btt:desadv",
       "urn:epcglobal:cbv:bt:0614141073467:1152")], "B"),
    ([("EQ_bizTransaction_desadv", "http://transaction.acme.com/po/12345678")], ""),
    ([("EQ_source_possessing_party", "urn:epc:id:pgln:4012345.00225")], "F"),
    ([("EQ_destination_https://ref.gs1.org/cbv/SDT-location", "urn:epc:id:sgln:0614141.00777.0")],
     "F"),
    ([("EQ_bizStep", "shipping"), ("MATCH_epc", SGTIN_2018), ("EQ_action", "OBSERVE")], "A"),
])
def test_each_standard_parameter_on_the_official_examples(inspector, letters, params, expected):
    assert found(inspector, letters, params) == expected


def test_event_ids_and_error_declarations(inspector, letters):
    ids = {letter: event_id for event_id, letter in letters.items()}
    assert found(inspector, letters, [("EQ_eventID", f"{ids['E']}|{ids['A']}")]) == "AE"
    assert found(inspector, letters, [("EXISTS_errorDeclaration", "false")]) == "AFBCDE"
    assert found(inspector, letters, [("EXISTS_errorDeclaration", "true")]) == "F"
    name = "WithErrorDeclaration_Example_9.6.1-ObjectEvent-with-error-declaration.jsonld"
    document = json.loads((DATA / name).read_text(encoding="utf-8"))
    assert inspector.post("/api/v1/epcis/capture", json=document).status_code == 202
    response = inspector.get(EVENTS, query_string={"EXISTS_errorDeclaration": "true"})
    declared = response.json["epcisBody"]["eventList"]
    assert [(e["type"], e["bizStep"]) for e in declared] == [
        ("ObjectEvent", "shipping"), ("TransactionEvent", "shipping")]
    assert all(e["errorDeclaration"]["declarationTime"] for e in declared)


def test_order_by_event_or_record_time_either_way(inspector, letters):
    assert found(inspector, letters, []) == "AFBCDE"  # oldest first, ties by capture
    assert found(inspector, letters, [("orderBy", "eventTime")]) == "EDCBFA"  # DESC by default
    assert found(inspector, letters, [("orderBy", "eventTime"),
                                      ("orderDirection", "ASC")]) == "AFBCDE"
    assert found(inspector, letters, [("orderBy", "recordTime"),
                                      ("orderDirection", "ASC")]) == "ABCDEF"
    assert found(inspector, letters, [("orderBy", "recordTime")]) == "FEDCBA"


def _pages(client, letters, params) -> list[str]:
    """Follow `Link: <...>; rel="next"` from the first page to the last."""
    pages, response = [], client.get(EVENTS, query_string=params)
    while True:
        assert response.status_code == 200, response.get_data(as_text=True)
        pages.append("".join(letters[e["eventID"]]
                             for e in response.json["epcisBody"]["eventList"]))
        link = response.headers.get("Link")
        if not link:
            return pages
        assert link.startswith("<") and link.endswith('>; rel="next"')
        assert "nextPageToken=" in link
        response = client.get(link[1:link.index(">")])


def test_keyset_pages_follow_the_link_header(inspector, letters):
    assert _pages(inspector, letters, [("perPage", "2")]) == ["AF", "BC", "DE", ""]
    assert _pages(inspector, letters, [("perPage", "4"), ("orderBy", "eventTime")]) == [
        "EDCB", "FA"]
    assert _pages(inspector, letters, [("perPage", "1"), ("EQ_bizStep", "receiving")]) == [
        "B", "C", ""]


def test_event_count_limit_caps_the_answer_across_pages(inspector, letters):
    assert found(inspector, letters, [("eventCountLimit", "3")]) == "AFB"
    assert found(inspector, letters, [("eventCountLimit", "2"), ("orderBy", "eventTime")]) == "ED"
    assert _pages(inspector, letters, [("eventCountLimit", "3"), ("perPage", "2")]) == [
        "AF", "B"]
    assert _pages(inspector, letters, [("eventCountLimit", "4"), ("perPage", "2")]) == [
        "AF", "BC"]


@pytest.mark.parametrize(("params", "named"), [
    ([("colour", "red")], "colour"),
    ([("GE_eventTime", "yesterday")], "GE_eventTime"),
    ([("LT_recordTime", "2026-11-26T08:00:00")], "LT_recordTime"),  # no time zone
    ([("EQ_action", "observe")], "EQ_action"),
    ([("EXISTS_errorDeclaration", "maybe")], "EXISTS_errorDeclaration"),
    ([("orderBy", "bizStep")], "orderBy"),
    ([("orderDirection", "UP")], "orderDirection"),
    ([("eventCountLimit", "0")], "eventCountLimit"),
    ([("perPage", "many")], "perPage"),
    ([("nextPageToken", "not-a-token")], "nextPageToken"),
    ([("WD_readPoint", "urn:epc:id:sgln:0614141.07346.1234")], "WD_readPoint"),
    ([("EQ_bizTransaction_", "x")], "EQ_bizTransaction_"),
    ([("MATCH_epc", "")], "MATCH_epc"),
])
def test_an_unsupported_or_malformed_parameter_is_a_query_parameter_exception(
        inspector, params, named):
    body = problem(inspector, params)
    assert list(body["errors"]) == [named] and named in body["detail"]


def test_every_bad_parameter_is_named_at_once(inspector):
    body = problem(inspector, [("GE_eventTime", "yesterday"), ("gtin", "12"), ("shoe", "1")])
    assert set(body["errors"]) == {"GE_eventTime", "gtin", "shoe"}


def test_another_producers_events_never_appear(app, session, make, login, letters):
    farmer, outsider = make.user(), make.user()
    batch = make.batch(make.producer(farmer))
    make.producer(outsider, name="别家合作社")
    own = login(farmer)
    assert own.post("/api/v1/epcis/capture",
                    json=lot_document(app, session, batch)).status_code == 202
    gtin = gtin_of(app, session, batch)

    mine = own.get(EVENTS, query_string={"eventType": "ObjectEvent"}).json
    assert [e["bizStep"] for e in mine["epcisBody"]["eventList"]] == [
        "packing", "storing", "shipping"]
    assert found(own, letters, [("MATCH_epc", SGTIN_2018)]) == ""  # the inspector's examples
    stranger = login(outsider)
    for params in ([], [("eventType", "ObjectEvent")], [("EQ_bizStep", "packing")],
                   [("lot", batch.lot_code)], [("orderBy", "recordTime")]):
        response = stranger.get(EVENTS, query_string=params)
        assert response.status_code == 200
        assert response.json["epcisBody"]["eventList"] == [] and "Link" not in response.headers
    lot_class = mine["epcisBody"]["eventList"][0]["quantityList"][0]["epcClass"]
    assert len(own.get(EVENTS, query_string={"MATCH_anyEPCClass": lot_class}).json[
        "epcisBody"]["eventList"]) == 3
    assert stranger.get(EVENTS, query_string={"MATCH_anyEPCClass": lot_class}).json[
        "epcisBody"]["eventList"] == []
    assert found(stranger, letters, [("gtin", gtin)]) == ""


def test_the_problem_speaks_the_callers_language(inspector):
    body = problem(inspector, [("colour", "red"), ("lang", "zh")])
    assert body["errors"] == {"colour": ["本服务器不支持此查询参数。"]}
    assert body["detail"] == "colour: 本服务器不支持此查询参数。"


@pytest.mark.no_db_isolation
def test_the_migration_indexes_the_events_stored_before_it(tmp_path):
    """Events stored before the query index get their columns and terms from their body."""
    url = "sqlite:///" + str(tmp_path / "backfill.db")
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": url})
    name = "WithFullCombinationOfFields_transaction_event_all_possible_fields.jsonld"
    (event,) = json.loads((DATA / name).read_text(encoding="utf-8"))["epcisBody"]["eventList"]
    with app.app_context():
        try:
            upgrade(revision="b166d7e2058f")
            with db.engine.begin() as conn:
                for row_id, body in ((1, json.dumps(event)), (2, "not json")):
                    conn.execute(text(
                        "INSERT INTO epcis_events (id, event_id, event_hash, event_type, "
                        "event_time, body, previous_link, link, recorded_at) VALUES (:id, :id, "
                        ":id, 'TransactionEvent', '2005-04-04 02:33:31', :body, 'x', 'y', "
                        "'2026-12-01 00:00:00')"), {"id": row_id, "body": body})
            upgrade()
            with db.engine.connect() as conn:
                columns = conn.execute(text(
                    "SELECT id, action, disposition, read_point, biz_location FROM epcis_events "
                    "ORDER BY id")).all()
                terms = set(conn.execute(text(
                    "SELECT kind, type, value FROM epcis_event_terms")).all())
        finally:
            db.engine.dispose()
    assert columns == [(1, "ADD", "in_transit", canonical("urn:epc:id:sgln:0614141.07346.1234"),
                        canonical("urn:epc:id:sgln:0614141.00888.0")), (2, None, None, None, None)]
    assert {(kind, type_, canonical(value)) for kind, type_, value in (
        ("epc", "", SGTIN_2018), ("parent", "", SSCC),
        ("quantity", "", "urn:epc:class:lgtin:4012345.011111.4444"),
        ("bizTransaction", "po", "urn:epc:id:gdti:0614141.00001.1618034"),
        ("source", "possessing_party", "urn:epc:id:pgln:4012345.00225"),
        ("destination", "location", "urn:epc:id:sgln:0614141.00777.0"))} <= terms


# --- The binding's collection resources: /events with one filter from the path ---------

BASE = "/api/v1/epcis"


def _letters(client, letters, path, params=()) -> str:
    response = client.get(path, query_string=list(params))
    assert response.status_code == 200, response.get_data(as_text=True)
    return "".join(letters[e["eventID"]] for e in response.json["epcisBody"]["eventList"])


def test_event_types_lists_the_five_and_each_links_to_its_events(inspector, letters):
    response = inspector.get(f"{BASE}/eventTypes")
    assert response.status_code == 200 and response.json["type"] == "Collection"
    assert response.json["member"] == ["ObjectEvent", "AggregationEvent", "TransactionEvent",
                                       "TransformationEvent", "AssociationEvent"]
    assert _letters(inspector, letters, f"{BASE}/eventTypes/ObjectEvent/events") == "AB"
    assert _letters(inspector, letters, f"{BASE}/eventTypes/AssociationEvent/events") == "E"


@pytest.mark.parametrize(("resource", "value", "same_as"), [
    ("epcs", SGTIN_2018, "MATCH_anyEPC"),
    ("epcs", "https://id.gs1.org/01/10614141073464/21/2018", "MATCH_anyEPC"),
    ("bizSteps", "receiving", "EQ_bizStep"),
    ("bizSteps", "https://ref.gs1.org/cbv/BizStep-receiving", "EQ_bizStep"),
    ("bizLocations", "urn:epc:id:sgln:0614141.00888.0", "EQ_bizLocation"),
    ("readPoints", "urn:epc:id:sgln:0614141.07346.1234", "EQ_readPoint"),
    ("dispositions", "in_transit", "EQ_disposition"),
])
def test_each_collection_answers_as_events_with_its_parameter(inspector, letters, resource,
                                                              value, same_as):
    path = f"{BASE}/{resource}/{quote(value, safe='')}/events"
    expected = _letters(inspector, letters, EVENTS, [(same_as, value)])
    assert expected  # the examples have events of each
    assert _letters(inspector, letters, path) == expected
    # Other parameters narrow it further, as on /events.
    assert _letters(inspector, letters, path, [("eventType", "AggregationEvent")]) == "".join(
        letter for letter in expected if letter == "C")


def test_collection_pages_follow_their_own_link(inspector, letters):
    path = f"{BASE}/bizSteps/receiving/events"
    first = inspector.get(path, query_string={"perPage": "1"})
    assert len(first.json["epcisBody"]["eventList"]) == 1
    link = first.headers["Link"]
    assert link.startswith(f"<{path}?") and 'rel="next"' in link
    second = inspector.get(link[1:link.index(">")])
    assert [letters[e["eventID"]] for e in second.json["epcisBody"]["eventList"]] == ["C"]


def test_the_path_filter_cannot_be_given_again_in_the_query(inspector, letters):
    response = inspector.get(f"{BASE}/bizSteps/receiving/events",
                             query_string={"EQ_bizStep": "shipping"})
    assert response.status_code == 400
    assert response.json["type"] == "epcisException:QueryParameterException"
    assert list(response.json["errors"]) == ["EQ_bizStep"]
    bad = inspector.get(f"{BASE}/eventTypes/PartyEvent/events")
    assert bad.status_code == 404  # not one of /eventTypes: no such resource


def test_a_stranger_sees_nothing_through_a_collection(make, login, letters):
    farmer = login(make.user(Role.FARMER))
    assert _letters(farmer, letters, f"{BASE}/bizSteps/receiving/events") == ""
    assert _letters(farmer, letters,
                    f"{BASE}/epcs/{quote(SGTIN_2018, safe='')}/events") == ""

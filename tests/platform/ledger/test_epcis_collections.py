"""The EPCIS 2.0 REST binding's top-level collections (`/epcs`, `/bizSteps`, `/bizLocations`,
`/readPoints`, `/dispositions`) and the sub-resource listings (`/bizSteps/{bizStep}`,
`/eventTypes/{eventType}`...), on GS1's own examples captured as in test_epcis_query."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from freshcircle.platform.ledger.services.epcis_terms import canonical
from freshcircle.platform.models import Role
from tests.platform.epcis_helpers import lot_document
from tests.platform.ledger.test_epcis_query import BASE, DATA, EVENTS, FILES, SGTIN_2018, SSCC


@pytest.fixture
def inspector(make, login):
    return login(make.user(Role.INSPECTOR))


@pytest.fixture
def letters(inspector) -> dict[str, str]:
    """GS1's examples captured as test_epcis_query captures them; eventID -> letter."""
    names = {}
    for name, marks in FILES:
        document = json.loads((DATA / name).read_text(encoding="utf-8"))
        response = inspector.post(f"{BASE}/capture", json=document)
        assert response.status_code == 202
        names.update(zip(response.json["event_ids"], marks, strict=True))
    return names


# The collection -> the `/events` parameter its members are matched by, and the event field.
COLLECTIONS = {"bizSteps": "EQ_bizStep", "dispositions": "EQ_disposition",
               "bizLocations": "EQ_bizLocation", "readPoints": "EQ_readPoint",
               "epcs": "MATCH_anyEPC"}


def members(client, resource: str, per_page: int | None = None) -> list[str]:
    """Every member of a collection, following its `Link` from page to page."""
    url = f"{BASE}/{resource}"
    params = {"perPage": str(per_page)} if per_page else {}
    found: list[str] = []
    while url:
        response = client.get(url, query_string=params or None)
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.json["type"] == "Collection" and response.json["@context"]
        found += response.json["member"]
        link = response.headers.get("Link")
        url, params = (link[1:link.index(">")], {}) if link else (None, {})
    return found


def test_business_steps_are_those_of_the_events_each_finding_its_events(inspector, letters):
    steps = members(inspector, "bizSteps")
    assert steps == sorted(steps) and len(set(steps)) == len(steps)
    assert {"shipping", "receiving", "commissioning"} <= set(steps)
    for step in steps:
        events = inspector.get(EVENTS, query_string={"EQ_bizStep": step}).json
        assert events["epcisBody"]["eventList"], step


@pytest.mark.parametrize("resource", list(COLLECTIONS))
def test_each_collection_pages_by_its_link_and_every_member_has_events(inspector, letters,
                                                                       resource):
    whole = members(inspector, resource)
    assert whole, resource  # the examples have values of each
    assert members(inspector, resource, per_page=1) == whole  # page by page, the same list
    for value in whole:
        events = inspector.get(f"{BASE}/{resource}/{quote(value, safe='')}/events").json
        assert events["epcisBody"]["eventList"], value


def test_epcs_are_the_canonical_digital_links_of_the_examples(inspector, letters):
    epcs = members(inspector, "epcs")
    assert "https://id.gs1.org/01/10614141073464/21/2018" in epcs  # SGTIN_2018's
    assert canonical(SSCC) in epcs  # the aggregation's parent, as /events matches it


def test_a_value_lists_its_events_sub_resource_and_an_unknown_one_is_not_found(inspector,
                                                                               letters):
    for path in ("eventTypes/ObjectEvent", "bizSteps/receiving",
                 f"epcs/{quote(SGTIN_2018, safe='')}", "dispositions/in_transit",
                 f"readPoints/{quote('urn:epc:id:sgln:0614141.07346.1234', safe='')}"):
        response = inspector.get(f"{BASE}/{path}")
        assert response.status_code == 200, path
        assert response.json["type"] == "Collection" and response.json["member"] == ["events"]
    for path in ("eventTypes/PartyEvent", "bizSteps/harvesting",
                 f"epcs/{quote('urn:epc:id:sgtin:0614141.107346.9999', safe='')}"):
        assert inspector.get(f"{BASE}/{path}").status_code == 404, path


def test_an_unsupported_parameter_is_a_query_parameter_exception(inspector, letters):
    for params in ({"EQ_bizStep": "receiving"}, {"perPage": "0"}, {"nextPageToken": "!!"}):
        response = inspector.get(f"{BASE}/bizSteps", query_string=params)
        assert response.status_code == 400 and response.mimetype == "application/problem+json"
        assert response.json["type"] == "epcisException:QueryParameterException"
        assert list(response.json["errors"]) == list(params)


def test_a_stranger_sees_no_values_and_no_sub_resource(make, login, letters):
    farmer = login(make.user(Role.FARMER))
    for resource in COLLECTIONS:
        assert members(farmer, resource) == []
    assert farmer.get(f"{BASE}/bizSteps/receiving").status_code == 404


def test_a_producer_sees_the_values_of_its_own_lots_only(app, session, make, login, letters):
    farmer, outsider = make.user(), make.user()
    batch = make.batch(make.producer(farmer))
    make.producer(outsider, name="别家合作社")
    own = login(farmer)
    document = lot_document(app, session, batch, steps=("packing", "storing"))
    assert own.post("/api/v1/epcis/capture", json=document).status_code == 202
    # Its own two steps, none of the inspector's examples (shipping, receiving...).
    assert members(own, "bizSteps") == ["packing", "storing"]
    assert own.get(f"{BASE}/bizSteps/packing").status_code == 200
    assert own.get(f"{BASE}/bizSteps/receiving").status_code == 404
    assert members(login(outsider), "bizSteps") == []

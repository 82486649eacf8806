"""The API answers what its OpenAPI document (/api/openapi.json) says it answers."""

from __future__ import annotations

import pytest
import schemathesis
from schemathesis.core.failures import FailureGroup

from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.models import Role, ShipmentStatus


@pytest.fixture
def spec(client):
    return client.get("/api/openapi.json").json


@pytest.fixture
def contract(spec):
    return schemathesis.openapi.from_dict(spec)


def conforms(contract, method: str, path: str, response) -> None:
    """The response matches what the document says `method path` answers (status and body)."""
    try:
        contract[path][method].validate_response(response)
    except FailureGroup as failures:  # pragma: no cover - the message is the point
        pytest.fail("\n".join(str(f) for f in failures.exceptions))


def _walk(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def test_every_bound_in_the_document_is_a_number(spec):
    """`price_max` had `"minimum": "0"` (a string): an invalid OpenAPI document."""
    bad = [node for node in _walk(spec)
           for key in ("minimum", "maximum") if key in node
           and not isinstance(node[key], int | float)]
    assert bad == []


def test_a_422_body_is_the_documented_error(make, login, contract):
    """422 bodies carried `location`, which the documented error schema forbade."""
    farmer = make.user()
    make.producer(farmer)
    response = login(farmer).post("/api/v1/batches", json={"plot": 5},
                                  headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert response.json["location"] == "json"
    assert "plot" in response.json["errors"]
    conforms(contract, "POST", "/api/v1/batches", response)


def test_decimals_are_the_strings_the_document_says(make, login, contract, spec):
    """Decimals went out as JSON strings where the document said number."""
    carrier = make.user(Role.CARRIER)
    client = login(carrier)
    make.shipment(carrier=carrier, status=ShipmentStatus.PLANNED)
    for path in ("/api/v1/products", "/api/v1/places", "/api/v1/shipments"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.json, path
        conforms(contract, "GET", path, response)
    place = spec["components"]["schemas"]["Place"]["properties"]["latitude"]
    assert place["type"] == "string" and place["format"] == "decimal"
    assert isinstance(client.get("/api/v1/places").json[0]["latitude"], str)


def _batch_body(make, producer, **changes):
    body = {"producer_id": producer.id, "product_id": make.product().id,
            "plot_id": make.plot(producer).id,
            "harvest_date": today_in_china().isoformat(), "quantity": "12.5",
            "idempotency_key": "phone-7-0001"}
    return {k: v for k, v in (body | changes).items() if v is not None}


def test_a_reused_idempotency_key_with_another_body_is_a_conflict(make, login, contract):
    """The second, different batch was silently answered with the first one (200)."""
    farmer = make.user()
    producer = make.producer(farmer)
    client = login(farmer)
    first = client.post("/api/v1/batches", json=_batch_body(make, producer))
    assert first.status_code == 201
    replay = client.post("/api/v1/batches", json=_batch_body(make, producer))
    assert replay.status_code == 200
    assert replay.json["id"] == first.json["id"]
    other = client.post("/api/v1/batches", json=_batch_body(make, producer, quantity="30"),
                        headers={"Accept-Language": "en"})
    assert other.status_code == 409
    assert other.json["existing"]["id"] == first.json["id"]
    assert other.json["existing"]["quantity_g"] == 12500
    assert "idempotency_key" in other.json["errors"]
    conforms(contract, "POST", "/api/v1/batches", other)
    listed = client.get(f"/api/v1/batches?producer_id={producer.id}").json
    assert [b["id"] for b in listed] == [first.json["id"]]


@pytest.mark.parametrize("value", [0.5, 1e-9, "12.5", True])
def test_a_fractional_id_is_refused_not_truncated(make, login, value):
    """`producer_id: 12.5` was read as producer 12."""
    farmer = make.user()
    producer = make.producer(farmer)
    client = login(farmer)
    body = _batch_body(make, producer, idempotency_key=None)
    body["producer_id"] = value if not isinstance(value, float) else producer.id + value
    response = client.post("/api/v1/batches", json=body, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert "producer_id" in response.json["errors"]
    assert client.get(f"/api/v1/batches?producer_id={producer.id}").json == []


def test_a_whole_number_id_still_works_in_json_and_in_the_query(make, login):
    farmer = make.user()
    producer = make.producer(farmer)
    client = login(farmer)
    body = _batch_body(make, producer, producer_id=float(producer.id))
    assert client.post("/api/v1/batches", json=body).status_code == 201
    assert len(client.get(f"/api/v1/batches?producer_id={producer.id}").json) == 1


def test_a_new_order_and_its_listing_read_as_documented(make, login, session, contract):
    """A placed order's timestamps still to come are null, which the document did not allow."""
    from tests.platform.market_helpers import market

    m = market(make, session, price="3.50")
    client = login(m.buyer)
    body = {"site_id": m.site.id,
            "lines": [{"listing_id": m.listing.id, "quantity": "100", "unit": "jin"}]}
    placed = client.post("/api/v1/orders", json=body)
    assert placed.status_code == 201
    conforms(contract, "POST", "/api/v1/orders", placed)
    conforms(contract, "GET", "/api/v1/orders", client.get("/api/v1/orders"))
    conforms(contract, "GET", "/api/v1/listings", client.get("/api/v1/listings"))

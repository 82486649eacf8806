"""Input that used to answer 500: ids past 64 bits, huge numbers, dates before the
calendar anyone farms in, a lone surrogate, JSON nested thousands deep. Each is a 404 (path)
or a 422 naming the field (body, query), and nothing is written."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select
from werkzeug.routing import IntegerConverter

from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.models import Batch, Quote, ResidueTest, Role
from tests.platform.market_helpers import market

HUGE = 2**63  # one past the largest SQLite (and PostgreSQL bigint) integer
TODAY = today_in_china()


def _count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def _batch_body(producer, plot, product, **overrides):
    body = {"producer_id": producer.id, "product_id": product.id, "plot_id": plot.id,
            "harvest_date": (TODAY - dt.timedelta(days=1)).isoformat(), "quantity": "120",
            "unit": "jin"}
    body.update(overrides)
    return body


@pytest.mark.parametrize("value", [HUGE, 2**31])  # 2**31: past PostgreSQL's integer id columns
def test_every_get_with_an_id_past_64_bits_in_the_path_is_404(app, make, login, value):
    client = login(make.user(Role.ADMIN))
    rules = [rule for rule in app.url_map.iter_rules()
             if "GET" in rule.methods and any(isinstance(c, IntegerConverter)
                                              for c in rule._converters.values())]
    assert len(rules) > 20
    for rule in rules:
        url = rule.rule
        for name in rule.arguments:
            url = url.replace(f"<int:{name}>", str(value)).replace(f"<{name}>", "x")
        response = client.get(url)
        assert response.status_code == 404, (url, response.status_code)


def test_a_delete_with_an_id_past_the_id_columns_is_404_not_405(make, login):
    client = login(make.user())
    for path in ("/api/v1/tokens/2147483648", "/api/v1/cart/lines/2147483648"):
        assert client.delete(path).status_code == 404, path
    assert client.get("/api/v1/batches/2147483647").status_code == 404  # the largest id


def test_batch_lookup_past_64_bits_is_404(make, login):
    response = login(make.user()).get(f"/api/v1/batches/{HUGE}")
    assert response.status_code == 404


@pytest.mark.parametrize("field", ["producer_id", "product_id", "plot_id"])
def test_ids_past_64_bits_in_a_body_are_422_for_that_field(make, login, session, field):
    farmer = make.user()
    producer = make.producer(farmer)
    body = _batch_body(producer, make.plot(producer), make.product(), **{field: HUGE})

    response = login(farmer).post("/api/v1/batches", json=body)

    assert response.status_code == 422, response.json
    assert field in response.json["errors"]
    assert _count(session, Batch) == 0


def test_ids_past_64_bits_in_a_query_are_422(make, login):
    client = login(make.user())
    for query in ({"producer_id": HUGE}, {"product_id": str(HUGE)}):
        response = client.get("/api/v1/batches", query_string=query)
        assert response.status_code == 422, response.json
        assert set(query) <= set(response.json["errors"])


@pytest.mark.parametrize("quantity", [1e20, "1e20", "123456789012345678901234567890"])
def test_a_quantity_no_farm_harvests_is_422(make, login, session, quantity):
    farmer = make.user()
    producer = make.producer(farmer)
    body = _batch_body(producer, make.plot(producer), make.product(), quantity=quantity)

    response = login(farmer).post("/api/v1/batches", json=body)

    assert response.status_code == 422, response.json
    assert "quantity" in response.json["errors"]
    assert _count(session, Batch) == 0


def test_freight_of_1e123_is_422(make, login, session):
    m = market(make, session)
    buyer, farmer = login(m.buyer), login(m.farmer)
    asked = buyer.post("/api/v1/quote-requests", json={
        "product_id": m.listing.product_id, "quantity": "200", "unit": "jin",
        "delivery_date": (TODAY + dt.timedelta(days=3)).isoformat(), "site_id": m.site.id})
    assert asked.status_code == 201, asked.json
    offer = {"listing_id": m.listing.id, "price": "6.20", "unit": "kg", "freight": 1e123,
             "valid_until": (dt.datetime.now(dt.UTC) + dt.timedelta(hours=24)).isoformat()}

    response = farmer.post(f"/api/v1/quote-requests/{asked.json['id']}/quotes", json=offer)

    assert response.status_code == 422, response.json
    assert "freight" in response.json["errors"]
    assert _count(session, Quote) == 0


@pytest.mark.parametrize("harvest", ["0001-01-01", "1999-12-31"])
def test_a_harvest_before_2000_is_422(make, login, session, harvest):
    farmer = make.user()
    producer = make.producer(farmer)
    client = login(farmer)
    body = _batch_body(producer, make.plot(producer), make.product(), harvest_date=harvest)

    response = client.post("/api/v1/batches", json=body)

    assert response.status_code == 422, response.json
    assert "harvest_date" in response.json["errors"]
    assert _count(session, Batch) == 0
    batch = make.batch(producer)
    patched = client.patch(f"/api/v1/batches/{batch.id}", json={"harvest_date": harvest})
    assert patched.status_code == 422 and "harvest_date" in patched.json["errors"]


def test_a_residue_test_dated_in_the_year_270_is_422(make, login, session):
    farmer = make.user()
    batch = make.batch(make.producer(farmer))

    response = login(farmer).post("/api/v1/tests", json={
        "batch_id": batch.id, "method": "rapid", "result": "pass", "tester": "合作社检测室",
        "tested_on": "0270-02-04"})

    assert response.status_code == 422, response.json
    assert "tested_on" in response.json["errors"]
    assert _count(session, ResidueTest) == 0


def test_a_lone_surrogate_is_422_for_that_field(make, login, session):
    farmer = make.user()
    batch = make.batch(make.producer(farmer), variety="早熟")

    response = login(farmer).patch(f"/api/v1/batches/{batch.id}",
                                   data='{"variety": "\\ud800"}',
                                   content_type="application/json")

    assert response.status_code == 422, response.json
    assert "variety" in response.json["errors"]
    session.refresh(batch)
    assert batch.variety == "早熟"


def test_json_nested_5000_deep_is_refused_without_a_server_error(make, login):
    farmer = make.user()
    batch = make.batch(make.producer(farmer))
    deep = "[" * 5000 + "]" * 5000

    for method, url in (("patch", f"/api/v1/batches/{batch.id}"), ("post", "/api/v1/batches")):
        response = getattr(login(farmer), method)(
            url, data='{"variety": ' + deep + "}", content_type="application/json")
        assert response.status_code in (400, 422), response.status_code
        assert response.json["message"]


def test_nul_in_a_query_is_422(make, login):
    response = login(make.user()).get("/api/v1/batches", query_string={"q": "东\x00"})
    assert response.status_code == 422
    assert "q" in response.json["errors"]


@pytest.mark.parametrize("override", [{"harvest_date": "0001-01-01"}, {"quantity": "1e20"},
                                      {"producer_id": str(HUGE)}, {"harvest_date": "1999-12-31"}])
def test_the_batch_page_refuses_the_same_bounds(make, login, session, override):
    from tests.platform.page_helpers import batch_form

    farmer = make.user()
    producer = make.producer(farmer)

    response = login(farmer).post("/batches/new", data=batch_form(producer, make.product(),
                                                                  **override))

    assert response.status_code == 422
    assert _count(session, Batch) == 0


def test_pages_reading_a_number_from_the_query_treat_one_past_64_bits_as_no_number(make,
                                                                                  login):
    inspector = login(make.user(Role.INSPECTOR))
    records = inspector.get("/inspector/records", query_string={"batch_id": str(HUGE),
                                                                "lot": "FY000000-000000-000"})
    assert records.status_code == 422  # no batch_id: the lot is looked up, and is unknown
    assert "没有这个批次码" in records.get_data(as_text=True)
    for url in ("/inspector/batches", "/notices"):
        assert inspector.get(url, query_string={"page": str(HUGE)}).status_code == 200


@pytest.mark.parametrize("days_ahead", [366, 2900 * 365])
def test_a_delivery_more_than_a_year_ahead_is_422(make, login, session, days_ahead):
    from freshcircle.platform.models import QuoteRequest

    m = market(make, session)
    day = TODAY + dt.timedelta(days=min(days_ahead, (dt.date(9967, 11, 28) - TODAY).days))

    response = login(m.buyer).post("/api/v1/quote-requests", json={
        "product_id": m.listing.product_id, "quantity": "200", "unit": "jin",
        "delivery_date": day.isoformat(), "site_id": m.site.id})

    assert response.status_code == 422, response.json
    assert "delivery_date" in response.json["errors"]
    assert _count(session, QuoteRequest) == 0


def _resolve(spec, schema):
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _integer_inputs(spec):
    """(method, path, location, field) for every integer a client sends: query or body."""
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            for param in operation.get("parameters", []):
                if param["in"] == "query" and param.get("schema", {}).get("type") == "integer":
                    yield method, path, "query", param["name"]
            body = operation.get("requestBody", {}).get("content", {})
            schema = body.get("application/json", {}).get("schema")
            if schema:
                for name, prop in _resolve(spec, schema).get("properties", {}).items():
                    if _resolve(spec, prop).get("type") == "integer" and not prop.get("readOnly"):
                        yield method, path, "json", name


def _required_headers(operation) -> dict[str, str]:
    """A valid value for each header the operation requires (an upload's Idempotency-Key)."""
    return {p["name"]: "bounds-test-key" for p in operation.get("parameters", [])
            if p["in"] == "header" and p.get("required")}


def test_every_integer_a_client_sends_is_bounded_in_every_operation(make, login, session):
    client = login(make.user(Role.ADMIN))
    spec = client.get("/api/openapi.json").json
    inputs = list(_integer_inputs(spec))
    assert len(inputs) > 30
    for method, path, location, name in inputs:
        url = re.sub(r"\{[^}]+\}", "1", path if path.startswith("/api") else "/api" + path)
        kwargs = ({"query_string": {name: str(HUGE)}} if location == "query"
                  else {"json": {name: HUGE}})
        headers = _required_headers(spec["paths"][path][method])
        response = getattr(client, method)(url, headers=headers, **kwargs)
        assert response.status_code != 500, (method, url, name)
        if response.status_code == 422:
            assert name in response.json["errors"], (method, url, name, response.json)


def _bad_value(prop):
    """A value past the platform's bounds for this kind of field, or None."""
    kind, fmt = prop.get("type"), prop.get("format")
    if kind == "number" or fmt == "decimal":
        return 1e123
    if fmt == "date":
        return "0270-02-04"
    if fmt == "date-time":
        return "0270-02-04T00:00:00+08:00"
    if kind == "string" and "enum" not in prop:
        return "东地块\u000b2号"
    return None


def test_every_number_date_and_text_a_client_sends_is_checked_in_every_operation(make, login):
    client = login(make.user(Role.ADMIN))
    spec = client.get("/api/openapi.json").json
    cases = 0
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            body = operation.get("requestBody", {}).get("content", {})
            schema = body.get("application/json", {}).get("schema") if method != "get" else None
            properties = _resolve(spec, schema).get("properties", {}) if schema else {}
            params = [(p["name"], p.get("schema", {}), "query")
                      for p in operation.get("parameters", []) if p["in"] == "query"]
            for name, prop, location in [*((n, _resolve(spec, p), "json")
                                           for n, p in properties.items()), *params]:
                value = _bad_value(prop)
                if value is None or prop.get("readOnly"):
                    continue
                url = re.sub(r"\{[^}]+\}", "1", path)
                kwargs = ({"query_string": {name: str(value)}} if location == "query"
                          else {"json": {name: value}})
                response = getattr(client, method)(url, headers=_required_headers(operation),
                                                   **kwargs)
                cases += 1
                assert response.status_code == 422, (method, url, name, response.status_code)
                assert name in response.json["errors"], (method, url, name, response.json)
    assert cases > 100

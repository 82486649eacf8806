"""The API's shared behaviour: OpenAPI document, offline docs, error bodies, CSRF, tokens."""

from __future__ import annotations

from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.models import Role


def test_openapi_document_lists_the_resources(client):
    spec = client.get("/api/openapi.json").json
    assert spec["openapi"].startswith("3.")
    paths = spec["paths"]
    assert "/api/v1/batches" in paths
    assert "/api/v1/batches/{batch_id}/status" in paths
    summary = paths["/api/v1/batches"]["post"]["summary"]
    assert summary.startswith("Register a batch")


def test_docs_page_serves_its_own_assets(client):
    page = client.get("/api/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/api/docs/assets/swagger-ui-bundle.js" in html
    assert "//cdn" not in html and "unpkg" not in html
    with client.get("/api/docs/assets/swagger-ui-bundle.js") as asset:
        assert asset.status_code == 200
        assert b"SwaggerUIBundle" in asset.get_data()


def test_unknown_api_path_is_json_in_chinese(client):
    response = client.get("/api/v1/nothing-here", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert response.status_code == 404
    assert response.is_json
    assert response.json["message"] == "未找到。"


def test_unknown_page_is_html(client):
    response = client.get("/nothing-here")
    assert response.status_code == 404
    assert response.mimetype == "text/html"


def test_unknown_json_field_is_rejected_by_name(make, login):
    farmer = make.user()
    producer = make.producer(farmer)
    body = {"producer_id": producer.id, "product_id": make.product().id, "plot": "A",
            "harvest_date": today_in_china().isoformat(), "quantity": "1", "qantity": "2"}
    response = login(farmer).post("/api/v1/batches", json=body,
                                  headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert response.json["errors"]["qantity"] == ["Unknown field."]


def test_browser_session_needs_csrf_token_for_api_writes(app, make, login, monkeypatch):
    farmer = make.user()
    producer = make.producer(farmer)
    client = login(farmer)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    body = {"producer_id": producer.id, "product_id": make.product().id, "plot": "A",
            "harvest_date": today_in_china().isoformat(), "quantity": "1"}
    response = client.post("/api/v1/batches", json=body)
    assert response.status_code == 400
    assert response.json["message"]


def test_inspector_role_is_checked_per_endpoint(make, login):
    carrier = make.user(Role.CARRIER)
    assert login(carrier).get("/api/v1/batches").status_code == 403


def test_every_operation_has_a_summary(client):
    spec = client.get("/api/openapi.json").json
    missing = [
        f"{method.upper()} {path}"
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        if isinstance(operation, dict) and "responses" in operation and not operation.get("summary")
    ]
    assert missing == []


def test_every_endpoint_refuses_anonymous_callers(app, client):
    """Walk the URL map: each /api/v1 route answers 401 to a caller with no session or token."""
    open_routes = {("POST", "/api/v1/tokens")}
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path = rule.rule
        for name in rule.arguments:
            path = path.replace(f"<int:{name}>", "1").replace(f"<{name}>", "1")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if (method, rule.rule) in open_routes:
                continue
            response = client.open(path, method=method, json={})
            assert response.status_code == 401, f"{method} {rule.rule} -> {response.status_code}"
            checked += 1
    assert checked >= 30

"""API tokens: issued with mobile number and password, shown once, listed, revoked."""

from __future__ import annotations

from sqlalchemy import func, select

from freshcircle.platform.models import ApiToken, Role
from tests.factories import PASSWORD


def _issue(client, user, name="温度记录仪", password=PASSWORD):
    return client.post("/api/v1/tokens",
                       json={"phone": user.phone, "password": password, "name": name})


def _bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_token_issued_without_session_and_works_as_bearer(app, make, client):
    farmer = make.user()

    response = _issue(client, farmer)

    assert response.status_code == 201, response.json
    body = response.json
    assert set(body) == {"id", "name", "token", "prefix", "created_at"}
    assert body["token"].startswith(body["prefix"])
    assert body["name"] == "温度记录仪"
    assert body["created_at"].endswith("+00:00")
    fresh = app.test_client()  # no cookies at all: the token alone signs the request in
    listed = fresh.get("/api/v1/tokens", headers=_bearer(body["token"]))
    assert listed.status_code == 200
    assert [t["id"] for t in listed.json] == [body["id"]]


def test_phone_may_be_typed_with_spaces(make, client):
    make.user(phone="13912345678")
    response = client.post("/api/v1/tokens",
                           json={"phone": "139 1234 5678", "password": PASSWORD})
    assert response.status_code == 201
    assert response.json["name"] == "api"


def test_wrong_password_is_401_json_and_writes_nothing(make, client, session):
    farmer = make.user()

    response = _issue(client, farmer, password="not-the-password")
    unknown = client.post("/api/v1/tokens", json={"phone": "13700000000", "password": PASSWORD},
                          headers={"Accept-Language": "en"})

    assert response.status_code == 401
    assert response.json["message"]
    assert unknown.status_code == 401
    assert unknown.json["message"] == "Wrong mobile number or password."
    assert session.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_inactive_user_gets_no_token(make, client):
    farmer = make.user()
    farmer.active = False
    make.session.commit()
    assert _issue(client, farmer).status_code == 401


def test_missing_fields_are_named(client):
    response = client.post("/api/v1/tokens", json={"phone": "13800000000"},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert response.json["errors"]["password"] == ["Missing data for required field."]


def test_list_shows_only_my_tokens_and_never_the_secret(make, client, login):
    farmer, other = make.user(), make.user()
    _issue(client, farmer, name="一号")
    _issue(client, farmer, name="二号")
    _issue(client, other, name="别人的")

    listed = login(farmer).get("/api/v1/tokens")

    assert listed.status_code == 200
    assert [t["name"] for t in listed.json] == ["二号", "一号"]
    assert all("token" not in t for t in listed.json)
    assert all(t["revoked_at"] is None for t in listed.json)


def test_revoked_token_gets_401(app, make, client):
    carrier = make.user(Role.CARRIER)
    issued = _issue(client, carrier).json
    headers = _bearer(issued["token"])
    api = app.test_client()

    assert api.delete(f"/api/v1/tokens/{issued['id']}", headers=headers).status_code == 204

    after = api.get("/api/v1/tokens", headers=headers)
    assert after.status_code == 401
    assert after.json["message"]


def test_revoking_twice_is_409_and_others_tokens_403(make, client, login):
    farmer, stranger = make.user(), make.user()
    issued = _issue(client, farmer).json
    own = login(farmer)

    assert login(stranger).delete(f"/api/v1/tokens/{issued['id']}").status_code == 403
    assert own.delete(f"/api/v1/tokens/{issued['id']}").status_code == 204
    again = own.delete(f"/api/v1/tokens/{issued['id']}")
    assert again.status_code == 409
    assert again.json["message"]
    assert own.delete("/api/v1/tokens/999999").status_code == 404


def test_anonymous_cannot_list_tokens(client):
    response = client.get("/api/v1/tokens")
    assert response.status_code == 401
    assert client.get("/api/v1/tokens", headers=_bearer("fc_made-up")).status_code == 401


def test_tokens_need_no_csrf_token_even_with_csrf_on(app, make, client, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    issued = _issue(client, make.user())
    assert issued.status_code == 201
    revoke = client.delete(f"/api/v1/tokens/{issued.json['id']}",
                           headers=_bearer(issued.json["token"]))
    assert revoke.status_code == 204

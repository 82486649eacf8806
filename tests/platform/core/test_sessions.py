"""Signing out, changing or resetting a password and deactivation end every earlier sign-in:
old session cookies and remember tokens replayed from another browser open nothing."""

from __future__ import annotations

from freshcircle.platform.models import Role


def _cookies(client) -> dict[str, str]:
    return {name: client.get_cookie(name).value
            for name in ("session", "remember_token") if client.get_cookie(name)}


def _replay(app, cookies: dict[str, str]):
    thief = app.test_client()
    for name, value in cookies.items():
        thief.set_cookie(name, value, domain="localhost")
    return thief


def _signed_in(app, client) -> bool:
    response = client.get("/orders")
    return response.status_code == 200


def test_old_cookies_stop_working_after_sign_out(make, login, app):
    buyer = make.user(Role.BUYER)
    client = login(buyer)
    cookies = _cookies(client)
    assert set(cookies) == {"session", "remember_token"}
    assert _signed_in(app, _replay(app, cookies))
    assert client.post("/logout").status_code == 302
    replayed = _replay(app, cookies).get("/orders")
    assert replayed.status_code == 302 and "/login" in replayed.location
    only_remember = _replay(app, {"remember_token": cookies["remember_token"]}).get("/orders")
    assert only_remember.status_code == 302 and "/login" in only_remember.location


def test_each_sign_in_gets_a_new_remember_token_after_sign_out(make, login, app):
    buyer = make.user(Role.BUYER)
    first = login(buyer)
    first_token = _cookies(first)["remember_token"]
    first.post("/logout")
    second = login(buyer)
    assert _cookies(second)["remember_token"] != first_token
    assert _signed_in(app, second)

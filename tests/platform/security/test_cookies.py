"""Sign-in cookies: remember lasts 30 days at most; the session and remember cookies are
HttpOnly and SameSite=Lax, and Secure whenever the request came over HTTPS (plain HTTP in
development is the one exception, FRESHCIRCLE_COOKIE_SECURE=auto)."""

from __future__ import annotations

import datetime as dt
from email.utils import parsedate_to_datetime

import pytest

from tests.factories import PASSWORD


def _cookies(response) -> dict[str, dict[str, str]]:
    """Set-Cookie headers by cookie name: attribute (lower case) -> value ('' for flags)."""
    cookies = {}
    for header in response.headers.getlist("Set-Cookie"):
        first, *attributes = [part.strip() for part in header.split(";")]
        name = first.split("=", 1)[0]
        cookies[name] = {a.split("=", 1)[0].lower(): [*a.split("=", 1), ""][1]
                         for a in attributes}
    return cookies


def _sign_in(app, user, base_url="http://localhost"):
    client = app.test_client()
    response = client.post("/login", base_url=base_url,
                           data={"phone": user.phone, "password": PASSWORD})
    assert response.status_code == 302
    return _cookies(response)


def test_remember_lasts_thirty_days_at_most(app, make):
    cookies = _sign_in(app, make.user())
    expires = parsedate_to_datetime(cookies["remember_token"]["expires"])
    assert expires <= dt.datetime.now(dt.UTC) + dt.timedelta(days=30, minutes=1)


@pytest.mark.parametrize("name", ["session", "remember_token"])
def test_cookies_are_httponly_and_samesite_lax(app, make, name):
    cookie = _sign_in(app, make.user())[name]
    assert "httponly" in cookie
    assert cookie.get("samesite") == "Lax"


@pytest.mark.parametrize("name", ["session", "remember_token"])
def test_cookies_are_secure_over_https(app, make, name):
    assert "secure" in _sign_in(app, make.user(), base_url="https://localhost")[name]


@pytest.mark.parametrize("name", ["session", "remember_token"])
def test_plain_http_development_exception(app, make, monkeypatch, name):
    # auto (the default): a browser would not send a Secure cookie back over plain HTTP.
    assert "secure" not in _sign_in(app, make.user())[name]
    monkeypatch.setitem(app.config, "COOKIE_SECURE", "always")
    assert "secure" in _sign_in(app, make.user())[name]


def test_signed_in_over_https_stays_signed_in(app, make):
    user = make.user()
    client = app.test_client()
    client.post("/login", base_url="https://localhost",
                data={"phone": user.phone, "password": PASSWORD})
    assert client.get("/inputs", base_url="https://localhost").status_code == 200

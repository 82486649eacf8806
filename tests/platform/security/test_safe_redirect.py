"""Open redirect: every `next` (sign-in, language switch) stays on this site, and no `next`
gives a server error, however it is spelled."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.factories import PASSWORD

# Each of these reads as another host once a browser drops the tab / newline, or
# treats the backslash as a slash; the last ones put a header break or NUL in Location.
HOSTILE = [
    "/%09/evil.example",
    "/%0a/evil.example",
    "%09//evil.example",
    "%20//evil.example",
    "//evil.example",
    "/\\evil.example",
    "/%5Cevil.example",
    "https://evil.example/",
    "https:evil.example",
    "javascript:alert(1)",
    "/%0d%0a/x",
    "/%0d%0aSet-Cookie:%20a=b",
    "/%E2%80%A8/evil.example",
]


def _stays_here(response) -> None:
    assert response.status_code in (302, 303), response.status_code
    location = response.headers["Location"]
    parts = urlsplit(location)
    assert parts.netloc in ("", "localhost"), location
    assert "evil" not in location
    assert not any(ord(ch) < 0x20 for ch in location)


@pytest.mark.parametrize("target", HOSTILE)
def test_sign_in_next_never_leaves_the_site(make, client, target):
    user = make.user()
    response = client.post(f"/login?next={target}",
                           data={"phone": user.phone, "password": PASSWORD})
    _stays_here(response)


@pytest.mark.parametrize("target", HOSTILE)
def test_signed_in_login_page_next_never_leaves_the_site(make, login, target):
    _stays_here(login(make.user()).get(f"/login?next={target}"))


@pytest.mark.parametrize("target", HOSTILE)
def test_language_switch_next_never_leaves_the_site(client, target):
    _stays_here(client.get(f"/lang/zh?next={target}"))


@pytest.mark.parametrize("path", ["/login?next=/%00/x", "/lang/zh?next=/%00/x"])
def test_a_nul_in_next_is_refused_and_redirects_nowhere(client, path):
    """The input guard refuses a NUL anywhere in a request before any redirect is made."""
    response = client.get(path)
    assert response.status_code == 422
    assert "Location" not in response.headers


def test_a_path_on_this_site_is_still_followed(make, client):
    user = make.user()
    response = client.post("/login?next=/inputs?page=2",
                           data={"phone": user.phone, "password": PASSWORD})
    assert response.location.endswith("/inputs?page=2")
    assert client.get("/lang/en?next=/inputs").location.endswith("/inputs")


@pytest.mark.parametrize(("target", "safe"), [
    ("/inputs", "/inputs"),
    ("/batches/3?tab=events#x", "/batches/3?tab=events#x"),
    ("/\t/evil.example", None),
    ("//evil.example", None),
    ("\\\\evil.example", None),
    ("/\\evil.example", None),
    ("http://localhost/inputs", None),
    ("inputs", None),
    ("", None),
    (None, None),
    ("/\r\n/x", None),
    ("/a\u2028b", "/ab"),
])
def test_safe_redirect_target(target, safe):
    from freshcircle.platform.web.redirects import safe_redirect_target

    assert safe_redirect_target(target) == safe

"""Brute force: failed sign-ins are limited per mobile number (10 in 15 minutes) and per
network (50; smaller here), page and API together; past the limit even the right password
gets 429 with the wait in Chinese and Retry-After. Across two app processes the counts are
shared through Redis (test_two_processes_share_the_count, in test_sign_in_limits_processes.py).
"""

from __future__ import annotations

import pytest

from freshcircle.platform import create_app
from freshcircle.platform.extensions import db
from tests.factories import PASSWORD
from tests.platform.page_helpers import text

WRONG = "not-the-password"


@pytest.fixture(scope="module")
def limited_app(database_url):
    app = create_app({
        "TESTING": True, "SECRET_KEY": "limits-test", "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False, "SERVER_NAME": "localhost",
        "SIGNING_KEYS": "t1=dGVzdC1zaWduaW5nLWtleS0zMi1ieXRlcy1sb25nISE",
        "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://",
        "SIGN_IN_FAILURES_PER_NETWORK": 15,
    })
    from tests.conftest import FreshContextClient

    app.test_client_class = FreshContextClient
    yield app
    _close(app)


def _close(app) -> None:
    """Close the app's own pool: left to the garbage collector, psycopg warns (ResourceWarning)
    in whatever test runs then, and filterwarnings=error fails that test."""
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def limited(limited_app):
    limiter = limited_app.extensions.get("sign_in_limiter")
    if limiter is not None:
        limiter.reset()
    return limited_app


def _client(app, address="203.0.113.7"):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _page(client, phone, password=WRONG):
    return client.post("/login", data={"phone": phone, "password": password})


def _api(client, phone, password=WRONG):
    return client.post("/api/v1/tokens", json={"phone": phone, "password": password})


def test_ten_wrong_passwords_then_even_the_right_one_waits(limited, make):
    user = make.user()
    client = _client(limited)
    for _ in range(10):
        assert _page(client, user.phone).status_code == 401
    refused = _page(client, user.phone, PASSWORD)
    assert refused.status_code == 429
    wait = int(refused.headers["Retry-After"])
    assert 0 < wait <= 15 * 60
    assert f"请在 {-(-wait // 60)} 分钟后再试" in text(refused)
    assert f'value="{user.phone}"' in refused.get_data(as_text=True)
    # Another number from the same network is not held up by this one.
    other = make.user()
    assert _page(client, other.phone, PASSWORD).status_code == 302


def test_page_and_api_count_together_and_spacing_does_not_matter(limited, make):
    user = make.user()
    client = _client(limited)
    for n in range(10):
        send = _page if n % 2 else _api
        spelled = user.phone if n % 3 else f"{user.phone[:3]} {user.phone[3:7]} {user.phone[7:]}"
        assert send(client, spelled).status_code == 401
    refused = _api(client, user.phone, PASSWORD)
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 900
    body = refused.get_json()
    assert body["code"] == 429 and "分钟后再试" in body["message"]


def test_english_api_clients_get_the_wait_in_english(limited, make):
    user = make.user()
    client = _client(limited)
    for _ in range(10):
        _api(client, user.phone)
    refused = client.post("/api/v1/tokens", json={"phone": user.phone, "password": PASSWORD},
                          headers={"Accept-Language": "en"})
    assert refused.status_code == 429 and "minutes" in refused.get_json()["message"]


def test_a_network_is_limited_across_numbers(limited, make):
    users = [make.user() for _ in range(16)]
    for n, user in enumerate(users[:15]):  # from two addresses of one /24
        assert _page(_client(limited, f"198.51.100.{n + 1}"), user.phone).status_code == 401
    assert _page(_client(limited, "198.51.100.200"), users[15].phone, PASSWORD).status_code == 429
    # A client on another network signs in.
    assert _page(_client(limited, "198.51.101.5"), users[15].phone, PASSWORD).status_code == 302


def test_successful_sign_ins_are_not_counted(limited, make):
    user = make.user()
    for _ in range(12):
        assert _page(_client(limited), user.phone, PASSWORD).status_code == 302


def test_sign_in_works_when_redis_is_unreachable(database_url, make):
    app = create_app({
        "TESTING": True, "SECRET_KEY": "limits-test", "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False, "SIGNING_KEYS": "t1=dGVzdC1zaWduaW5nLWtleS0zMi1ieXRlcy1sb25nISE",
        "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0",
    })
    try:
        user = make.user()
        client = _client(app)
        assert _page(client, user.phone).status_code == 401
        assert _page(client, user.phone, PASSWORD).status_code == 302
    finally:
        _close(app)

"""A load balancer's questions: /healthz (the process answers) and /readyz (the database and,
when configured, Redis answer); a node whose database is gone is alive but not ready."""

from __future__ import annotations

import pytest

from freshcircle.platform import create_app
from tests.platform.security.processes import free_port

pytestmark = pytest.mark.no_db_isolation


def _app(database_url: str, redis_url: str | None = None):
    return create_app({"SECRET_KEY": "health-test", "SQLALCHEMY_DATABASE_URI": database_url,
                       "REDIS_URL": redis_url, "RATELIMIT_ENABLED": False})


def test_a_ready_node_says_ok_and_nothing_is_cached(app):
    client = app.test_client()
    for path in ("/healthz", "/readyz"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.json["status"] == "ok"
        assert response.headers["Cache-Control"] == "no-store"
    assert client.get("/readyz").json["checks"] == {"database": "ok"}


def test_a_node_whose_database_is_gone_lives_but_is_not_ready():
    closed = free_port()  # nothing listens there
    app = _app(f"postgresql+psycopg://postgres@127.0.0.1:{closed}/gone?connect_timeout=2")
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "checks": {"database": "unavailable"}}
    assert "127.0.0.1" not in response.get_data(as_text=True)  # names what, never where


def test_redis_is_checked_only_when_configured(tmp_path):
    database = "sqlite:///" + str(tmp_path / "health.db")
    answering = _app(database, "redis://127.0.0.1:6379/9").test_client().get("/readyz")
    assert answering.status_code == 200
    assert answering.json["checks"] == {"database": "ok", "redis": "ok"}

    gone = _app(database, f"redis://127.0.0.1:{free_port()}/0").test_client().get("/readyz")
    assert gone.status_code == 503
    assert gone.json["checks"] == {"database": "ok", "redis": "unavailable"}

"""`make serve`, the production server: gunicorn on a migrated database, refusing to start
without SECRET_KEY; behind a TLS proxy (X-Forwarded-Proto: https, FRESHCIRCLE_PROXY_COUNT=1)
the cookies are Secure and HSTS is sent; no version in the Server header."""

from __future__ import annotations

import os
import secrets
import subprocess

import pytest

from freshcircle.platform.wsgi import NotConfigured, production_app
from tests.platform.security.processes import (
    ROOT,
    environment,
    free_port,
    migrated_sqlite,
    request,
    running,
)

pytestmark = pytest.mark.no_db_isolation


def _serve_env(url: str, port: int, **extra: str) -> dict[str, str]:
    return environment(SECRET_KEY=secrets.token_hex(32), DATABASE_URL=url,
                       FRESHCIRCLE_BIND=f"127.0.0.1:{port}", FRESHCIRCLE_PROXY_COUNT="1",
                       WEB_CONCURRENCY="1", FLASK_DEBUG="1", **extra)


def _cookie(headers, name: str) -> str:
    return next(c for c in headers.get_all("Set-Cookie") or [] if c.startswith(name + "="))


def test_make_serve_behind_tls_sends_secure_cookies_and_hsts(tmp_path):
    url = migrated_sqlite(tmp_path / "serve.db")
    port = free_port()
    with running(["make", "-s", "serve"], _serve_env(url, port), port):
        status, headers, body = request("GET", port, "/login",
                                        headers={"X-Forwarded-Proto": "https"})
        assert status == 200 and "登录" in body
        assert headers["Strict-Transport-Security"].startswith("max-age=")
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        session = _cookie(headers, "session")
        assert "Secure" in session and "HttpOnly" in session and "SameSite=Lax" in session
        assert not any(ch.isdigit() for ch in headers.get("Server", ""))  # no version banner

        status, headers, _ = request("GET", port, "/static/app.css",
                                     headers={"X-Forwarded-Proto": "https"})
        assert status == 200 and "Strict-Transport-Security" in headers
        assert headers["X-Content-Type-Options"] == "nosniff"

        # Reached without the proxy's word (plain HTTP): no HSTS, no Secure.
        status, headers, _ = request("GET", port, "/login")
        assert "Strict-Transport-Security" not in headers
        assert "Secure" not in _cookie(headers, "session")
        # Debug is off although FLASK_DEBUG=1: an unknown page is the app's own 404.
        status, _, body = request("GET", port, "/no-such-page")
        assert status == 404 and "Traceback" not in body


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL"])
def test_gunicorn_refuses_to_start_without(tmp_path, missing):
    env = _serve_env("sqlite:///" + str(tmp_path / "x.db"), free_port())
    del env[missing]
    finished = subprocess.run(
        [str(ROOT / ".venv/bin/gunicorn"), "--config", "python:freshcircle.platform.gunicorn_conf",
         "freshcircle.platform.wsgi:production_app()"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert finished.returncode != 0
    assert missing in finished.stdout + finished.stderr


def test_make_serve_refuses_to_start_without_a_secret_key(tmp_path):
    env = _serve_env("sqlite:///" + str(tmp_path / "x.db"), free_port())
    del env["SECRET_KEY"]
    finished = subprocess.run(["make", "-s", "serve"], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=120)
    assert finished.returncode != 0 and "SECRET_KEY" in finished.stderr
    assert not (tmp_path / "x.db").exists()  # stopped before migrating anything


def test_a_short_secret_key_is_refused(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "short")
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    with pytest.raises(NotConfigured, match="SECRET_KEY"):
        production_app()


def test_production_app_has_debug_off(tmp_path, monkeypatch):
    url = migrated_sqlite(tmp_path / "debug.db")
    monkeypatch.setenv("SECRET_KEY", secrets.token_hex(32))
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("FLASK_DEBUG", "1")
    app = production_app()
    assert app.debug is False and app.config["DEBUG"] is False
    assert os.environ["FLASK_DEBUG"] == "1"

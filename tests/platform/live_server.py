"""The real app served by werkzeug in a thread on a free port, and a small HTTP client for
the tests that load it from several threads (SQLite reads under load, PostgreSQL faults)."""

from __future__ import annotations

import http.client
import threading
from contextlib import contextmanager
from dataclasses import dataclass


@contextmanager
def serving(app):
    """Serve `app` on 127.0.0.1 (a free port) in a thread; yields the port."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@dataclass
class Answer:
    status: int
    headers: dict
    body: bytes


def call(port: int, method: str, path: str, headers: dict | None = None,
         body: bytes | None = None, timeout: float = 30) -> Answer:
    """One request on a fresh connection (as separate clients would send them)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()},
                      response.read())
    finally:
        conn.close()


@contextmanager
def site(app):
    """Serve `app` as `serving` does; yields its base URL, and closes the app's database
    connections afterwards (the browser tests' apps each have their own SQLite file)."""
    from freshcircle.platform.extensions import db

    try:
        with serving(app) as port:
            yield f"http://127.0.0.1:{port}"
    finally:
        with app.app_context():
            db.engine.dispose()

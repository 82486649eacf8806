"""Real app processes for the tests that need more than one (sign-in limits across
processes, `make serve` under gunicorn): a migrated SQLite file, free ports, and a way to
wait until a server answers."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from flask_migrate import upgrade

from freshcircle.platform import create_app
from freshcircle.platform.extensions import db
from tests import factories

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def migrated_sqlite(path: Path, phone: str | None = None) -> str:
    """A SQLite URL of a database built by the migrations, with one farmer (the
    factories' password) when `phone` is given."""
    url = "sqlite:///" + str(path)
    app = create_app({"SECRET_KEY": "setup", "SQLALCHEMY_DATABASE_URI": url,
                      "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
        if phone:
            factories.Factory(db.session).user(phone=phone)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return url


def environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("FRESHCIRCLE_", "DATABASE_URL", "SECRET_KEY"))}
    env.update(extra)
    return env


@contextlib.contextmanager
def running(command: list[str], env: dict[str, str], port: int, timeout: float = 90):
    """Start `command` (in its own process group: make and its gunicorn stop together);
    yield once http://127.0.0.1:port answers; stop it afterwards."""
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise AssertionError(f"{command} exited: {process.stdout.read()}")
            try:
                request("GET", port, "/login")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        process.stdout.close()


def flask_run(port: int) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "freshcircle.platform:create_app", "run",
            "--host", "127.0.0.1", "--port", str(port), "--no-reload", "--no-debugger"]


def request(method: str, port: int, path: str, body: dict | None = None,
            headers: dict | None = None):
    """(status, headers as a message object, body text) of one request."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        payload = json.dumps(body).encode() if body is not None else None
        sent = {"Content-Type": "application/json"} if payload else {}
        connection.request(method, path, body=payload, headers={**sent, **(headers or {})})
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode("utf-8", "replace")
    finally:
        connection.close()

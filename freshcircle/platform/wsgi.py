"""The production entry point: `make serve` runs gunicorn on `production_app()`.

Refuses to start without SECRET_KEY (at least 32 characters: it signs sessions, remember
cookies and CSRF tokens, and a key generated into the instance folder would differ per
server) and without DATABASE_URL (the demo's SQLite file is no production database). Debug is
off whatever FLASK_DEBUG says. Behind a TLS proxy, FRESHCIRCLE_PROXY_COUNT=1 makes the app
trust its X-Forwarded-Proto/-For (security.py), so cookies are Secure and HSTS is sent.
"""

from __future__ import annotations

import gc
import os

from flask import Flask

from freshcircle.platform.app import create_app

MIN_SECRET_LENGTH = 32


class NotConfigured(SystemExit):
    """Stops the server before it serves anything, with the reason as the message."""


def check_environment() -> None:
    """Raise NotConfigured (a SystemExit with the reason) unless the environment holds what
    production needs; gunicorn_conf calls it in gunicorn's master, before any worker."""
    secret = os.environ.get("SECRET_KEY", "")
    if len(secret) < MIN_SECRET_LENGTH:
        raise NotConfigured(
            f"make serve needs SECRET_KEY in the environment, at least {MIN_SECRET_LENGTH} "
            "random characters (for example: python3 -c 'import secrets; "
            "print(secrets.token_hex(32))'); refusing to start.")
    if not os.environ.get("DATABASE_URL"):
        raise NotConfigured("make serve needs DATABASE_URL in the environment (the "
                            "PostgreSQL database to serve); refusing to start.")


def production_app() -> Flask:
    check_environment()
    app = create_app({"DEBUG": False, "TESTING": False, "PROPAGATE_EXCEPTIONS": False})
    app.debug = False
    # What exists now lives as long as the worker (the app, and ~460,000 objects of the
    # dictionaries pypinyin loads for the market search): kept out of the cyclic collector's
    # sight, a full collection takes ~1 ms instead of ~150 ms in the middle of a request.
    gc.freeze()
    return app

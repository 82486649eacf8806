"""Server-rendered pages (mobile-first, Chinese first)."""

from __future__ import annotations

from flask import Flask


def register_pages(app: Flask) -> None:
    from . import auth, home

    app.register_blueprint(auth.bp)
    app.register_blueprint(home.bp)

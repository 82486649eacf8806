"""One transaction per request: commit when the response succeeds, roll back otherwise.

Services only flush; this is the single place that commits (as indico and warehouse do).
"""

from __future__ import annotations

from flask import Flask

from freshcircle.platform.extensions import db


def init_app(app: Flask) -> None:
    @app.after_request
    def _commit(response):
        if response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
        return response

    @app.teardown_request
    def _rollback_on_error(exc):
        if exc is not None:
            db.session.rollback()

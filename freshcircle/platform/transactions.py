"""One transaction per request: commit when the response succeeds, roll back otherwise.

Services only flush; this is the single place that commits (as indico and warehouse do).

A database that cannot take the commit right now (SQLite busy past its timeout, a PostgreSQL
connection terminated or lost) answers 503 with Retry-After: nothing was saved and the client
may simply try again. Other database errors stay errors (500).

On SQLite, page and API reads (GET, HEAD, OPTIONS) run in a deferred transaction, which cannot
take the write lock once another writer went first. A read that writes anyway (the scan page
logs each scan) is marked `@write_lock_first`, and app.py's begin hook gives it BEGIN IMMEDIATE.
"""

from __future__ import annotations

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy.exc import DBAPIError

from freshcircle.platform.api_errors import busy_response, database_unavailable
from freshcircle.platform.core.services import accounts
from freshcircle.platform.extensions import db

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def write_lock_first(view):
    """Mark a view that writes even on GET: its transaction takes the write lock up front."""
    view.write_lock_first = True
    return view


def keep_changes_of_refusal() -> None:
    """Commit this request's changes although it answers 4xx: a refusal that itself changes
    state the client must see (a photo upload whose bytes were refused restarts from 0)."""
    g.keep_changes_of_refusal = True


def takes_write_lock() -> bool:
    """Whether a transaction beginning now should take SQLite's write lock up front.

    Requests that change things, GETs of views marked `write_lock_first`, the short write
    transactions this module runs after a request's commit, and work outside a request (jobs,
    commands, concurrent tests) take it and queue behind the busy timeout; other reads stay
    deferred and run side by side.
    """
    if not has_request_context() or request.method not in READ_METHODS:
        return True
    if g.get("write_transaction"):
        return True
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    return bool(getattr(view, "write_lock_first", False))


def _rollback_quietly() -> None:
    try:
        db.session.rollback()
    except DBAPIError:  # the connection is gone; the pool replaces it
        db.session.close()


def _record_token_uses() -> None:
    """Bearer tokens' last use, in a short write transaction after the request's own.

    A missed update (the database busy or gone) is acceptable; a failed request is not.
    """
    if not db.session.info.get(accounts.PENDING_TOKEN_USES):
        return
    g.write_transaction = True
    try:
        accounts.record_token_uses(db.session)
        db.session.commit()
    except DBAPIError:
        _rollback_quietly()
    finally:
        g.write_transaction = False


def init_app(app: Flask) -> None:
    @app.after_request
    def _commit(response):
        try:
            if response.status_code < 400 or (
                    response.status_code < 500 and g.get("keep_changes_of_refusal")):
                db.session.commit()
            else:
                db.session.rollback()
        except DBAPIError as error:
            _rollback_quietly()
            if not database_unavailable(error):
                raise
            return busy_response()
        _record_token_uses()
        return response

    @app.teardown_request
    def _rollback_on_error(exc):
        if exc is not None:
            _rollback_quietly()

"""Error responses: JSON for /api (messages in the requester's language), HTML pages elsewhere."""

from __future__ import annotations

import marshmallow as ma
from flask import jsonify, make_response, render_template, request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_smorest import Api
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, IntegrityError
from werkzeug.exceptions import HTTPException

from freshcircle.platform.core.services.errors import DomainError

GENERIC_MESSAGES = {
    400: _l("The request could not be understood."),
    401: _l("Sign in, or send a valid bearer token."),
    403: _l("You do not have permission to do this."),
    404: _l("Not found."),
    405: _l("This method is not allowed here."),
    409: _l("This conflicts with the current state of the record."),
    413: _l("The upload is too large."),
    422: _l("Some fields are not valid."),
    500: _l("Something went wrong on our side. Nothing was saved."),
}


def translate_messages(messages):
    """Translate every message string in a nested marshmallow/webargs error structure."""
    if isinstance(messages, dict):
        return {key: translate_messages(value) for key, value in messages.items()}
    if isinstance(messages, list | tuple):
        return [translate_messages(m) for m in messages]
    if isinstance(messages, str):
        return gettext(messages)  # marshmallow's own messages are in the catalog too
    if messages is None or isinstance(messages, bool | int | float):
        return messages
    return str(messages)  # a lazy translation string


class ErrorSchema(ma.Schema):
    """Every JSON error body, as documented in /api/openapi.json (documentation only)."""

    code = ma.fields.Integer(required=True, metadata={"description": "The HTTP status"})
    message = ma.fields.String(
        required=True, metadata={"description": "What went wrong, in the caller's language"})
    errors = ma.fields.Dict(
        keys=ma.fields.String(),
        metadata={"description": "Messages per field: {field: [message, ...]}; a nested "
                                 "field's messages are nested the same way"})
    location = ma.fields.String(
        metadata={"description": "Where the fields named in `errors` were sent: json, query, "
                                 "path, form, files or headers (only for request validation)"})


WEBARGS_LOCATIONS = {"json", "query", "form", "files", "headers", "cookies", "path", "view_args"}


def flatten_location(errors):
    """webargs nests field errors under the request location ({"json": {...}}); services do not.

    Clients get one shape, {"field": [messages]}, plus "location" when webargs named one.
    """
    if isinstance(errors, dict) and len(errors) == 1:
        (location, inner), = errors.items()
        if location in WEBARGS_LOCATIONS and isinstance(inner, dict):
            return inner, location
    return errors, None


def wants_json() -> bool:
    return request.path.startswith("/api")


def error_body(code: int, message, errors=None) -> dict:
    """The JSON error body (ErrorSchema), messages translated."""
    payload = {"code": code, "message": str(message)}
    if errors:
        errors, location = flatten_location(errors)
        payload["errors"] = translate_messages(errors)
        if location:
            payload["location"] = location
    return payload


def error_response(code: int, message, errors=None):
    if wants_json():
        return jsonify(error_body(code, message, errors)), code
    return render_template("error.html", code=code, message=str(message)), code


class FreshCircleApi(Api):
    """flask-smorest's Api, with error bodies that always carry a readable, translated message."""

    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error: HTTPException):
        code = error.code or 500
        data = getattr(error, "data", None) or {}
        errors = data.get("errors") or data.get("messages")
        message = data.get("message") or GENERIC_MESSAGES.get(code, error.name)
        if isinstance(error, CSRFError):
            message = _l("This form has expired or came from another site. Reload the page and "
                         "try again.")
        response, status = error_response(code, message, errors)
        if wants_json():
            for key, value in (data.get("headers") or {}).items():
                response.headers[key] = value
        return response, status


def handle_domain_error(error: DomainError):
    response, status = error_response(error.status_code, error.message, error.errors)
    retry_after = getattr(error, "retry_after", None)
    if retry_after:  # a quota: when to try again
        response = make_response(response, status)
        response.headers["Retry-After"] = str(retry_after)
    return response, status


def handle_integrity_error(error: IntegrityError):
    """A unique or foreign-key constraint caught what the services did not (usually a race)."""
    from freshcircle.platform.extensions import db  # extensions imports this module

    db.session.rollback()
    return error_response(
        409, _l("Someone else changed this record at the same time. Reload and try again.")
    )


RETRY_AFTER_SECONDS = 2
# SQLSTATE classes of a database that cannot serve now but may in a moment: connection
# exceptions, insufficient resources, operator intervention (pg_terminate_backend, shutdown).
UNAVAILABLE_SQLSTATE_CLASSES = ("08", "53", "57")


def database_unavailable(error: DBAPIError) -> bool:
    """Whether a database error means "busy or unreachable, try again" rather than a bug."""
    if error.connection_invalidated:
        return True
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate:
        return sqlstate[:2] in UNAVAILABLE_SQLSTATE_CLASSES
    message = str(error.orig).lower()
    return "database is locked" in message or "database is busy" in message  # SQLite


def busy_response():
    """503 with Retry-After: nothing was saved, the client may send the same request again."""
    body, status = error_response(503, _l("The server is busy. Please try again in a moment."))
    response = make_response(body, status)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def handle_database_busy(error: DBAPIError):
    """SQLite busy past its timeout, or a PostgreSQL connection terminated or lost: 503."""
    from freshcircle.platform.extensions import db  # extensions imports this module

    try:
        db.session.rollback()
    except DBAPIError:
        db.session.close()
    if not database_unavailable(error):
        raise error
    return busy_response()


def register_error_handlers(app) -> None:
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(IntegrityError, handle_integrity_error)
    app.register_error_handler(DBAPIError, handle_database_busy)

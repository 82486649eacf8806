"""The one check every request's text passes before any form, schema or service reads it:
no control characters but tab, newline and carriage return, no lone surrogates or
noncharacters (`core.services.text`), and JSON bodies nested at most `MAX_JSON_DEPTH` deep.

Paths (a 404: no record has such a key), query strings, form fields (pages and API) and JSON
bodies are all checked here, so a page that reads `request.form` itself is covered as much as
a WTForms form or a marshmallow schema. The answer is a 422 naming each field (a JSON body's
nested fields by their path), or a 400 for JSON too deep to read; nothing is written. A page's
form fields are refused by its form instead (web/forms.Form, the message under the field, the
form kept as filled in); a field no form takes is refused after the view, which rolls back.

`BoundedRequest` bounds what pages read with `request.args.get(..., type=int)` the way the
API's parser bounds integers (web/arguments.py).
"""

from __future__ import annotations

import json

from flask import Flask, Request, g, make_response, request
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import ImmutableMultiDict

from freshcircle.platform.core.services.text import forbidden_characters
from freshcircle.platform.web.arguments import MAX_INTEGER

MAX_JSON_DEPTH = 32


class TooDeep(ValueError):
    pass


def _message(chars: list[str]):
    return _l("Control characters (%(chars)s) cannot be saved; remove them and try again.",
              chars=", ".join(chars[:3]))


def _depth_checked(value, depth: int = 0):
    if depth > MAX_JSON_DEPTH:
        raise TooDeep
    if isinstance(value, dict):
        for item in value.values():
            _depth_checked(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _depth_checked(item, depth + 1)


def json_errors(value) -> dict | list | None:
    """Per-field errors for forbidden characters in a JSON value (marshmallow's shape)."""
    if isinstance(value, str):
        chars = forbidden_characters(value)
        return [_message(chars)] if chars else None
    if isinstance(value, dict):
        errors = {}
        for key, item in value.items():
            key_chars = forbidden_characters(key)
            error = [_message(key_chars)] if key_chars else json_errors(item)
            if error:
                errors[forbidden_key(key) if key_chars else key] = error
        return errors or None
    if isinstance(value, list):
        errors = {i: e for i, item in enumerate(value) if (e := json_errors(item))}
        return errors or None
    return None


def forbidden_key(key: str) -> str:
    """A field name holding forbidden characters, made safe to send back."""
    return key.encode("utf-8", "backslashreplace").decode("ascii", "backslashreplace")


def multidict_errors(values) -> dict:
    """Forbidden characters in a query string's or form's names and values."""
    errors = {}
    for key, value in values.items(multi=True):
        # A multipart part without a name arrives under the key None; no form reads it.
        chars = forbidden_characters(key or "") + forbidden_characters(value or "")
        if chars:
            errors[forbidden_key(key)] = [_message(chars)]
    return errors


def _json_body():
    """The parsed JSON body; None if absent or not JSON (the schema then says so)."""
    if not request.is_json:
        return None
    try:
        body = json.loads(request.get_data(cache=True))
    except RecursionError as error:
        raise TooDeep from error
    except ValueError:
        return None
    _depth_checked(body)
    return body


def refuse_forbidden_input():
    """before_request: a 422 naming each field with forbidden characters, 400 for deep JSON."""
    from freshcircle.platform.api_errors import error_response

    if forbidden_characters(request.path):  # /01/<gtin>/10/AB%00C: no record has such a key
        return error_response(404, _l("Not found."))
    errors = {}
    for location, values in (("query", request.args), ("form", request.form)):
        found = multidict_errors(values)
        if found:
            errors[location] = found
    try:
        body = _json_body()
    except TooDeep:
        return error_response(400, _l("The JSON body is nested too deeply (at most %(n)d "
                                      "levels).", n=MAX_JSON_DEPTH))
    found = json_errors(body) if body is not None else None
    if found:
        errors["json"] = found if isinstance(found, dict) else {"_schema": found}
    if not errors:
        return None
    if set(errors) == {"form"} and not request.path.startswith("/api/"):
        # A page: its form shows each message under the field it belongs to (web/forms.Form
        # takes them from here); what no form took is refused after the view (refuse_untaken).
        g.forbidden_form_fields = dict(errors["form"])
        return None
    names = ", ".join(str(key) for found in errors.values() for key in found)
    if len(errors) > 1:  # one shape for the client: fields at the top, as webargs' locations
        errors = {key: value for found in errors.values() for key, value in found.items()}
    return error_response(422, _l("Some fields hold control characters that cannot be saved: "
                                  "%(fields)s.", fields=names), errors)


def take_form_errors(name: str) -> list | None:
    """The guard's messages for the page form field `name`, taken (so not refused again)."""
    return getattr(g, "forbidden_form_fields", {}).pop(name, None)


def refuse_untaken(response):
    """after_request: a page whose form fields with forbidden characters no form took (a view
    reading request.form itself) is answered 422 instead, so its transaction rolls back."""
    from freshcircle.platform.api_errors import error_response

    left = getattr(g, "forbidden_form_fields", None)
    if not left or response.status_code >= 400:
        return response
    names = ", ".join(str(key) for key in left)
    return make_response(error_response(422, _l(
        "Some fields hold control characters that cannot be saved: %(fields)s.", fields=names),
        left))


def _bounded_int(value) -> int:
    number = int(value)
    if not -MAX_INTEGER <= number <= MAX_INTEGER:
        raise ValueError(f"{value!r} is no id, count or page")
    return number


class BoundedArgs(ImmutableMultiDict):
    """Query and form values where `.get(key, type=int)` is bounded like the API's integers:
    a number past PostgreSQL's integer is a failed conversion, so the page gets the default,
    as for "abc" (Werkzeug's documented behaviour), not an overflow in the database."""

    def get(self, key, default=None, type=None):  # noqa: A002 (Werkzeug's signature)
        return super().get(key, default, _bounded_int if type is int else type)


class BoundedRequest(Request):
    parameter_storage_class = BoundedArgs


def init_app(app: Flask) -> None:
    app.request_class = BoundedRequest
    app.before_request(refuse_forbidden_input)
    # after_request handlers run last-registered first: this one runs before
    # transactions.py's commit, which then rolls back the 422.
    app.after_request(refuse_untaken)


"""`@idempotent(blp)`: an API create operation that honours the `Idempotency-Key` header.

    @blp.post("")
    @idempotent(blp)
    @blp.arguments(InputCreateSchema)
    @blp.response(201, InputSchema)
    def create_input(data): ...

Without the header the operation is as before. With it (1–64 of A–Z a–z 0–9 _ . : -):
the first request runs and its answer is remembered in the same transaction as the record
(core/services/idempotency.py); the same request again answers the stored status and body with
`Idempotent-Replayed: true` and writes nothing; another request with that key is 409 with the
stored answer in `existing`. Two requests racing with one key: the loser's transaction is
rolled back (the unique key refuses its insert) and it answers the winner's record.
"""

from __future__ import annotations

import hashlib
import json
from functools import wraps

import marshmallow as ma
from flask import Response, jsonify, make_response, request
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from freshcircle.platform.api_errors import ErrorSchema, error_body
from freshcircle.platform.core.services import idempotency
from freshcircle.platform.extensions import db
from freshcircle.platform.web.api import actor

REPLAYED = "Idempotent-Replayed"


class IdempotencyHeaderSchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    idempotency_key = ma.fields.String(
        data_key=idempotency.HEADER, load_default=None,
        validate=ma.validate.Regexp(
            r"^[A-Za-z0-9_.:-]{1,64}$",
            error=_l("Use 1 to 64 letters, digits or _ . : - (a UUID fits).")),
        metadata={"description": "A key made by the client (a UUID) for this one record: "
                                 "sending the request again with it never stores a second "
                                 "record. Kept at least 30 days."})


class KeyConflictSchema(ErrorSchema):
    existing = ma.fields.Raw(metadata={"description": "The stored answer to the key's first "
                                                      "request (the record it created)"})


def _body() -> object:
    """The request body as data: JSON as parsed; a form with each file's SHA-256."""
    if request.mimetype == "multipart/form-data" or request.form:
        files = {}
        for name, upload in sorted(request.files.items(multi=True)):
            files.setdefault(name, []).append(
                [upload.filename, hashlib.sha256(upload.read()).hexdigest()])
            upload.seek(0)
        return {"form": sorted(request.form.items(multi=True)), "files": files}
    return request.get_json(silent=True)


def _replay(stored) -> Response:
    response = Response(stored.response_body, status=stored.status_code,
                        mimetype="application/json")
    response.headers[REPLAYED] = "true"
    return response


def _answer(stored, fingerprint: str):
    try:
        return _replay(idempotency.replayable(stored, fingerprint))
    except idempotency.KeyReused as reused:
        body = error_body(reused.status_code, reused.message, reused.errors)
        body["existing"] = json.loads(stored.response_body)
        return jsonify(body), reused.status_code


def idempotent(blp):
    """Document the header and the 409 on `blp`'s operation, and honour the key."""

    def decorate(view):
        @wraps(view)
        def wrapped(*args, idempotency_key=None, **kwargs):
            if idempotency_key is None:
                return view(*args, **kwargs)
            user = actor()
            fingerprint = idempotency.fingerprint(request.endpoint or "", kwargs, _body())
            stored = idempotency.find(db.session, user, idempotency_key)
            if stored is not None:
                return _answer(stored, fingerprint)
            response = make_response(view(*args, **kwargs))
            if not 200 <= response.status_code < 300:
                return response
            try:
                with db.session.begin_nested():
                    idempotency.remember(db.session, user, idempotency_key,
                                         request.endpoint or "", fingerprint,
                                         response.status_code, response.get_data(as_text=True))
            except IntegrityError:
                # Another request with this key committed first: ours is undone, theirs answers.
                db.session.rollback()
                return _answer(idempotency.find(db.session, user, idempotency_key), fingerprint)
            return response

        documented = blp.arguments(IdempotencyHeaderSchema, location="headers",
                                   as_kwargs=True)(wrapped)
        return blp.alt_response(
            409, schema=KeyConflictSchema,
            description="The Idempotency-Key was used for a different request: its record")(
            documented)

    return decorate

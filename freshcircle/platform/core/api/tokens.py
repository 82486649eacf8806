"""API tokens: issue one with a mobile number and password, list mine, revoke."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_smorest import Blueprint, abort

from freshcircle.platform.core.schemas.tokens import (
    IssuedTokenSchema,
    TokenRequestSchema,
    TokenSchema,
)
from freshcircle.platform.core.services import accounts
from freshcircle.platform.extensions import db
from freshcircle.platform.web.api import actor

blp = Blueprint("tokens", __name__, url_prefix="/tokens",
                description="Bearer tokens for machines (loggers, scripts)")


@blp.post("")
@blp.arguments(TokenRequestSchema)
@blp.response(201, IssuedTokenSchema)
@blp.alt_response(401, description="Wrong mobile number or password")
@blp.alt_response(429, description="Too many failed sign-ins for this mobile number or from this "
                  "network (page and API together); Retry-After gives the seconds to wait")
def issue_token(data):
    """Issue a bearer token for the account with this mobile number and password.

    Needs no session (and so no CSRF token). The plain token is in this response only;
    the server keeps a digest. Failed attempts are limited per mobile number and per network
    (10 and 50 in 15 minutes by default); past that even the right password gets 429.
    """
    user = accounts.authenticate(db.session, data["phone"], data["password"])
    if user is None:
        abort(401, message=_l("Wrong mobile number or password."),
              headers={"WWW-Authenticate": "Bearer"})
    token, plain = accounts.issue_token(db.session, user, data.get("name") or "api")
    return {"id": token.id, "name": token.name, "token": plain, "prefix": token.prefix,
            "created_at": token.created_at}


@blp.get("")
@blp.response(200, TokenSchema(many=True))
def list_tokens():
    """List my tokens, newest first (revoked ones too); never the tokens themselves."""
    return accounts.list_tokens(db.session, actor())


@blp.delete("/<int:token_id>")
@blp.response(204)
@blp.alt_response(409, description="Already revoked")
def revoke_token(token_id):
    """Revoke one of my tokens; requests that send it get 401 from now on."""
    accounts.revoke_token(db.session, actor(), token_id)

"""API token schemas: issuing with a mobile number and password, and listing."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from freshcircle.platform.web import fields
from freshcircle.platform.web.schemas import StrictSchema, optional_text, required_text


class TokenRequestSchema(StrictSchema):
    phone = required_text(20, metadata={"description": "The account's mobile number"})
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=256))
    name = optional_text(
        64, metadata={"description": "What the token is for, e.g. 'truck logger 皖K12345'"}
    )


class TokenSchema(ma.Schema):
    """A token as listed: never the token itself, only its first characters."""

    id = fields.Integer()
    name = fields.String()
    prefix = fields.String(metadata={"description": "First 8 characters, to tell tokens apart"})
    created_at = fields.AwareDateTime()
    last_used_at = fields.AwareDateTime(allow_none=True)
    revoked_at = fields.AwareDateTime(allow_none=True)


class IssuedTokenSchema(ma.Schema):
    """A new token; `token` is shown this once and cannot be read again."""

    id = fields.Integer()
    name = fields.String()
    token = fields.String(metadata={"description": "Send as 'Authorization: Bearer <token>'"})
    prefix = fields.String()
    created_at = fields.AwareDateTime()

"""Named query and subscription schemas (EPCIS 2.0 REST binding `/queries`): the query's
parameters are read by `services.epcis_query` (400 QueryParameterException), not here."""

from __future__ import annotations

import marshmallow as ma

from freshcircle.platform.web import fields


class NamedQuerySchema(ma.Schema):
    """`{"name": "myQuery", "query": {"EQ_bizStep": ["shipping"], ...}}`."""

    class Meta:
        ordered = True

    name = fields.String(required=True)
    query = fields.Dict(required=True, metadata={
        "description": "Query parameters of GET /events: each a string or a list of strings"})
    createdAt = fields.String(dump_only=True)  # the names are the standard's


class SubscriptionSchema(ma.Schema):
    """A webhook subscription: `dest`, `signatureToken`, `stream: true` or a `schedule`,
    `reportIfEmpty`, `initialRecordTime`. The token is never shown back."""

    class Meta:
        ordered = True

    subscriptionID = fields.String(dump_only=True)
    queryName = fields.String(dump_only=True)
    dest = fields.String(required=True, metadata={"description": "An http or https URL"})
    signatureToken = fields.String(load_only=True, metadata={
        "description": "Key of the GS1-Signature header (hex HMAC-SHA256 of the body)"})
    stream = fields.Boolean()
    schedule = fields.Dict(metadata={
        "description": "second, minute, hour, dayOfMonth, month, dayOfWeek (China time)"})
    reportIfEmpty = fields.Boolean()
    initialRecordTime = fields.String()
    createdAt = fields.String(dump_only=True)
    minRecordTime = fields.String(dump_only=True)
    lastNotifiedAt = fields.String(dump_only=True, allow_none=True)
    failedDeliveries = fields.Integer(dump_only=True)
    retryAt = fields.String(dump_only=True, allow_none=True)

"""EPCIS capture schemas: the documents themselves are checked against the official EPCIS 2.0
JSON Schema by the service, not by marshmallow; queries are read by `services.epcis_query`."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from freshcircle.platform.web import fields


class EpcisDocumentSchema(ma.Schema):
    """An EPCISDocument as JSON; every field passes through to schema validation."""

    class Meta:
        unknown = ma.INCLUDE


class CaptureJobSchema(ma.Schema):
    """A capture job (EPCIS 2.0 REST binding) and what FreshCircle stored."""

    class Meta:
        ordered = True

    captureID = fields.String()  # the names are the standard's
    createdAt = fields.String()
    finishedAt = fields.String(allow_none=True)
    running = fields.Boolean()
    success = fields.Boolean()
    captureErrorBehaviour = fields.String()
    errors = fields.List(fields.Dict(), metadata={
        "description": "RFC 7807 problems, one per event not captured"})
    captured = fields.Integer(metadata={"description": "Events stored by this job"})
    duplicates = fields.Integer(metadata={"description": "Events already stored (same hash)"})
    declared = fields.Integer(metadata={
        "description": "Error declarations kept against events already stored"})
    event_ids = fields.List(fields.String(allow_none=True), metadata={
        "description": "eventID of each event, in order: the sender's, else the event hash; "
                       "null for an event not captured"})


class CaptureJobsQuerySchema(ma.Schema):
    per_page = fields.Integer(data_key="perPage", load_default=30,
                              validate=validate.Range(min=1, max=200))
    next_page_token = fields.Integer(data_key="nextPageToken", validate=validate.Range(min=1))



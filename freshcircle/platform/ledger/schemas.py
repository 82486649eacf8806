"""EPCIS capture and query schemas (the documents themselves are checked against the official
EPCIS 2.0 JSON Schema by the service, not by marshmallow)."""

from __future__ import annotations

import datetime as dt

import marshmallow as ma
from flask_babel import lazy_gettext as _l
from marshmallow import validate

from freshcircle.platform.core.services.clock import CHINA
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


class DayOrTime(fields.Field):
    """An ISO date (a whole day in China time) or a date-time with a time zone."""

    default_error_messages = {
        "invalid": _l("Use a date (2026-11-26) or a date-time with a time zone."),
    }

    def _deserialize(self, value, attr, data, **kwargs):
        text = str(value)
        try:
            if len(text) == 10:
                return dt.date.fromisoformat(text)
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise self.make_error("invalid") from None
        if moment.tzinfo is None:
            raise self.make_error("invalid")
        return moment.astimezone(dt.UTC)


class EventQuerySchema(ma.Schema):
    lot = fields.String(validate=validate.Length(min=1, max=20))
    gtin = fields.String(validate=validate.Regexp(
        r"^\d{8}$|^\d{12,14}$", error=_l("A GTIN has 8, 12, 13 or 14 digits.")))
    date_from = DayOrTime(data_key="from", metadata={"description": "Events at or after"})
    date_to = DayOrTime(data_key="to", metadata={"description": "Events at or before"})
    biz_step = fields.String(data_key="bizStep", validate=validate.Length(min=1, max=160),
                             metadata={"description": "CBV name (shipping), harvesting or a URI"})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))

    @ma.post_load
    def _whole_days(self, data, **kwargs):
        """A date means the whole day in China: from its first to its last moment."""
        for key, days in (("date_from", 0), ("date_to", 1)):
            value = data.get(key)
            if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
                start = dt.datetime.combine(value + dt.timedelta(days=days), dt.time(),
                                            tzinfo=CHINA)
                data[key] = (start - dt.timedelta(microseconds=days)).astimezone(dt.UTC)
        return data

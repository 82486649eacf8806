"""EPCIS 2.0 events: capture documents, query events as an EPCISDocument."""

from __future__ import annotations

from flask import Response, current_app, json, request, url_for
from flask_smorest import Blueprint

from freshcircle.platform.extensions import db
from freshcircle.platform.ledger.schemas import (
    CaptureResultSchema,
    EpcisDocumentSchema,
    EventQuerySchema,
)
from freshcircle.platform.ledger.services import epcis_events, epcis_store
from freshcircle.platform.web.api import actor

blp = Blueprint("epcis", __name__, url_prefix="/epcis",
                description="EPCIS 2.0 events (capture and query)")
MEDIA_TYPES = ["application/json", "application/ld+json"]


@blp.post("/capture")
@blp.arguments(EpcisDocumentSchema)
@blp.response(201, CaptureResultSchema)
@blp.alt_response(403, description="An event is about a lot the caller may not record")
@blp.alt_response(409, description="An eventID already names another event")
@blp.alt_response(422, description="Not valid EPCIS 2.0: errors listed per event index")
def capture(document):
    """Capture an EPCISDocument: validated against the official schema, stored by event hash.

    All or nothing: one invalid event (422, `errors.events.<index>`), one event about a lot
    the caller may not write (403) or one whose eventID names another stored event (409)
    stores none. An event already stored counts as a duplicate; an error declaration of a
    stored event is kept against it (`declared`) and shown with it in queries. `event_ids`
    are the events' eventIDs: the sender's, else the EPCIS event hash.
    """
    return epcis_store.capture(db.session, actor(), document)


@blp.get("/events")
@blp.arguments(EventQuerySchema, location="query", as_kwargs=True)
@blp.response(200, description="An EPCISDocument (application/json or application/ld+json)")
def query_events(**filters):
    """Events by lot, GTIN, date range (`from`, `to`) and business step, oldest first.

    `limit` events a page (`page` from 1); a full page carries a `Link: <...>; rel="next"`.
    Only events the caller may see are listed: staff all, producer members their own lots,
    carriers the lots they carry; others' lots look the same as unknown ones.
    """
    config = epcis_events.epcis_config(current_app.extensions["trace_settings"])
    document = epcis_store.query_events(db.session, actor(), config, **filters)
    mimetype = request.accept_mimetypes.best_match(MEDIA_TYPES) or MEDIA_TYPES[0]
    response = Response(json.dumps(document), mimetype=mimetype)
    if len(document["epcisBody"]["eventList"]) == filters["limit"]:  # a full page: maybe more
        following = url_for(".query_events", **{**request.args, "page": filters["page"] + 1})
        response.headers["Link"] = f'<{following}>; rel="next"'
    return response


@blp.get("/events/<path:event_id>")
@blp.response(200, description="The event, JSON-LD with its @context")
@blp.alt_response(404, description="No event with this eventID that the caller may see")
def get_event(event_id: str):
    """One event by its eventID (`urn:uuid:...`, `ni:///sha-256;...`), with its error
    declaration when one was captured; corrective events resolve here too."""
    config = epcis_events.epcis_config(current_app.extensions["trace_settings"])
    body = epcis_store.get_event(db.session, actor(), config, event_id)
    mimetype = request.accept_mimetypes.best_match(MEDIA_TYPES) or MEDIA_TYPES[0]
    return Response(json.dumps(body), mimetype=mimetype)

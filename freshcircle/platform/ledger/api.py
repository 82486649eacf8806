"""EPCIS 2.0 events: capture documents (the REST binding's capture jobs), query events."""

from __future__ import annotations

from flask import Response, abort, current_app, json, request, url_for
from flask_babel import lazy_gettext as _l
from flask_smorest import Blueprint

from freshcircle.platform.api_errors import translate_messages
from freshcircle.platform.extensions import db
from freshcircle.platform.ledger.schemas import (
    CaptureJobSchema,
    CaptureJobsQuerySchema,
    EpcisDocumentSchema,
)
from freshcircle.platform.ledger.services import (
    capture_jobs,
    epcis_collections,
    epcis_events,
    epcis_query,
    epcis_store,
)
from freshcircle.platform.web.api import actor

blp = Blueprint("epcis", __name__, url_prefix="/epcis",
                description="EPCIS 2.0 events (capture and query)")
MEDIA_TYPES = ["application/json", "application/ld+json"]


@blp.post("/capture")
@blp.arguments(EpcisDocumentSchema)
@blp.response(202, CaptureJobSchema, headers={"Location": {
    "description": "The capture job: /api/v1/epcis/capture/{captureID}",
    "schema": {"type": "string"}}})
@blp.alt_response(400, description="Not an EPCISDocument, or a GS1 header this server cannot "
                                   "honour; nothing captured")
@blp.alt_response(403, description="An event is about a lot the caller may not record")
@blp.alt_response(413, description="More events than GS1-EPCIS-Capture-Limit")
def capture(document):
    """Capture an EPCISDocument (EPCIS 2.0 REST binding): 202 and the capture job.

    Headers: `GS1-EPCIS-Version` (2.0.x), `GS1-CBV-Version` (2.x), `GS1-Capture-Error-Behaviour`:
    `rollback` (the default: one event the schema refuses, or whose eventID names another
    event, stores none) or `proceed` (the others are stored). The job lists those events as
    RFC 7807 problems (`errors`, `instance` = the event's place in the document) and, beside
    the standard's fields, `captured`, `duplicates` (same event hash), `declared` (error
    declarations kept against stored events) and `event_ids` (the sender's eventID, else the
    event hash; null for an event not captured).
    """
    job = capture_jobs.capture(db.session, actor(), document, capture_jobs.Headers(
        request.headers.get("GS1-EPCIS-Version"), request.headers.get("GS1-CBV-Version"),
        request.headers.get("GS1-Capture-Error-Behaviour")))
    location = url_for(".capture_job", capture_id=job.capture_id)
    return capture_jobs.job_document(job), 202, {"Location": location}


@blp.get("/capture/<capture_id>")
@blp.response(200, CaptureJobSchema)
@blp.alt_response(404, description="No capture job of the caller's with this captureID")
def capture_job(capture_id: str):
    """A capture job of the caller's (staff: anyone's)."""
    return capture_jobs.job_document(capture_jobs.get_job(db.session, actor(), capture_id))


@blp.get("/capture")
@blp.arguments(CaptureJobsQuerySchema, location="query", as_kwargs=True)
@blp.response(200, CaptureJobSchema(many=True))
def capture_jobs_list(per_page: int, next_page_token: int | None = None):
    """The caller's capture jobs, newest first; `perPage` a page, the next one in `Link`."""
    jobs = capture_jobs.list_jobs(db.session, actor(), per_page=per_page,
                                  after=next_page_token)
    headers = {}
    if len(jobs) == per_page:
        following = url_for(".capture_jobs_list", perPage=per_page, nextPageToken=jobs[-1].id)
        headers["Link"] = f'<{following}>; rel="next"'
    return [capture_jobs.job_document(job) for job in jobs], 200, headers


@blp.after_request
def _gs1_headers(response):
    """The versions every EPCIS answer speaks; the capture limits where a client looks."""
    response.headers["GS1-EPCIS-Version"] = capture_jobs.EPCIS_VERSION
    response.headers["GS1-CBV-Version"] = capture_jobs.CBV_VERSION
    if request.path.endswith("/capture") and (request.method == "OPTIONS"
                                              or response.status_code == 413):
        response.headers["GS1-EPCIS-Capture-Limit"] = str(capture_jobs.CAPTURE_LIMIT)
        response.headers["GS1-Capture-Error-Behaviour"] = ", ".join(capture_jobs.BEHAVIOURS)
        response.headers["GS1-EPCIS-Min"] = response.headers["GS1-EPCIS-Max"] = \
            capture_jobs.EPCIS_VERSION
    return response


@blp.get("/events")
@blp.doc(parameters=[{"in": "query", "name": name, "schema": {"type": "string"}}
                     for name in epcis_query.READERS])
@blp.response(200, description="An EPCISDocument (application/json or application/ld+json)")
@blp.alt_response(400, description="epcisException:QueryParameterException (RFC 7807): a "
                                   "parameter not supported or a value that cannot be read")
@blp.alt_response(413, description="epcisException:QueryTooLargeException (RFC 7807): more "
                                   "events match than maxEventCount")
def query_events():
    """Events (EPCIS 2.0 REST binding query): the standard's parameters and the platform's.

    Standard: `eventType`, `GE_`/`LT_eventTime`, `GE_`/`LT_recordTime`, `EQ_action`,
    `EQ_bizStep`, `EQ_disposition`, `EQ_readPoint`, `EQ_bizLocation`, `MATCH_epc`,
    `MATCH_anyEPC`, `MATCH_parentID`, `MATCH_inputEPC`, `MATCH_outputEPC`, `MATCH_epcClass`
    (and input, output, any), `EQ_bizTransaction_{type}`, `EQ_source_{type}`,
    `EQ_destination_{type}`, `EQ_eventID`, `EXISTS_errorDeclaration`, `orderBy` (eventTime,
    recordTime), `orderDirection`, `eventCountLimit`, `maxEventCount` (more matches: 413
    QueryTooLargeException); sensor data: `EQ_type`, `EQ_value_{uom}`, `GT_`/`GE_`/`LT_`/`LE_`
    + `value`/`minValue`/`maxValue`/`meanValue`/`sDev`/`percValue` + `_{uom}` (UN/CEFACT,
    converted: `GE_value_KEL` finds a report in CEL), `..._percRank`, `GE_`/`LT_` + `time`/
    `startTime`/`endTime`, `EQ_deviceID`, `EQ_dataProcessingMethod`, `EQ_microorganism`,
    `EQ_chemicalSubstance`, `EQ_bizRules`, `EQ_stringValue`, `EQ_hexBinaryValue`,
    `EQ_uriValue`, `EQ_booleanValue`, `EXISTS_sensorElementList` (the type, numbers and times
    hold for one sensor report); a list pipe-delimited, comma-separated or
    the parameter repeated; CBV values bare or as URIs, identifiers as EPC URNs or Digital
    Links. `perPage` events a page (30 unless asked), the next page in
    `Link: <...>; rel="next"` (`nextPageToken`). The platform's own: `lot`, `gtin`, `from`,
    `to` (a date is the whole day in China), `bizStep`, `limit` (= perPage), `page`. Oldest
    first unless `orderBy` says.
    Only events the caller may see are listed: staff all, producer members their own lots,
    carriers the lots they carry; others' lots look the same as unknown ones.
    """
    return _events(".query_events")


def _events(endpoint: str, **path: str) -> Response:
    """The events the query asks for, with the `Link` to the next page; `path` holds the
    collection resource's own filter (its parameter name -> value), ANDed with the query's."""
    args = request.args.to_dict(flat=False)
    given = [epcis_query.COLLECTIONS[name] for name in path
             if epcis_query.COLLECTIONS[name] in args]
    if given:
        raise epcis_query.QueryParameterException(errors={name: [
            _l("This resource already filters by it; leave it out of the query.")]
            for name in given})
    for name, value in path.items():
        args[epcis_query.COLLECTIONS[name]] = [value]
    config = epcis_events.epcis_config(current_app.extensions["trace_settings"])
    query = epcis_query.parse_query(args, config)
    page = epcis_query.query_events(db.session, actor(), config, query)
    mimetype = request.accept_mimetypes.best_match(MEDIA_TYPES) or MEDIA_TYPES[0]
    response = Response(json.dumps(page.document), mimetype=mimetype)
    if page.next_token or page.next_page:
        following = {**request.args.to_dict(flat=False), "nextPageToken": page.next_token,
                     "page": page.next_page}
        link = url_for(endpoint, **path, **{k: v for k, v in following.items() if v})
        response.headers["Link"] = f'<{link}>; rel="next"'
    return response


@blp.get("/eventTypes")
@blp.response(200, description="A Collection (JSON-LD) of the event types this repository "
                                "holds and can be queried by")
def event_types():
    """The EPCIS event types (REST binding `GET /eventTypes`): each one's events are at
    `/eventTypes/{eventType}/events`."""
    return _collection(epcis_query.event_types(actor()))


@blp.get("/eventTypes/<event_type>/events")
@blp.response(200, description="An EPCISDocument of the events of this type")
@blp.alt_response(400, description="epcisException:QueryParameterException")
@blp.alt_response(404, description="Not an event type of /eventTypes")
def event_type_events(event_type: str):
    """The events of one type (`eventType`), with any other query parameter of `/events`;
    a type that is not one of `/eventTypes` is no resource (404)."""
    if event_type not in epcis_query.EVENT_TYPES:
        abort(404)
    return _events(".event_type_events", event_type=event_type)


@blp.get("/eventTypes/<event_type>")
@blp.response(200, description="The event type's sub-resources (a Collection: `events`)")
@blp.alt_response(404, description="Not an event type of /eventTypes")
def event_type(event_type: str):
    """The sub-resources of one event type (HATEOAS discovery): its `events`."""
    if event_type not in epcis_query.event_types(actor()):
        abort(404)
    return _collection(["events"])


def _collection(members: list[str], link: str | None = None) -> Response:
    body = {"@context": epcis_query.COLLECTION_CONTEXT, "type": "Collection", "member": members}
    response = Response(json.dumps(body), mimetype=request.accept_mimetypes.best_match(
        MEDIA_TYPES) or MEDIA_TYPES[0])
    if link:
        response.headers["Link"] = f'<{link}>; rel="next"'
    return response


def _members(resource: str, endpoint: str) -> Response:
    """One page of a top-level collection, the next page in `Link`."""
    page = epcis_collections.collection_page(db.session, actor(), resource,
                                             request.args.to_dict(flat=False))
    link = page.next_token and url_for(endpoint, **{
        **request.args.to_dict(flat=False), "nextPageToken": page.next_token})
    return _collection(page.members, link)


def _sub_resources(path_name: str, value: str) -> Response:
    """`events`, for a value some event the caller may see has (else 404, as unknown)."""
    config = epcis_events.epcis_config(current_app.extensions["trace_settings"])
    if not epcis_collections.has_events(db.session, actor(), config,
                                        epcis_query.COLLECTIONS[path_name], value):
        abort(404)
    return _collection(["events"])


@blp.get("/epcs")
@blp.response(200, description="A Collection of EPCs (constrained GS1 Digital Links or URIs)")
@blp.alt_response(400, description="epcisException:QueryParameterException")
def epcs():
    """The EPCs the caller's events name (epcList, childEPCs, parentID, inputs, outputs), as
    `/events` matches them; `perPage`, `nextPageToken`."""
    return _members("epcs", ".epcs")


@blp.get("/epcs/<path:epc>")
@blp.response(200, description="The EPC's sub-resources (a Collection: `events`)")
@blp.alt_response(404, description="No event the caller may see names this EPC")
def epc(epc: str):
    """The sub-resources of one EPC (HATEOAS discovery): its `events`."""
    return _sub_resources("epc", epc)


@blp.get("/bizSteps")
@blp.response(200, description="A Collection of business steps (CBV bare, others as URIs)")
@blp.alt_response(400, description="epcisException:QueryParameterException")
def biz_steps():
    """The business steps of the caller's events; `perPage`, `nextPageToken`."""
    return _members("bizSteps", ".biz_steps")


@blp.get("/bizSteps/<path:biz_step>")
@blp.response(200, description="The business step's sub-resources (a Collection: `events`)")
@blp.alt_response(404, description="No event the caller may see has this business step")
def biz_step(biz_step: str):
    """The sub-resources of one business step (HATEOAS discovery): its `events`."""
    return _sub_resources("biz_step", biz_step)


@blp.get("/bizLocations")
@blp.response(200, description="A Collection of business locations (URIs)")
@blp.alt_response(400, description="epcisException:QueryParameterException")
def biz_locations():
    """The business locations of the caller's events; `perPage`, `nextPageToken`."""
    return _members("bizLocations", ".biz_locations")


@blp.get("/bizLocations/<path:biz_location>")
@blp.response(200, description="The location's sub-resources (a Collection: `events`)")
@blp.alt_response(404, description="No event the caller may see is at this location")
def biz_location(biz_location: str):
    """The sub-resources of one business location (HATEOAS discovery): its `events`."""
    return _sub_resources("biz_location", biz_location)


@blp.get("/readPoints")
@blp.response(200, description="A Collection of read points (URIs)")
@blp.alt_response(400, description="epcisException:QueryParameterException")
def read_points():
    """The read points of the caller's events; `perPage`, `nextPageToken`."""
    return _members("readPoints", ".read_points")


@blp.get("/readPoints/<path:read_point>")
@blp.response(200, description="The read point's sub-resources (a Collection: `events`)")
@blp.alt_response(404, description="No event the caller may see was read at this point")
def read_point(read_point: str):
    """The sub-resources of one read point (HATEOAS discovery): its `events`."""
    return _sub_resources("read_point", read_point)


@blp.get("/dispositions")
@blp.response(200, description="A Collection of dispositions (CBV bare, others as URIs)")
@blp.alt_response(400, description="epcisException:QueryParameterException")
def dispositions():
    """The dispositions of the caller's events; `perPage`, `nextPageToken`."""
    return _members("dispositions", ".dispositions")


@blp.get("/dispositions/<path:disposition>")
@blp.response(200, description="The disposition's sub-resources (a Collection: `events`)")
@blp.alt_response(404, description="No event the caller may see has this disposition")
def disposition(disposition: str):
    """The sub-resources of one disposition (HATEOAS discovery): its `events`."""
    return _sub_resources("disposition", disposition)


@blp.get("/epcs/<path:epc>/events")
@blp.response(200, description="An EPCISDocument of the events naming this EPC")
@blp.alt_response(400, description="epcisException:QueryParameterException")
def epc_events(epc: str):
    """The events that name this EPC or class anywhere (`MATCH_anyEPC`): an EPC URN or a GS1
    Digital Link, URL-encoded."""
    return _events(".epc_events", epc=epc)


@blp.get("/bizSteps/<path:biz_step>/events")
@blp.response(200, description="An EPCISDocument of the events of this business step")
@blp.alt_response(400, description="epcisException:QueryParameterException")
def biz_step_events(biz_step: str):
    """The events of one business step (`EQ_bizStep`: bare CBV name or its URI)."""
    return _events(".biz_step_events", biz_step=biz_step)


@blp.get("/bizLocations/<path:biz_location>/events")
@blp.response(200, description="An EPCISDocument of the events at this business location")
@blp.alt_response(400, description="epcisException:QueryParameterException")
def biz_location_events(biz_location: str):
    """The events at one business location (`EQ_bizLocation`), URL-encoded."""
    return _events(".biz_location_events", biz_location=biz_location)


@blp.get("/readPoints/<path:read_point>/events")
@blp.response(200, description="An EPCISDocument of the events read at this point")
@blp.alt_response(400, description="epcisException:QueryParameterException")
def read_point_events(read_point: str):
    """The events read at one point (`EQ_readPoint`), URL-encoded."""
    return _events(".read_point_events", read_point=read_point)


@blp.get("/dispositions/<path:disposition>/events")
@blp.response(200, description="An EPCISDocument of the events with this disposition")
@blp.alt_response(400, description="epcisException:QueryParameterException")
def disposition_events(disposition: str):
    """The events with one disposition (`EQ_disposition`: bare CBV name or its URI)."""
    return _events(".disposition_events", disposition=disposition)


@blp.errorhandler(epcis_query.QueryParameterException)
def _query_parameter_problem(error: epcis_query.QueryParameterException):
    """The REST binding's RFC 7807 problem, naming each parameter (`errors`)."""
    errors = translate_messages(error.errors)
    body = {"type": epcis_query.PROBLEM_TYPE, "title": str(error.message), "status": 400,
            "detail": "; ".join(f"{name}: {' '.join(messages)}"
                                for name, messages in errors.items()),
            "errors": errors}
    return Response(json.dumps(body), status=400, mimetype="application/problem+json")


@blp.errorhandler(epcis_query.QueryTooLargeException)
def _query_too_large_problem(error: epcis_query.QueryTooLargeException):
    """The REST binding's RFC 7807 problem for more matches than `maxEventCount` (413)."""
    body = {"type": epcis_query.TOO_LARGE_TYPE, "title": str(error.message), "status": 413,
            "detail": str(error.message)}
    return Response(json.dumps(body), status=413, mimetype="application/problem+json")


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

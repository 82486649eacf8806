"""EPCIS 2.0 named queries and subscriptions (REST binding `/queries`), on the EPCIS
blueprint of ledger/api.py (same prefix, GS1 headers and RFC 7807 problems).

Whose is what, and what a query sees: services/epcis_named_queries.py and
services/epcis_subscriptions.py.
"""

from __future__ import annotations

import datetime as dt

from flask import Response, current_app, json, request, url_for

from freshcircle.platform.extensions import db
from freshcircle.platform.ledger.api import MEDIA_TYPES, blp
from freshcircle.platform.ledger.query_schemas import NamedQuerySchema, SubscriptionSchema
from freshcircle.platform.ledger.services import (
    epcis_list_pages,
    epcis_named_queries,
    epcis_subscriptions,
)
from freshcircle.platform.ledger.services.epcis_events import epcis_config
from freshcircle.platform.web.api import actor


def _config():
    return epcis_config(current_app.extensions["trace_settings"])


@blp.post("/queries")
@blp.arguments(NamedQuerySchema)
@blp.response(201, NamedQuerySchema, headers={"Location": {
    "description": "The query: /api/v1/epcis/queries/{queryName}", "schema": {"type": "string"}}})
@blp.alt_response(400, description="epcisException:QueryParameterException: a parameter "
                                   "GET /events would refuse; nothing stored")
@blp.alt_response(409, description="The caller already has a query of this name")
def named_query_create(data):
    """Keep a named query (the caller's own: only they see, run and delete it)."""
    named = epcis_named_queries.create_query(db.session, actor(), _config(), data["name"],
                                             data["query"])
    location = url_for(".named_query", query_name=named.name)
    return epcis_named_queries.definition(named), 201, {"Location": location}


def _paged(items, key, endpoint: str, **values):
    """One page of a list (`perPage`, `nextPageToken`), the next one in `Link`."""
    page = epcis_list_pages.list_page(items, key, request.args.to_dict(flat=False))
    headers = {}
    if page.next_token:
        link = url_for(endpoint, **values, **{**request.args.to_dict(flat=False),
                                              "nextPageToken": page.next_token})
        headers["Link"] = f'<{link}>; rel="next"'
    return page.items, headers


@blp.get("/queries")
@blp.response(200, NamedQuerySchema(many=True))
@blp.alt_response(400, description="epcisException:QueryParameterException")
def named_queries():
    """The caller's named queries, by name; `perPage`, `nextPageToken` (next page in
    `Link`)."""
    items, headers = _paged(epcis_named_queries.list_queries(db.session, actor()),
                            lambda named: named.name, ".named_queries")
    return [epcis_named_queries.definition(named) for named in items], 200, headers


@blp.get("/queries/<query_name>")
@blp.response(200, NamedQuerySchema)
@blp.alt_response(404, description="The caller has no query of this name")
def named_query(query_name: str):
    """One of the caller's named queries."""
    return epcis_named_queries.definition(
        epcis_named_queries.get_query(db.session, actor(), query_name))


@blp.delete("/queries/<query_name>")
@blp.response(204)
@blp.alt_response(404, description="The caller has no query of this name")
def named_query_delete(query_name: str):
    """Delete one of the caller's named queries and every subscription to it."""
    epcis_named_queries.delete_query(db.session, actor(), query_name)


@blp.get("/queries/<query_name>/events")
@blp.response(200, description="An EPCISDocument: one page of the query's events")
@blp.alt_response(400, description="epcisException:QueryParameterException")
@blp.alt_response(404, description="The caller has no query of this name")
def named_query_events(query_name: str):
    """Run one of the caller's named queries with what the caller may see now; `perPage`
    events a page, the next one in `Link: <...>; rel="next"` (`nextPageToken`)."""
    page = epcis_named_queries.run_query(db.session, actor(), _config(), query_name,
                                         request.args.to_dict(flat=False))
    mimetype = request.accept_mimetypes.best_match(MEDIA_TYPES) or MEDIA_TYPES[0]
    response = Response(json.dumps(page.document), mimetype=mimetype)
    if page.next_token:
        link = url_for(".named_query_events", query_name=query_name, nextPageToken=page.next_token,
                       **{k: v for k, v in request.args.items() if k == "perPage"})
        response.headers["Link"] = f'<{link}>; rel="next"'
    return response


@blp.post("/queries/<query_name>/subscriptions")
@blp.arguments(SubscriptionSchema)
@blp.response(201, SubscriptionSchema, headers={"Location": {
    "description": "The subscription: /api/v1/epcis/queries/{queryName}/subscriptions/"
                   "{subscriptionID}", "schema": {"type": "string"}}})
@blp.alt_response(404, description="The caller has no query of this name")
@blp.alt_response(422, description="A field that cannot be used, named; nothing stored")
def subscription_create(data, query_name: str):
    """Subscribe a webhook to one of the caller's queries: `stream: true` (after every
    capture or platform event) or a `schedule`; the events are POSTed as an
    EPCISQueryDocument signed in `GS1-Signature` (hex HMAC-SHA256 with `signatureToken`)."""
    subscription = epcis_subscriptions.subscribe(db.session, actor(), query_name, data,
                                                 dt.datetime.now(dt.UTC))
    location = url_for(".subscription", query_name=query_name,
                       subscription_id=subscription.subscription_id)
    return epcis_subscriptions.describe(subscription), 201, {"Location": location}


@blp.get("/queries/<query_name>/subscriptions")
@blp.response(200, SubscriptionSchema(many=True))
@blp.alt_response(400, description="epcisException:QueryParameterException")
@blp.alt_response(404, description="The caller has no query of this name")
def subscriptions(query_name: str):
    """The subscriptions to one of the caller's queries, oldest first; `perPage`,
    `nextPageToken` (next page in `Link`)."""
    items, headers = _paged(
        epcis_subscriptions.list_subscriptions(db.session, actor(), query_name),
        lambda subscription: f"{subscription.id:012d}", ".subscriptions",
        query_name=query_name)
    return [epcis_subscriptions.describe(s) for s in items], 200, headers


@blp.get("/queries/<query_name>/subscriptions/<subscription_id>")
@blp.response(200, SubscriptionSchema)
@blp.alt_response(404, description="No such subscription to a query of the caller's")
def subscription(query_name: str, subscription_id: str):
    """One subscription: where it delivers, its position (`minRecordTime`), failures."""
    return epcis_subscriptions.describe(epcis_subscriptions.get_subscription(
        db.session, actor(), query_name, subscription_id))


@blp.delete("/queries/<query_name>/subscriptions/<subscription_id>")
@blp.response(204)
@blp.alt_response(404, description="No such subscription to a query of the caller's")
def subscription_delete(query_name: str, subscription_id: str):
    """Unsubscribe: nothing more is delivered."""
    epcis_subscriptions.unsubscribe(db.session, actor(), query_name, subscription_id)

"""Quotes (询价/报价): buyers ask, producers that list the product answer, buyers accept."""

from __future__ import annotations

from flask_smorest import Blueprint

from freshcircle.platform.extensions import db
from freshcircle.platform.market.schemas.quotes import (
    QuotedOrderSchema,
    QuoteInSchema,
    QuoteRequestInSchema,
    QuoteRequestSchema,
    QuoteSchema,
)
from freshcircle.platform.market.services import quotes
from freshcircle.platform.models import Place, Product, Role
from freshcircle.platform.web.api import actor, actor_with_role

blp = Blueprint("quotes", __name__, description="Quote requests (询价) and quotes (报价)")


def _shown(user, request):
    """The request with what the schema shows attached: product, site, the quotes `user` sees."""
    request.product_brief = db.session.get(Product, request.product_id)
    request.site_brief = db.session.get(Place, request.site_id)
    request.shown_quotes = quotes.visible_quotes(db.session, user, request)
    return request


@blp.post("/quote-requests")
@blp.arguments(QuoteRequestInSchema)
@blp.response(201, QuoteRequestSchema)
def create_request(data):
    """Ask for a quantity of a product at one of your sites by a date (buyers).

    The delivery date is tomorrow (China time) or later. Producers with an active listing of
    the product see the request and may answer it."""
    user = actor_with_role(Role.BUYER)
    return _shown(user, quotes.create_request(db.session, user, data)), 201


@blp.get("/quote-requests")
@blp.response(200, QuoteRequestSchema(many=True))
def list_requests():
    """A buyer's own requests (newest first); a producer's open requests for products it lists
    now (soonest delivery first)."""
    user = actor()
    return [_shown(user, r) for r in quotes.requests_for(db.session, user)]


@blp.get("/quote-requests/<int:request_id>")
@blp.response(200, QuoteRequestSchema)
def get_request(request_id):
    """One request: its buyer sees every quote, a producer only its own; others get 404."""
    user = actor()
    return _shown(user, quotes.get_request(db.session, user, request_id))


@blp.post("/quote-requests/<int:request_id>/quotes")
@blp.arguments(QuoteInSchema)
@blp.response(201, QuoteSchema)
@blp.alt_response(409, description="The request has a quote accepted or its date has passed")
def make_quote(data, request_id):
    """Answer a request from one of your active listings of the product (producers).

    The price is in 元 per `unit`; freight in 元 for the delivery; `valid_until` after now and
    at most 14 days ahead. The buyer gets a notice."""
    user = actor()
    request = quotes.get_request(db.session, user, request_id)
    return quotes.make_quote(db.session, user, request, data), 201


@blp.post("/quotes/<int:quote_id>/accept")
@blp.response(201, QuotedOrderSchema)
@blp.alt_response(409, description="Expired, withdrawn, another quote already accepted, or "
                                   "the listing no longer has the quantity")
def accept_quote(quote_id):
    """Accept a quote on your request: the order at the quoted price and freight.

    The quantity is reserved from the quoted listing as at checkout; the order starts
    confirmed. The other quotes on the request are withdrawn and the producer is told."""
    user = actor_with_role(Role.BUYER)
    quote = quotes.get_quote(db.session, user, quote_id)
    return quotes.accept(db.session, user, quote), 201

"""Standing demand (求购): buyers post weekly needs, matched producers see them and quote."""

from __future__ import annotations

from flask_smorest import Blueprint

from freshcircle.platform.demand.schemas.demands import DemandInSchema, DemandSchema
from freshcircle.platform.demand.services import demands
from freshcircle.platform.extensions import db
from freshcircle.platform.market.schemas.quotes import QuoteRequestSchema
from freshcircle.platform.market.services import quotes
from freshcircle.platform.models import Place, Product, Role
from freshcircle.platform.web.api import actor, actor_with_role

blp = Blueprint("demands", __name__, url_prefix="/demands",
                description="Standing demand (求购): weekly needs and the producers matched")


def _shown(user, demand):
    """The demand with the matches and quotes `user` may see attached."""
    demand.shown_matches = demands.visible_matches(db.session, user, demand)
    demand.shown_quotes = demands.demand_quotes(db.session, user, demand)
    return demand


@blp.get("")
@blp.response(200, DemandSchema(many=True))
def list_demands():
    """A buyer's own demands; the demands a producer is matched to; newest first."""
    user = actor()
    return [_shown(user, d) for d in demands.demands_for(db.session, user)]


@blp.post("")
@blp.arguments(DemandInSchema)
@blp.response(201, DemandSchema)
def create_demand(data):
    """Post a standing demand (buyers): product, grade, quantity per week, weeks, site,
    expected price or none (待报价), least shelf life on arrival.

    It is matched at once; matched producers' members get a notice."""
    user = actor_with_role(Role.BUYER)
    return _shown(user, demands.create_demand(db.session, user, data)), 201


@blp.get("/<int:demand_id>")
@blp.response(200, DemandSchema)
def get_demand(demand_id):
    """One demand: its buyer and admins see every match; a matched producer its own."""
    user = actor()
    return _shown(user, demands.get_demand(db.session, user, demand_id))


@blp.post("/<int:demand_id>/rematch")
@blp.response(200, DemandSchema)
def rematch(demand_id):
    """重新匹配 (the buyer, admins): matches computed again, new producers told."""
    user = actor()
    demand = demands.get_demand(db.session, user, demand_id)
    return _shown(user, demands.rematch(db.session, user, demand))


@blp.post("/<int:demand_id>/close")
@blp.response(200, DemandSchema)
def close(demand_id):
    """Close a demand (the buyer, admins)."""
    user = actor()
    demand = demands.get_demand(db.session, user, demand_id)
    return _shown(user, demands.close(db.session, user, demand))


@blp.post("/<int:demand_id>/quote-request")
@blp.response(201, QuoteRequestSchema)
def quote_request(demand_id):
    """The demand's 询价 for a matched producer to quote on (made if none is open).

    Quote on it with POST /quote-requests/{id}/quotes from one of your active listings of the
    product (409 when you have none)."""
    user = actor()
    demand = demands.get_demand(db.session, user, demand_id)
    request = demands.quote_request_for(db.session, user, demand)
    request.product_brief = db.session.get(Product, request.product_id)
    request.site_brief = db.session.get(Place, request.site_id)
    request.shown_quotes = quotes.visible_quotes(db.session, user, request)
    return request, 201

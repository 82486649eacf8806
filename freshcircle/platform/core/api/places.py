"""Places: list, read, add and edit the ends of shipments."""

from __future__ import annotations

from flask_smorest import Blueprint

from freshcircle.platform.core.schemas.places import (
    PlaceCreateSchema,
    PlaceQuerySchema,
    PlaceSchema,
    PlaceUpdateSchema,
)
from freshcircle.platform.core.services import places
from freshcircle.platform.extensions import db
from freshcircle.platform.web.api import SelectPage, actor

blp = Blueprint("places", __name__, url_prefix="/places",
                description="Farms, cold stores, hubs, buyer sites, markets and cities")


@blp.get("")
@blp.arguments(PlaceQuerySchema, location="query", as_kwargs=True)
@blp.response(200, PlaceSchema(many=True))
@blp.paginate(SelectPage)
def list_places(**filters):
    """List places by kind and Chinese name; filter by kind, name or producer."""
    return places.places_query(actor(), **filters)


@blp.post("")
@blp.arguments(PlaceCreateSchema)
@blp.response(201, PlaceSchema)
def create_place(data):
    """Add a place (admins; a producer's managers may add its farms and cold stores)."""
    return places.create_place(db.session, actor(), data)


@blp.get("/<int:place_id>")
@blp.response(200, PlaceSchema)
def get_place(place_id):
    """One place with its coordinates and administrative division."""
    return places.get_place(db.session, actor(), place_id)


@blp.patch("/<int:place_id>")
@blp.arguments(PlaceUpdateSchema)
@blp.response(200, PlaceSchema)
def update_place(changes, place_id):
    """Edit a place (admins; a producer's managers edit its farms and cold stores)."""
    user = actor()
    return places.update_place(db.session, user, places.get_place(db.session, user, place_id),
                               changes)

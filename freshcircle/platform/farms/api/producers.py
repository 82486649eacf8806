"""Producers: list, register, read, edit profiles, add and remove members."""

from __future__ import annotations

from flask import request
from flask_smorest import Blueprint

from freshcircle.platform.core.services import account_management
from freshcircle.platform.extensions import db
from freshcircle.platform.farms.schemas.producers import (
    MemberAddSchema,
    MembershipSchema,
    ProducerCreateSchema,
    ProducerQuerySchema,
    ProducerSchema,
    ProducerUpdateSchema,
)
from freshcircle.platform.farms.services import producers
from freshcircle.platform.web.api import Listing, SelectPage, actor

blp = Blueprint("producers", __name__, url_prefix="/producers",
                description="Family farms and cooperatives")


@blp.get("")
@blp.arguments(ProducerQuerySchema, location="query", as_kwargs=True)
@blp.response(200, ProducerSchema(many=True))
@blp.paginate(SelectPage)
def list_producers(**filters):
    """List producer profiles by name; filter by county, name, or `mine`.

    Every signed-in user may read profiles; the contact phone is masked (138****5678) unless
    the reader is a member of the producer, an inspector or an admin.
    """
    user = actor()
    return Listing(producers.producers_query(user, **filters),
                   lambda rows: producers.profiles(db.session, user, rows))


@blp.post("")
@blp.arguments(ProducerCreateSchema)
@blp.response(201, ProducerSchema)
def create_producer(data):
    """Register a family farm or cooperative; a farmer who registers it becomes its manager."""
    user = actor()
    producer = producers.create_producer(db.session, user, data)
    return producers.profiles(db.session, user, [producer])[0]


@blp.get("/<int:producer_id>")
@blp.response(200, ProducerSchema)
def get_producer(producer_id):
    """One producer profile (contact phone masked for outsiders)."""
    user = actor()
    producer = producers.get_producer(db.session, producer_id)
    return producers.profiles(db.session, user, [producer])[0]


@blp.patch("/<int:producer_id>")
@blp.arguments(ProducerUpdateSchema)
@blp.response(200, ProducerSchema)
def update_producer(changes, producer_id):
    """Edit a producer's profile (its managers and admins only)."""
    user = actor()
    producer = producers.update_producer(
        db.session, user, producers.get_producer(db.session, producer_id), changes
    )
    return producers.profiles(db.session, user, [producer])[0]


@blp.post("/<int:producer_id>/members")
@blp.arguments(MemberAddSchema)
@blp.response(201, MembershipSchema)
@blp.alt_response(409, description="The last manager cannot step down")
def add_member(data, producer_id):
    """Add a registered farmer by mobile number, or change a member's role (managers only)."""
    user = actor()
    producer = producers.get_producer(db.session, producer_id)
    return producers.add_member(db.session, user, producer, data["phone"], data["role"])


@blp.delete("/<int:producer_id>/members/<int:user_id>")
@blp.response(204)
@blp.alt_response(404, description="No such producer, or the user is not its member")
@blp.alt_response(409, description="The last manager cannot be removed")
def remove_member(producer_id, user_id):
    """Remove a member (managers and admins); their access to its records ends at once."""
    producer = producers.get_producer(db.session, producer_id)
    account_management.remove_member(db.session, actor(), producer, user_id,
                                     request.remote_addr)

"""Plantings (种植计划) of a producer: list, record, read, change, season updates."""

from __future__ import annotations

from flask_smorest import Blueprint

from freshcircle.platform.contracts.services import shortfalls
from freshcircle.platform.extensions import db
from freshcircle.platform.plantings.schemas.plantings import (
    PlantingCreateSchema,
    PlantingSchema,
    PlantingUpdateSchema,
    SeasonUpdateCreateSchema,
    SeasonUpdateSchema,
)
from freshcircle.platform.plantings.services import plantings
from freshcircle.platform.web.api import actor
from freshcircle.platform.web.idempotency import idempotent

blp = Blueprint("plantings", __name__, url_prefix="",
                description="Plantings (种植计划): what a producer grows on its plots, and how "
                            "the season goes")


@blp.get("/producers/<int:producer_id>/plantings")
@blp.response(200, PlantingSchema(many=True))
def list_plantings(producer_id):
    """The producer's plantings, latest harvest first (its members, inspectors, admins)."""
    return plantings.list_plantings(db.session, actor(), producer_id)


@blp.post("/producers/<int:producer_id>/plantings")
@idempotent(blp)
@blp.arguments(PlantingCreateSchema)
@blp.response(201, PlantingSchema)
def create_planting(data, producer_id):
    """Record a planting: plot, product, area in 亩, dates, expected yield in 斤/亩.

    Without an expected yield the producer's own past yield of the product is used, else the
    product table's usual one (422 on expected_yield_jin_per_mu when there is neither)."""
    return plantings.create_planting(db.session, actor(), producer_id, data)


@blp.get("/plantings/<int:planting_id>")
@blp.response(200, PlantingSchema)
def get_planting(planting_id):
    """One planting with its season updates."""
    return plantings.get_planting(db.session, actor(), planting_id)


@blp.patch("/plantings/<int:planting_id>")
@blp.arguments(PlantingUpdateSchema)
@blp.response(200, PlantingSchema)
def update_planting(changes, planting_id):
    """Change a planting (members of its producer, admins)."""
    user = actor()
    planting = plantings.get_planting(db.session, user, planting_id)
    return plantings.update_planting(db.session, user, planting, changes)


@blp.post("/plantings/<int:planting_id>/updates")
@blp.arguments(SeasonUpdateCreateSchema)
@blp.response(201, SeasonUpdateSchema)
def report_season(data, planting_id):
    """A season update: good, poor or lost (poor and lost need a reason).

    Poor or lost records a shortfall on the forward contracts the planting grows for, and
    their buyers are told."""
    user = actor()
    planting = plantings.get_planting(db.session, user, planting_id)
    update = plantings.report_season(db.session, user, planting, data["status"],
                                     data.get("reason"))
    shortfalls.planting_reported(db.session, user, planting, update.status, update.reason)
    return update

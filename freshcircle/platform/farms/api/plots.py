"""Plots (地块) of a producer: list, add, read, change."""

from __future__ import annotations

from flask_smorest import Blueprint

from freshcircle.platform.extensions import db
from freshcircle.platform.farms.schemas.plots import (
    PlotCreateSchema,
    PlotSchema,
    PlotUpdateSchema,
)
from freshcircle.platform.farms.services import plots
from freshcircle.platform.web.api import actor
from freshcircle.platform.web.idempotency import idempotent

blp = Blueprint("plots", __name__, url_prefix="/producers",
                description="A producer's plots (地块): where inputs are applied and lots grow")


@blp.get("/<int:producer_id>/plots")
@blp.response(200, PlotSchema(many=True))
def list_plots(producer_id):
    """The producer's plots by name (its members, inspectors, admins)."""
    return plots.list_plots(db.session, actor(), producer_id)


@blp.post("/<int:producer_id>/plots")
@idempotent(blp)
@blp.arguments(PlotCreateSchema)
@blp.response(201, PlotSchema)
def create_plot(data, producer_id):
    """Add a plot: name (unique per producer), optional area in 亩, township, location, crops."""
    return plots.create_plot(db.session, actor(), producer_id, data)


@blp.get("/<int:producer_id>/plots/<int:plot_id>")
@blp.response(200, PlotSchema)
def get_plot(producer_id, plot_id):
    """One plot, with its area, township, location and crops."""
    plot = plots.get_plot(db.session, actor(), plot_id)
    if plot.producer_id != producer_id:
        raise plots.NotFound()
    return plot


@blp.patch("/<int:producer_id>/plots/<int:plot_id>")
@blp.arguments(PlotUpdateSchema)
@blp.response(200, PlotSchema)
def update_plot(changes, producer_id, plot_id):
    """Change a plot (members of its producer, admins)."""
    user = actor()
    plot = plots.get_plot(db.session, user, plot_id)
    if plot.producer_id != producer_id:
        raise plots.NotFound()
    return plots.update_plot(db.session, user, plot, changes)

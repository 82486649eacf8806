"""Plots (地块) of a producer: the list with an add form, and changing one plot."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _

from freshcircle.platform.core.services import access
from freshcircle.platform.core.services.errors import DomainError, NotFound
from freshcircle.platform.extensions import db
from freshcircle.platform.farms.forms import PlotForm
from freshcircle.platform.farms.services import plots as plot_service
from freshcircle.platform.farms.services import producers as producer_service
from freshcircle.platform.models import Role
from freshcircle.platform.web.forms import product_choices
from freshcircle.platform.web.pages import FARM_ROLES, actor, form_page, refusal, roles_required

bp = Blueprint("plot_pages", __name__, url_prefix="/producers")
PLOT_FIELDS = ("name", "area_mu", "township", "latitude", "longitude", "crop_ids")


def _form(plot=None) -> PlotForm:
    """The posted form; on GET, empty or filled from `plot`."""
    if request.method == "POST":
        form = PlotForm()
    else:
        form = PlotForm(formdata=None, obj=plot)
        if plot is not None:
            form.crop_ids.data = [c.id for c in plot.crops]
            form.area_mu.data = "" if plot.area_mu is None else f"{plot.area_mu.normalize():f}"
            for key in ("latitude", "longitude"):
                value = getattr(plot, key)
                getattr(form, key).data = "" if value is None else f"{value.normalize():f}"
    form.crop_ids.choices = [c for c in product_choices() if c.value not in ("", None)]
    return form


def _list_page(producer_id: int, form: PlotForm, error: DomainError | None = None):
    user = actor()
    producer = producer_service.get_producer(db.session, producer_id)
    plots = plot_service.list_plots(db.session, user, producer.id)
    can_write = access.is_member(db.session, user, producer.id) or user.role == Role.ADMIN
    return form_page("farms/plots/list.html", form, error, producer=producer, plots=plots,
                     can_write=can_write)


@bp.get("/<int:producer_id>/plots")
@roles_required(*FARM_ROLES, Role.INSPECTOR, Role.ADMIN)
def plots(producer_id: int):
    return _list_page(producer_id, _form())


@bp.post("/<int:producer_id>/plots")
@roles_required(*FARM_ROLES, Role.ADMIN)
def add(producer_id: int):
    form = _form()
    if not form.validate_on_submit():
        return _list_page(producer_id, form)
    data = {name: getattr(form, name).data for name in PLOT_FIELDS}
    try:
        plot = plot_service.create_plot(db.session, actor(), producer_id, data)
    except DomainError as error:
        return _list_page(producer_id, form, refusal(error))
    flash(_("Plot %(name)s is added.", name=plot.name), "success")
    return redirect(url_for("plot_pages.plots", producer_id=producer_id))


@bp.route("/<int:producer_id>/plots/<int:plot_id>/edit", methods=["GET", "POST"])
@roles_required(*FARM_ROLES, Role.ADMIN)
def edit(producer_id: int, plot_id: int):
    user = actor()
    plot = plot_service.get_plot(db.session, user, plot_id)
    if plot.producer_id != producer_id:
        raise NotFound()
    access.require_member(db.session, user, plot.producer_id)
    form = _form(plot)
    if not form.validate_on_submit():
        return form_page("farms/plots/edit.html", form, plot=plot)
    data = {name: getattr(form, name).data for name in PLOT_FIELDS}
    try:
        plot_service.update_plot(db.session, user, plot, data)
    except DomainError as error:
        return form_page("farms/plots/edit.html", form, refusal(error), plot=plot)
    flash(_("Plot %(name)s is saved.", name=plot.name), "success")
    return redirect(url_for("plot_pages.plots", producer_id=producer_id))

"""Plantings (种植计划) of a producer: the list, recording and changing one, its page with
planned against actual and the season updates."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from freshcircle.platform.contracts.services import shortfalls
from freshcircle.platform.core.services import access
from freshcircle.platform.core.services.errors import DomainError
from freshcircle.platform.extensions import db
from freshcircle.platform.farms.services import plots as plot_service
from freshcircle.platform.farms.services import producers as producer_service
from freshcircle.platform.models import Role
from freshcircle.platform.plantings.forms import STATUS_LABELS, PlantingForm, SeasonUpdateForm
from freshcircle.platform.plantings.services import planting_yields
from freshcircle.platform.plantings.services import plantings as planting_service
from freshcircle.platform.web.forms import product_choices
from freshcircle.platform.web.pages import (
    FARM_ROLES,
    actor,
    form_page,
    refusal,
    roles_required,
    show_errors,
)

bp = Blueprint("planting_pages", __name__)
FIELDS = planting_service.FIELDS


def _form(producer_id: int, planting=None) -> PlantingForm:
    if request.method == "POST":
        form = PlantingForm()
    else:
        form = PlantingForm(formdata=None, obj=planting)
        if planting is not None:
            form.area_mu.data = f"{planting.area_mu.normalize():f}"
        elif request.args.get("plot_id", "").isdigit():
            form.plot_id.data = int(request.args["plot_id"])
    form.offer_plots(plot_service.list_plots(db.session, actor(), producer_id))
    form.product_id.choices = product_choices()
    return form


def _can_write(producer_id: int) -> bool:
    user = actor()
    return access.is_member(db.session, user, producer_id) or user.role == Role.ADMIN


@bp.get("/producers/<int:producer_id>/plantings")
@roles_required(*FARM_ROLES, Role.INSPECTOR, Role.ADMIN)
def plantings(producer_id: int):
    producer = producer_service.get_producer(db.session, producer_id)
    rows = planting_service.list_plantings(db.session, actor(), producer.id)
    harvested = planting_yields.harvested_jin(db.session, (p.id for p in rows))
    return _page("plantings/list.html", producer=producer, plantings=rows, harvested=harvested,
                 can_write=_can_write(producer.id))


def _page(template: str, **context):
    return render_template(template, status_labels=STATUS_LABELS, **context)


@bp.route("/producers/<int:producer_id>/plantings/new", methods=["GET", "POST"])
@roles_required(*FARM_ROLES, Role.ADMIN)
def new(producer_id: int):
    producer = producer_service.get_producer(db.session, producer_id)
    access.require_member(db.session, actor(), producer.id)
    form = _form(producer.id)
    if not form.validate_on_submit():
        return form_page("plantings/form.html", form, producer=producer, planting=None)
    data = {name: getattr(form, name).data for name in FIELDS}
    try:
        planting = planting_service.create_planting(db.session, actor(), producer.id, data)
    except DomainError as error:
        return form_page("plantings/form.html", form, refusal(error), producer=producer,
                         planting=None)
    flash(_("The planting is recorded."), "success")
    return redirect(url_for("planting_pages.planting", planting_id=planting.id))


@bp.get("/plantings/<int:planting_id>")
@roles_required(*FARM_ROLES, Role.INSPECTOR, Role.ADMIN)
def planting(planting_id: int, update_form: SeasonUpdateForm | None = None, status: int = 200):
    found = planting_service.get_planting(db.session, actor(), planting_id)
    batches = planting_yields.planting_batches(db.session, found)
    harvested = sum((b.quantity_g for b in batches), 0) / planting_yields.GRAMS_PER_JIN
    return _page("plantings/detail.html", planting=found, batches=batches, harvested=harvested,
                 form=update_form or SeasonUpdateForm(formdata=None),
                 can_write=_can_write(found.producer_id)), status


@bp.route("/plantings/<int:planting_id>/edit", methods=["GET", "POST"])
@roles_required(*FARM_ROLES, Role.ADMIN)
def edit(planting_id: int):
    user = actor()
    found = planting_service.get_planting(db.session, user, planting_id)
    access.require_member(db.session, user, found.producer_id)
    form = _form(found.producer_id, found)
    if not form.validate_on_submit():
        return form_page("plantings/form.html", form, producer=found.producer, planting=found)
    data = {name: getattr(form, name).data for name in FIELDS}
    try:
        planting_service.update_planting(db.session, user, found, data)
    except DomainError as error:
        return form_page("plantings/form.html", form, refusal(error, rollback=True),
                         producer=found.producer, planting=found)
    flash(_("The planting is saved."), "success")
    return redirect(url_for("planting_pages.planting", planting_id=found.id))


@bp.post("/plantings/<int:planting_id>/updates")
@roles_required(*FARM_ROLES, Role.ADMIN)
def report_season(planting_id: int):
    user = actor()
    found = planting_service.get_planting(db.session, user, planting_id)
    access.require_member(db.session, user, found.producer_id)
    form = SeasonUpdateForm()
    if not form.validate_on_submit():
        return planting(planting_id, form, 422)
    try:
        update = planting_service.report_season(db.session, user, found, form.status.data,
                                                form.reason.data)
        # A poor or lost crop: a shortfall on its forward contracts, their buyers told.
        shortfalls.planting_reported(db.session, user, found, update.status, update.reason)
    except DomainError as error:
        refusal(error, rollback=True)
        show_errors(form, error)
        return planting(planting_id, form, error.status_code)
    flash(_("The season update is recorded."), "success")
    return redirect(url_for("planting_pages.planting", planting_id=found.id))

"""Farm records: pesticide and fertiliser inputs, and residue tests of a batch."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from freshcircle.platform.batches.services import batches as batch_service
from freshcircle.platform.core.services.errors import DomainError
from freshcircle.platform.extensions import db
from freshcircle.platform.farms.forms import InputForm, ResidueTestForm
from freshcircle.platform.farms.services import farm_records, plots
from freshcircle.platform.farms.services.producers import producers_query
from freshcircle.platform.models import Role
from freshcircle.platform.web.forms import chosen_producer, options
from freshcircle.platform.web.pages import (
    FARM_ROLES,
    actor,
    form_page,
    max_file_bytes,
    refusal,
    roles_required,
)

bp = Blueprint("record_pages", __name__)
INPUT_FIELDS = ("producer_id", "kind", "product_name", "active_ingredient", "dose", "plot_id",
                "new_plot_name", "new_plot_area_mu", "applied_on", "pre_harvest_interval_days",
                "notes")


@bp.get("/inputs")
@roles_required(*FARM_ROLES)
def inputs():
    records = db.session.scalars(farm_records.inputs_query(actor()).limit(100)).all()
    return render_template("farms/farm_records/inputs.html", records=records)


def _input_page(form: InputForm, error: DomainError | None = None):
    form.offer_plots(plots.list_plots(db.session, actor(), chosen_producer(form)))
    return form_page("farms/farm_records/input_new.html", form, error)


@bp.route("/inputs/new", methods=["GET", "POST"])
@roles_required(*FARM_ROLES)
def new_input():
    form = InputForm()
    producers = db.session.scalars(producers_query(actor(), mine=True)).all()
    if not producers:
        flash(_("Register your family farm or cooperative first."), "info")
        return redirect(url_for("producer_pages.new"))
    form.producer_id.choices = options((p.id, p.name) for p in producers)
    if form.producer_id.data is None:
        form.producer_id.data = producers[0].id
    if request.method == "GET" and request.args.get("plot_id", "").isdigit():
        form.plot_id.data = int(request.args["plot_id"])
    if not form.validate_on_submit():
        return _input_page(form)
    data = {name: getattr(form, name).data for name in INPUT_FIELDS}
    try:
        record = farm_records.create_input(db.session, actor(), data)
    except DomainError as error:
        return _input_page(form, refusal(error))
    flash(_("Recorded: %(name)s on %(plot)s.", name=record.product_name, plot=record.plot.name),
          "success")
    return redirect(url_for("record_pages.inputs"))


def _test_page(form: ResidueTestForm, batch, error: DomainError | None = None):
    if (error is not None or form.errors) and form.file.data and form.file.data.filename:
        form.file.errors = [*form.file.errors, _("Choose the file again, please.")]
    return form_page("farms/farm_records/test_new.html", form, error, batch=batch)


@bp.route("/batches/<int:batch_id>/tests/new", methods=["GET", "POST"])
@roles_required(*FARM_ROLES, Role.INSPECTOR, Role.ADMIN)
def new_test(batch_id: int):
    user = actor()
    batch = batch_service.get_batch(db.session, user, batch_id)
    form = ResidueTestForm()
    if request.method == "GET":
        form.tester.data = current_user.name
    if not form.validate_on_submit():
        return _test_page(form, batch)
    data = {name: getattr(form, name).data
            for name in ("method", "result", "measured_values", "tester", "tested_on")}
    data["batch_id"] = batch.id
    try:
        upload = form.file.data
        if upload and upload.filename:
            stored = farm_records.store_test_file(
                db.session, user, batch, filename=upload.filename,
                data=upload.read(max_file_bytes() + 1), max_bytes=max_file_bytes(),
            )
            data["file_id"] = stored.id
        farm_records.create_test(db.session, user, data)
    except DomainError as error:
        return _test_page(form, batch, refusal(error))
    flash(_("The test is recorded."), "success")
    return redirect(url_for("batch_pages.detail", batch_id=batch.id))

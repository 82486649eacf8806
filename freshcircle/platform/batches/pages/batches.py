"""Batches: register one (with a photo, safe to resubmit), its page, edits, photos, status."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from freshcircle.platform.batches.forms import (
    PREFIX,
    BatchDetailsForm,
    BatchForm,
    LabelRunForm,
    PhotoForm,
    StatusForm,
)
from freshcircle.platform.batches.services import batches as batch_service
from freshcircle.platform.batches.services import label_runs
from freshcircle.platform.contracts.services import offers
from freshcircle.platform.core.services.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    QuotaExceeded,
)
from freshcircle.platform.core.services.quantities import grams_to_jin
from freshcircle.platform.extensions import db
from freshcircle.platform.farms.services import farm_records, plots
from freshcircle.platform.farms.services.producers import producers_query
from freshcircle.platform.models import BatchStatus, Role
from freshcircle.platform.trace.services import recalls
from freshcircle.platform.web.forms import chosen_producer, options, product_choices
from freshcircle.platform.web.pages import (
    FARM_ROLES,
    STAFF_ROLES,
    actor,
    form_page,
    max_file_bytes,
    refusal,
    roles_required,
    show_errors,
)

bp = Blueprint("batch_pages", __name__, url_prefix="/batches")


# Status buttons a member sees, by target status, and those an inspector sees.
# Putting a lot on sale (挂牌) is the market's "Sell on the market" form, one name for one thing.
MEMBER_ACTIONS = {
    BatchStatus.REGISTERED: _l("Take off sale"),
    BatchStatus.SOLD_OUT: _l("Mark sold out"),
}
STAFF_ACTIONS = {
    BatchStatus.HELD: _l("Hold"),
    BatchStatus.REGISTERED: _l("Release"),
    BatchStatus.RECALLED: _l("Recall"),
}




def _batch_form() -> BatchForm | None:
    """The form with its choices, or None when the user belongs to no producer yet."""
    form = BatchForm()
    producers = db.session.scalars(producers_query(actor(), mine=True)).all()
    if not producers:
        return None
    form.producer_id.choices = options((p.id, p.name) for p in producers)
    if form.producer_id.data is None:
        form.producer_id.data = producers[0].id
    form.product_id.choices = product_choices()
    return form


def _new_page(form: BatchForm, error: DomainError | None = None):
    form.offer_plots(plots.list_plots(db.session, actor(), chosen_producer(form)))
    if (error is not None or form.errors) and form.photo.data and form.photo.data.filename:
        # A browser never refills a file input: say so, or the batch is saved without it.
        form.photo.errors = [*form.photo.errors, _("Choose the photo again, please.")]
    return form_page("batches/new.html", form, error)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*FARM_ROLES, Role.ADMIN)
def new():
    form = _batch_form()
    if form is None:
        flash(_("Register your family farm or cooperative first."), "info")
        return redirect(url_for("producer_pages.new"))
    if not form.validate_on_submit():
        return _new_page(form, None)
    user = actor()
    data = {name: getattr(form, name).data for name in (
        "producer_id", "product_id", "variety", "plot_id", "new_plot_name", "new_plot_area_mu",
        "harvest_date", "quantity", "unit", "notes", "idempotency_key", "confirm_in_interval")}
    data["grade"] = form.grade_value()
    try:
        batch, created = batch_service.create_batch(db.session, user, data)
        contract_orders = offers.offer_registered_batch(db.session, user, batch) \
            if created else []  # a contracted planting's harvest goes to its contract first
        upload = form.photo.data
        if created and upload and upload.filename:
            batch_service.attach_photo(db.session, user, batch, upload, upload.filename,
                                       max_file_bytes())
    except DomainError as error:
        return _new_page(form, refusal(error))
    if created:
        flash(_("Batch %(lot)s is registered.", lot=batch.lot_code), "success")
        for order in contract_orders:
            flash(_("Order #%(id)d was made from it for your forward contract.", id=order.id),
                  "info")
    else:
        flash(_("This batch was already registered (%(lot)s); nothing was added twice.",
                lot=batch.lot_code), "info")
    return redirect(url_for("batch_pages.detail", batch_id=batch.id))


def edit_form(batch) -> BatchDetailsForm:
    """The edit form filled in from the batch, its weight in 斤."""
    form = BatchDetailsForm(formdata=None, obj=batch, quantity=grams_to_jin(batch.quantity_g),
                            unit="jin")
    form.show_grade(batch.grade)
    return form


def detail_page(batch_id: int, status_form: StatusForm | None = None,
                error: DomainError | None = None, *, edit: BatchDetailsForm | None = None,
                photo: PhotoForm | None = None, print_form=None):
    """The batch page; re-rendered with the refusal or the errors of the form that failed.

    `edit`, `photo` or `print_form` (batches/pages/labels.py) is the form just submitted, when
    it was not the status form.
    """

    user = actor()
    batch = batch_service.get_batch(db.session, user, batch_id)
    batch_service.attach_facts(db.session, [batch])
    tests = db.session.scalars(farm_records.tests_query(user, batch_id=batch.id)).all()
    member = user.role in (*FARM_ROLES, Role.ADMIN)
    member_targets = batch_service.MEMBER_TRANSITIONS.get(batch.status, set()) if member else ()
    staff_targets = (batch_service.STAFF_TRANSITIONS.get(batch.status, set())
                     if user.is_staff else ())
    form = status_form or StatusForm(formdata=None)
    submitted = next((f for f in (edit, photo, print_form) if f is not None), None)
    if submitted is not None and error is not None:
        if isinstance(error, InvalidInput):
            show_errors(submitted, error)
        else:
            submitted.form_errors.append(str(error.message))
    elif isinstance(error, InvalidInput):
        show_errors(form, error)
    details = edit if edit is not None else (edit_form(batch) if member else None)
    if details is not None:
        details.offer_plots(plots.list_plots(db.session, user, batch.producer_id))
    body = render_template(
        "batches/detail.html",
        batch=batch,
        tests=tests,
        form=form,
        edit_form=details,
        photo_form=photo if photo is not None else PhotoForm(formdata=None),
        member=member,
        locked=batch.status in batch_service.LOCKED_STATUSES,
        locked_message=batch_service.LOCKED_MESSAGE,
        member_actions=[(s, MEMBER_ACTIONS[s]) for s in MEMBER_ACTIONS if s in member_targets],
        staff_actions=[(s, STAFF_ACTIONS[s]) for s in STAFF_ACTIONS if s in staff_targets],
        can_test=user.role in (*FARM_ROLES, Role.INSPECTOR, Role.ADMIN),
        printing=print_context(batch, user, print_form),
        refusal=(str(error.message) if isinstance(error, Conflict | QuotaExceeded)
                 and submitted is None
                 else None),
    )
    if error is not None:
        return body, error.status_code
    return body, 422 if submitted is not None and submitted.errors else 200


@bp.get("/<int:batch_id>")
@roles_required(*FARM_ROLES, Role.INSPECTOR, Role.ADMIN)
def detail(batch_id: int):
    return detail_page(batch_id)


@bp.post("/<int:batch_id>/status")
@roles_required(*FARM_ROLES, Role.INSPECTOR, Role.ADMIN)
def change_status(batch_id: int):
    form = StatusForm()
    user = actor()
    batch = batch_service.get_batch(db.session, user, batch_id)
    if not form.validate_on_submit() or form.status.data not in set(BatchStatus):
        return render_template("error.html", code=400,
                               message=_("The request could not be understood.")), 400
    status = BatchStatus(form.status.data)
    try:
        if status == BatchStatus.RECALLED and not request.form.get("confirmed"):
            people = recalls.preview(db.session, user, batch, status, form.reason.data)
            batch_service.attach_facts(db.session, [batch])
            return render_template("trace/inspector/recall_confirm.html", batch=batch,
                                   form=form, people=people)
        if status in recalls.RESTRICTIONS:
            effects = recalls.restrict(db.session, user, batch, status, form.reason.data)
        else:
            batch_service.change_status(db.session, user, batch, status, form.reason.data)
    except (Conflict, InvalidInput) as error:
        return detail_page(batch_id, form, error)
    flash(_("Status is now: %(status)s.", status=batch_service.batch_status_label(batch.status)),
          "success")
    if status in recalls.RESTRICTIONS:
        if effects.cascaded:
            flash(_("%(lots)d more lots made from it got the same status.",
                    lots=len(effects.cascaded)), "success")
        flash(_("%(people)d people were notified.", people=len(effects.notified)), "success")
        return redirect(url_for("inspector.recall", record_id=effects.record.id))
    return redirect(url_for("batch_pages.detail", batch_id=batch.id))


@bp.post("/<int:batch_id>/edit")
@roles_required(*FARM_ROLES, Role.ADMIN)
def update(batch_id: int):
    user = actor()
    batch = batch_service.get_batch(db.session, user, batch_id)
    form = BatchDetailsForm()
    if not form.validate_on_submit():
        return detail_page(batch_id, edit=form)
    changes = {name: getattr(form, name).data
               for name in ("variety", "plot_id", "new_plot_name", "new_plot_area_mu",
                            "harvest_date", "quantity", "unit", "notes")}
    changes["grade"] = form.grade_value()
    try:
        batch_service.update_batch(db.session, user, batch, changes)
    except DomainError as error:
        return detail_page(batch_id, error=refusal(error, rollback=True), edit=form)
    flash(_("Batch %(lot)s is updated.", lot=batch.lot_code), "success")
    return redirect(url_for("batch_pages.detail", batch_id=batch.id))


@bp.post("/<int:batch_id>/photos")
@roles_required(*FARM_ROLES, Role.ADMIN)
def add_photo(batch_id: int):
    user = actor()
    batch = batch_service.get_batch(db.session, user, batch_id)
    form = PhotoForm()
    if not form.validate_on_submit():
        return detail_page(batch_id, photo=form)
    upload = form.photo.data
    try:
        batch_service.attach_photo(db.session, user, batch, upload, upload.filename,
                                   max_file_bytes())
    except DomainError as error:
        return detail_page(batch_id, error=refusal(error), photo=form)
    flash(_("The photo is added."), "success")
    return redirect(url_for("batch_pages.detail", batch_id=batch.id, _anchor="photos"))


def print_context(batch, user, form: LabelRunForm | None = None) -> dict:
    """What the batch page's printing section needs (members print; staff see runs)."""
    can_print = user.role in (*FARM_ROLES, Role.ADMIN)
    can_certify = can_print or user.role in STAFF_ROLES
    return {
        "can_print": can_print,
        "can_certify": can_certify,
        "refusal": label_runs.printable_refusal(db.session, batch),
        "form": form or LabelRunForm(formdata=None, prefix=PREFIX),
        "runs": label_runs.runs_of_batch(db.session, batch)[:10],
    }

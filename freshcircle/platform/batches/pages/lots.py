"""拆分 / 合并: a member splits a lot into new lots or merges lots of one product, on a phone.

New lots get new lot codes (a transformation assigns the traceability lot code); the batch
page of each new lot prints its own labels. The rules (what may be split, stock) are the
service's (`batches.services.transformations`).
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from freshcircle.platform.batches.forms import MergeForm, SplitForm
from freshcircle.platform.batches.services import batches as batch_service
from freshcircle.platform.batches.services import transformations
from freshcircle.platform.core.services.errors import Conflict, DomainError, InvalidInput
from freshcircle.platform.extensions import db
from freshcircle.platform.models import Batch, Role
from freshcircle.platform.web.pages import FARM_ROLES, actor, roles_required, show_errors

bp = Blueprint("lot_pages", __name__, url_prefix="/batches")


def _merge_candidates(batch: Batch) -> list[Batch]:
    """Other lots of the same producer and product with something left, not held/recalled."""
    rows = db.session.scalars(
        select(Batch).where(Batch.producer_id == batch.producer_id,
                            Batch.product_id == batch.product_id, Batch.id != batch.id,
                            Batch.status.not_in(transformations.BLOCKED))
        .order_by(Batch.harvest_date.desc(), Batch.id.desc()).limit(50)).all()
    return [b for b in batch_service.attach_facts(db.session, list(rows))
            if b.facts.remaining_g > 0]


def _page(batch: Batch, split: SplitForm, merge: MergeForm, *, failed=None,
          error: DomainError | None = None, status: int = 200):
    """The page with both forms; ``failed`` is the submitted one, shown with ``error``."""
    batch_service.attach_facts(db.session, [batch])
    candidates = _merge_candidates(batch)
    merge.others.choices = [(b.id, b.lot_code) for b in candidates]
    if failed is not None and error is not None:
        if isinstance(error, InvalidInput):
            show_errors(failed, error)
        if not failed.form_errors and not any(f.errors for f in failed):
            failed.form_errors.append(str(error.message))
    return render_template("batches/lots.html", batch=batch, split=split, merge=merge,
                           candidates={b.id: b for b in candidates}), status


@bp.get("/<int:batch_id>/lots")
@roles_required(*FARM_ROLES, Role.ADMIN)
def lots(batch_id: int):
    batch = batch_service.get_batch(db.session, actor(), batch_id)
    return _page(batch, SplitForm(formdata=None), MergeForm(formdata=None))


@bp.post("/<int:batch_id>/split")
@roles_required(*FARM_ROLES, Role.ADMIN)
def split(batch_id: int):
    user = actor()
    batch = batch_service.get_batch(db.session, user, batch_id)
    form = SplitForm()
    if not form.validate_on_submit():
        return _page(batch, form, MergeForm(formdata=None), status=422)
    if not form.parts():
        form.part1.errors = [_("Enter the weight of at least one new lot.")]
        return _page(batch, form, MergeForm(formdata=None), status=422)
    try:
        made = transformations.split_batch(db.session, user, batch, form.parts())
    except (Conflict, InvalidInput) as error:
        return _page(batch, form, MergeForm(formdata=None), failed=form, error=error,
                     status=error.status_code)
    flash(_("New lots: %(lots)s.", lots=", ".join(b.lot_code for b in made)), "success")
    return redirect(url_for("batch_pages.detail", batch_id=batch.id))


@bp.post("/<int:batch_id>/merge")
@roles_required(*FARM_ROLES, Role.ADMIN)
def merge(batch_id: int):
    user = actor()
    batch = batch_service.get_batch(db.session, user, batch_id)
    form = MergeForm()
    form.others.choices = [(b.id, b.lot_code) for b in _merge_candidates(batch)]
    if not form.validate_on_submit() or not form.others.data:
        form.others.errors = [_("Choose at least one other lot.")]
        return _page(batch, SplitForm(formdata=None), form, status=422)
    try:
        inputs = [batch.id, *form.others.data]
        merged = transformations.merge_batches(db.session, user,
                                               [{"batch_id": i} for i in inputs])
    except (Conflict, InvalidInput) as error:
        return _page(batch, SplitForm(formdata=None), form, failed=form, error=error,
                     status=error.status_code)
    flash(_("Merged into the new lot %(lot)s.", lot=merged.lot_code), "success")
    return redirect(url_for("batch_pages.detail", batch_id=merged.id))


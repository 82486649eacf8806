"""Printing from the batch page: trace label runs (with progress) and the 承诺达标合格证."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, render_template, send_file, url_for
from flask_babel import lazy_gettext as _l
from wtforms import RadioField
from wtforms.validators import NumberRange

from .. import label_jobs
from ..extensions import db
from ..models import LabelRunStatus, Role
from ..services import batches as batch_service
from ..services import certificates, label_runs
from ..services.errors import DomainError
from ..services.trace_codes import run_uris
from .common import FARM_ROLES, STAFF_ROLES, actor, roles_required
from .forms import Form, NumberField, WholeNumberField, options, required

bp = Blueprint("label_pages", __name__)

LAYOUT_CHOICES = (
    ("a4-24", _l("A4 sheet: 24 labels, each 70 × 37 mm")),
    ("a4-40", _l("A4 sheet: 40 labels, each 48.5 × 25.4 mm")),
    ("roll-60x40", _l("Thermal printer roll: 60 × 40 mm labels")),
    ("roll-50x30", _l("Thermal printer roll: 50 × 30 mm labels")),
)
LAYOUT_NAMES = dict(LAYOUT_CHOICES)
PREFIX = "labels"
RUN_STATUS_LABELS = {
    LabelRunStatus.QUEUED: _l("waiting to start"),
    LabelRunStatus.RUNNING: _l("printing"),
    LabelRunStatus.DONE: _l("ready"),
    LabelRunStatus.FAILED: _l("failed"),
}
RUN_STATUS_CLASSES = {
    LabelRunStatus.QUEUED: "badge",
    LabelRunStatus.RUNNING: "badge badge-warn",
    LabelRunStatus.DONE: "badge badge-ok",
    LabelRunStatus.FAILED: "badge badge-bad",
}


class LabelRunForm(Form):
    """Fields carry the prefix "labels-" (PREFIX): the batch page's edit form has a `unit` too."""

    layout = RadioField(_l("Label paper"), choices=options(LAYOUT_CHOICES), default="a4-24",
                        validators=[required()])
    count = WholeNumberField(
        _l("Number of labels"), default=24,
        validators=[required(), NumberRange(min=1, max=label_runs.MAX_LABELS,
                                            message=_l("Print between 1 and 100,000 labels."))],
        description=_l("One label per pack. Up to 1,000 are ready at once; more take a minute."),
    )
    net_weight = NumberField(_l("Net weight of one pack"), places=None, validators=[required()])
    unit = RadioField(_l("Unit"), choices=options([("jin", _l("jin")), ("kg", _l("kg"))]),
                      default="jin", validators=[required()])


def pdf_response(data: bytes, filename: str):
    """A PDF download; private, since it carries a producer's codes."""
    response = send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=True,
                         download_name=filename, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


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


@bp.post("/batches/<int:batch_id>/labels")
@roles_required(*FARM_ROLES, Role.ADMIN)
def start(batch_id: int):
    from .batches import detail_page

    user = actor()
    batch = batch_service.get_batch(db.session, user, batch_id)
    form = LabelRunForm(prefix=PREFIX)
    if not form.validate_on_submit():
        return detail_page(batch_id, print_form=form)
    try:
        run = label_runs.start_label_run(
            db.session, user, batch, layout=form.layout.data, count=form.count.data,
            net_weight=form.net_weight.data, unit=form.unit.data,
            settings=current_app.extensions["trace_settings"],
        )
    except DomainError as error:
        if error.status_code == 403:
            raise
        return detail_page(batch_id, error=error, print_form=form)
    if run.count > current_app.config["LABEL_SYNC_MAX"]:
        label_jobs.enqueue(db.session, run)
    else:
        label_jobs.render_in_session(current_app, db.session, run)
    return redirect(url_for("label_pages.run", run_id=run.id))


@bp.get("/label-runs/<int:run_id>")
@roles_required(*FARM_ROLES, *STAFF_ROLES)
def run(run_id: int):
    label_run = label_runs.get_run(db.session, actor(), run_id)
    preview = None
    if label_run.status == LabelRunStatus.DONE:
        # The first pack's code, opened here rather than at TRACE_DOMAIN: what a shopper sees.
        first = next(run_uris(current_app.extensions["trace_settings"], label_run))
        parts = urlsplit(first)
        preview = f"{parts.path}?{parts.query}"
    return render_template(
        "labels/run.html", run=label_run, batch=label_run.batch, preview=preview,
        layout_name=LAYOUT_NAMES.get(label_run.layout, label_run.layout),
        status_label=RUN_STATUS_LABELS[label_run.status],
        status_class=RUN_STATUS_CLASSES[label_run.status],
        working=label_run.status in (LabelRunStatus.QUEUED, LabelRunStatus.RUNNING),
    )


@bp.get("/label-runs/<int:run_id>/labels.pdf")
@roles_required(*FARM_ROLES, *STAFF_ROLES)
def pdf(run_id: int):
    label_run = label_runs.get_run(db.session, actor(), run_id)
    stored = label_runs.run_pdf(db.session, label_run)
    return pdf_response(stored.data, stored.filename)


@bp.get("/batches/<int:batch_id>/certificate.pdf")
@roles_required(*FARM_ROLES, *STAFF_ROLES)
def certificate(batch_id: int):
    user = actor()
    batch = batch_service.get_batch(db.session, user, batch_id)
    data = certificates.batch_certificate(db.session, user, batch,
                                          current_app.extensions["trace_settings"])
    return pdf_response(data, f"certificate-{batch.lot_code}.pdf")


def run_status_label(status) -> str:
    return str(RUN_STATUS_LABELS[LabelRunStatus(status)])


def layout_label(name: str) -> str:
    return str(LAYOUT_NAMES.get(name, name))


def register_label_display(app) -> None:
    app.add_template_filter(run_status_label, "run_status_label")
    app.add_template_filter(layout_label, "layout_label")
    app.add_template_global(RUN_STATUS_CLASSES, "RUN_STATUS_CLASSES")

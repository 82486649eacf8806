"""Printing from the batch page: trace label runs (with progress) and the 承诺达标合格证."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l

from freshcircle.platform.batches import label_jobs
from freshcircle.platform.batches.forms import LAYOUT_CHOICES, PREFIX, LabelRunForm
from freshcircle.platform.batches.pages.batches import detail_page
from freshcircle.platform.batches.services import batches as batch_service
from freshcircle.platform.batches.services import certificates, label_runs
from freshcircle.platform.core.services.errors import DomainError
from freshcircle.platform.extensions import db
from freshcircle.platform.ledger.services.trace_codes import run_uris
from freshcircle.platform.models import LabelRunStatus, Role
from freshcircle.platform.web.downloads import pdf_response, stored_file_response
from freshcircle.platform.web.pages import FARM_ROLES, STAFF_ROLES, actor, refusal, roles_required
from freshcircle.platform.web.trace_links import is_example_domain

bp = Blueprint("label_pages", __name__)

LAYOUT_NAMES = dict(LAYOUT_CHOICES)
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







@bp.post("/batches/<int:batch_id>/labels")
@roles_required(*FARM_ROLES, Role.ADMIN)
def start(batch_id: int):
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
        return detail_page(batch_id, error=refusal(error), print_form=form)
    if run.count > current_app.config["LABEL_SYNC_MAX"]:
        label_jobs.enqueue(db.session, run)
    else:
        label_jobs.render_in_session(current_app, db.session, run)
    return redirect(url_for("label_pages.run", run_id=run.id))


@bp.get("/label-runs/<int:run_id>")
@roles_required(*FARM_ROLES, *STAFF_ROLES)
def run(run_id: int):
    label_run = label_runs.get_run(db.session, actor(), run_id)
    domain = current_app.extensions["trace_settings"].domain  # what the printed QR codes hold
    preview = None
    if label_run.status == LabelRunStatus.DONE:
        # The first pack's code, opened here rather than at TRACE_DOMAIN: what a shopper sees.
        first = next(run_uris(current_app.extensions["trace_settings"], label_run))
        parts = urlsplit(first)
        preview = f"{parts.path}?{parts.query}"
    return render_template(
        "batches/labels/run.html", run=label_run, batch=label_run.batch, preview=preview,
        layout_name=LAYOUT_NAMES.get(label_run.layout, label_run.layout),
        status_label=RUN_STATUS_LABELS[label_run.status],
        status_class=RUN_STATUS_CLASSES[label_run.status],
        working=label_run.status in (LabelRunStatus.QUEUED, LabelRunStatus.RUNNING),
        trace_domain=domain, example_domain=is_example_domain(domain),
    )


@bp.get("/label-runs/<int:run_id>/labels.pdf")
@roles_required(*FARM_ROLES, *STAFF_ROLES)
def pdf(run_id: int):
    label_run = label_runs.get_run(db.session, actor(), run_id)
    stored = label_runs.run_pdf(db.session, label_run)
    return stored_file_response(stored)


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

"""Trace labels and the 承诺达标合格证: print runs of a batch, their progress and PDFs."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_smorest import Blueprint, abort

from freshcircle.platform.batches import label_jobs
from freshcircle.platform.batches.schemas.labels import LabelRunCreateSchema, LabelRunSchema
from freshcircle.platform.batches.services import batches, certificates, label_runs
from freshcircle.platform.extensions import db
from freshcircle.platform.models import LabelRunStatus
from freshcircle.platform.web.api import actor
from freshcircle.platform.web.downloads import pdf_response, stored_file_response

blp = Blueprint("labels", __name__, description="Trace labels and compliance certificates")


def _settings():
    return current_app.extensions["trace_settings"]



@blp.post("/batches/<int:batch_id>/labels")
@blp.arguments(LabelRunCreateSchema)
@blp.response(202, LabelRunSchema, description="A large run, queued: poll its `url`")
@blp.alt_response(201, description="A small run: the labels PDF (application/pdf)")
@blp.alt_response(409, description="Held, recalled, or inside the pre-harvest interval")
@blp.alt_response(429, description="The producer's label runs for today are used up "
                                   "(Retry-After)")
def print_labels(data, batch_id):
    """Print `count` trace labels (1 to 100,000) for packs of this batch.

    Each label carries its own serial and signed Digital Link QR. Runs up to the server's
    `LABEL_SYNC_MAX` labels (1,000 by default) answer 201 with the PDF itself; larger runs
    answer 202 with the job, which renders in the background: poll `url` until `status` is
    `done`, then download `pdf_url`. Members of the batch's producer only, at most
    `LABEL_RUNS_PER_DAY` runs per producer per day (200 by default).
    """
    user = actor()
    batch = batches.get_batch(db.session, user, batch_id)
    run = label_runs.start_label_run(
        db.session, user, batch, layout=data["layout"], count=data["count"],
        net_weight=data["net_weight"], unit=data["unit"], settings=_settings(),
    )
    headers = {"Location": f"/api/v1/label-runs/{run.id}"}
    if run.count > current_app.config["LABEL_SYNC_MAX"]:
        label_jobs.enqueue(db.session, run)
        return run, 202, headers
    label_jobs.render_in_session(current_app, db.session, run)
    if run.status != LabelRunStatus.DONE:
        abort(500, message=str(_l("The labels could not be printed. Nothing was saved.")))
    response = stored_file_response(run.file)
    response.status_code = 201
    response.headers.update(headers)
    return response


@blp.get("/batches/<int:batch_id>/labels")
@blp.response(200, LabelRunSchema(many=True))
def list_label_runs(batch_id):
    """The batch's label runs, newest first, with their status and progress."""
    batch = batches.get_batch(db.session, actor(), batch_id)
    return label_runs.runs_of_batch(db.session, batch)


@blp.get("/label-runs/<int:run_id>")
@blp.response(200, LabelRunSchema)
def get_label_run(run_id):
    """One label run: `status` (queued, running, done, failed) and `progress` of `count`."""
    return label_runs.get_run(db.session, actor(), run_id)


@blp.get("/label-runs/<int:run_id>/pdf")
@blp.doc(responses={"200": {"description": "The labels PDF (application/pdf)"}})
@blp.alt_response(409, description="The run is not done yet")
def get_label_run_pdf(run_id):
    """Download a finished run's labels PDF."""
    run = label_runs.get_run(db.session, actor(), run_id)
    stored = label_runs.run_pdf(db.session, run)
    return stored_file_response(stored)


@blp.get("/batches/<int:batch_id>/certificate")
@blp.doc(responses={"200": {"description": "The certificate PDF (application/pdf)"}})
@blp.alt_response(409, description="Held, recalled, or inside the pre-harvest interval")
def get_certificate(batch_id):
    """The batch's 承诺达标合格证 (certificate of commitment to meet standards) as a PDF.

    One A6 page: product, quantity, origin, issue date (today, China time), producer and
    contact, the commitment and its basis (自行检测合格 when the batch has a passing residue
    test, else 质量安全控制符合要求), and the batch's signed trace QR captioned 承诺达标合格证.
    Members of the producer and staff.
    """
    user = actor()
    batch = batches.get_batch(db.session, user, batch_id)
    pdf = certificates.batch_certificate(db.session, user, batch, _settings())
    return pdf_response(pdf, f"certificate-{batch.lot_code}.pdf")

"""The inspector's batch search over every producer and the trace of a lot (hold, release,
recall: the batch page)."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from freshcircle.platform.batches.services import batches as batch_service
from freshcircle.platform.core.services.errors import InvalidInput
from freshcircle.platform.extensions import db
from freshcircle.platform.models import Batch, BatchStatus, Product, RecallRecord, Role
from freshcircle.platform.trace.forms import BatchSearchForm, RecallSearchForm, RecordsExportForm
from freshcircle.platform.trace.services import lot_trace, trace_records
from freshcircle.platform.trace.services import recalls as recall_service
from freshcircle.platform.web.forms import options
from freshcircle.platform.web.pages import (
    actor,
    for_batch_cards,
    product_label,
    roles_required,
    show_errors,
)
from freshcircle.platform.web.table_query import TableQuery

bp = Blueprint("inspector", __name__, url_prefix="/inspector")
PAGE_SIZE = 30
BATCH_SORTS = {"harvest": (Batch.harvest_date,), "lot": (Batch.lot_code,),
               "status": (Batch.status,), "weight": (Batch.quantity_g,)}
RECALL_SORTS = {"created": (RecallRecord.created_at,), "status": (RecallRecord.status,)}


@bp.get("/batches")
@roles_required(Role.INSPECTOR, Role.ADMIN)
def batches():
    form = BatchSearchForm(formdata=request.args)
    form.status.choices = options(
        [("", _("All")), *((s.value, batch_service.batch_status_label(s)) for s in BatchStatus)]
    )
    products = db.session.scalars(select(Product).order_by(Product.id)).all()
    form.product.choices = options(
        [("", _("All")), *((str(p.id), product_label(p)) for p in products)]
    )
    table = TableQuery("inspector.batches", BATCH_SORTS, default="harvest", page_size=PAGE_SIZE)
    rows = []
    valid = form.validate()
    if valid:
        stmt = batch_service.search_batches_query(
            actor(),
            county_code=form.county.data or None,
            status=BatchStatus(form.status.data) if form.status.data else None,
            product_id=int(form.product.data) if form.product.data else None,
            q=(form.lot.data or "").strip() or None,
        )
        rows = db.session.scalars(
            for_batch_cards(table.page_of(table.order_by(stmt, Batch.id)))).all()
    found = batch_service.attach_facts(db.session, table.with_rows(rows))
    return render_template("trace/inspector/batches.html", form=form, batches=found,
                           table=table), 200 if valid else 422


@bp.get("/batches/<int:batch_id>/trace")
@roles_required(Role.INSPECTOR, Role.ADMIN)
def trace(batch_id: int):
    """Where a lot came from and where it went: farms and input lots, lots made from it,
    shipments, buyers and other consignees; export and hold or recall from here."""
    user = actor()
    batch = batch_service.get_batch(db.session, user, batch_id)
    backward = lot_trace.trace_lot(db.session, user, batch, "backward")
    forward = lot_trace.trace_lot(db.session, user, batch, "forward")
    batch_service.attach_facts(db.session, forward.batches + backward.batches)
    return render_template("trace/inspector/trace.html", batch=batch, backward=backward,
                           forward=forward)


def _batch_for_lot(code: str) -> Batch | None:
    found = db.session.scalars(select(Batch).where(Batch.lot_code == code).limit(2)).all()
    if len(found) > 1:
        raise InvalidInput.field("lot", _("Several producers use this lot code: open the lot "
                                          "from the batch search and export from its trace."))
    return found[0] if found else None


@bp.get("/records")
@roles_required(Role.INSPECTOR, Role.ADMIN)
def export():
    """The FSMA 204 sortable spreadsheet for a lot or a date range (a form without arguments)."""
    form = RecordsExportForm(formdata=request.args)
    if not request.args:
        return render_template("trace/inspector/records.html", form=form)
    user = actor()
    try:
        if not form.validate():
            raise InvalidInput()
        batch, batch_id = None, request.args.get("batch_id", type=int)
        if batch_id:
            batch = batch_service.get_batch(db.session, user, batch_id)
        elif form.lot.data:
            batch = _batch_for_lot(form.lot.data.strip())
            if batch is None:
                raise InvalidInput.field("lot", _("No lot with this code."))
        sheet = trace_records.spreadsheet(
            db.session, user, form.format.data or "xlsx", str(get_locale()), batch=batch,
            date_from=None if batch else form.date_from.data,
            date_to=None if batch else form.date_to.data)
    except InvalidInput as error:
        show_errors(form, error)
        return render_template("trace/inspector/records.html", form=form), 422
    return Response(sheet.data, mimetype=sheet.mimetype, headers={
        "Content-Disposition": f'attachment; filename="{sheet.filename}"',
        "X-Record-Rows": str(sheet.rows)})


@bp.get("/recalls")
@roles_required(Role.INSPECTOR, Role.ADMIN)
def recalls():
    """召回记录: every hold and recall (lot, reason, when, by whom, who was told, status)."""
    form = RecallSearchForm(formdata=request.args)
    valid = form.validate()
    table = TableQuery("inspector.recalls", RECALL_SORTS, default="created", page_size=PAGE_SIZE)
    stmt = table.order_by(recall_service.records_query(
        actor(), lot=(form.lot.data or "").strip() or None if valid else None,
        status=BatchStatus(form.status.data) if valid and form.status.data else None),
        RecallRecord.id)
    rows = db.session.scalars(table.page_of(stmt).options(
        selectinload(RecallRecord.batch).selectinload(Batch.product),
        selectinload(RecallRecord.batch).selectinload(Batch.producer),
        selectinload(RecallRecord.actor), selectinload(RecallRecord.recipients))).all()
    return render_template("trace/inspector/recalls.html", records=table.with_rows(rows),
                           table=table, form=form), 200 if valid else 422


@bp.get("/recalls/<int:record_id>")
@roles_required(Role.INSPECTOR, Role.ADMIN)
def recall(record_id: int):
    """One hold or recall with everyone it told."""
    return render_template("trace/inspector/recall.html",
                           record=recall_service.get_record(db.session, actor(), record_id))

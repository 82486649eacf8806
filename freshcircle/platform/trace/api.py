"""Lot genealogy: split and merge lots, trace a lot forwards and backwards, and the FSMA 204
records spreadsheet for a lot or a date range."""

from __future__ import annotations

from flask import Response
from flask_babel import get_locale
from flask_smorest import Blueprint

from freshcircle.platform.batches.schemas.batches import BatchSchema
from freshcircle.platform.batches.services import batches, transformations
from freshcircle.platform.extensions import db
from freshcircle.platform.models import Batch, Role
from freshcircle.platform.trace.schemas import (
    MergeSchema,
    RecordsFormatSchema,
    RecordsRangeSchema,
    SplitSchema,
    TraceQuerySchema,
    TraceSchema,
)
from freshcircle.platform.trace.services import lot_trace, trace_records
from freshcircle.platform.web.api import actor, actor_with_role
from freshcircle.platform.web.idempotency import idempotent

blp = Blueprint("genealogy", __name__, url_prefix="/batches",
                description="Lot genealogy: split, merge, forward and backward trace")


def _with_facts(lots: list[Batch]) -> list[Batch]:
    return batches.attach_facts(db.session, lots)


@blp.post("/<int:batch_id>/split")
@idempotent(blp)
@blp.arguments(SplitSchema)
@blp.response(201, BatchSchema(many=True))
@blp.alt_response(409, description="Not enough left, or the lot is held, recalled or unsafe")
def split_batch(data, batch_id):
    """Split part of a lot into new lots, one per part (new lot codes; a TransformationEvent
    records every input and output quantity)."""
    user = actor()
    batch = batches.get_batch(db.session, user, batch_id)
    return _with_facts(transformations.split_batch(db.session, user, batch, data["parts"])), 201


@blp.post("/merge")
@idempotent(blp)
@blp.arguments(MergeSchema)
@blp.response(201, BatchSchema)
@blp.alt_response(409, description="Not enough left, or a lot is held, recalled or unsafe")
def merge_batches(data):
    """Merge lots of one producer and product into a new lot."""
    merged = transformations.merge_batches(db.session, actor(), data["inputs"])
    return _with_facts([merged])[0], 201


@blp.get("/<int:batch_id>/trace")
@blp.arguments(TraceQuerySchema, location="query")
@blp.response(200, TraceSchema)
def trace_batch(query, batch_id):
    """Inspectors: forward trace (lots made from it, shipments, buyers, consignees) or
    backward trace (input lots and the farms and plots they came from)."""
    user = actor_with_role(Role.INSPECTOR, Role.ADMIN)
    batch = batches.get_batch(db.session, user, batch_id)
    result = lot_trace.trace_lot(db.session, user, batch, query["direction"])
    _with_facts([result.start])
    return result


SPREADSHEET = {"content": {mime: {"schema": {"type": "string", "format": "binary"}}
                           for mime in trace_records.MIMETYPES.values()}}


def _download(sheet: trace_records.Spreadsheet):
    return Response(sheet.data, mimetype=sheet.mimetype, headers={
        "Content-Disposition": f'attachment; filename="{sheet.filename}"',
        "X-Record-Rows": str(sheet.rows)})


@blp.get("/<int:batch_id>/records")
@blp.arguments(RecordsFormatSchema, location="query")
@blp.response(200, description="The spreadsheet")
@blp.doc(responses={"200": SPREADSHEET})
def lot_records(query, batch_id):
    """Inspectors: the FSMA 204 sortable spreadsheet (CSV or XLSX) of a lot, the lots it came
    from and the lots made from it: one row per tracking event and lot."""
    user = actor_with_role(Role.INSPECTOR, Role.ADMIN)
    batch = batches.get_batch(db.session, user, batch_id)
    return _download(trace_records.spreadsheet(db.session, user, query["format"],
                                               _language(), batch=batch))


records_blp = Blueprint("records", __name__, url_prefix="/records",
                        description="FSMA 204 records for a date range")


@records_blp.get("")
@records_blp.arguments(RecordsRangeSchema, location="query")
@records_blp.response(200, description="The spreadsheet")
@records_blp.doc(responses={"200": SPREADSHEET})
def range_records(query):
    """The FSMA 204 sortable spreadsheet of every event the caller may see between two dates
    (China time, both included; at most two years)."""
    return _download(trace_records.spreadsheet(
        db.session, actor(), query["format"], _language(), date_from=query["date_from"],
        date_to=query["date_to"]))


def _language() -> str:
    return str(get_locale())

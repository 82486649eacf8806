"""The EPCIS records behind the FSMA 204 recall spreadsheet, and the spreadsheet itself: for a
lot (with every lot it came from and every lot made from it) or for a date range.

Events are found through `epcis_event_lots`, so an event naming several lots (a merge, a
shipment of two lots) is in the records of each. Visibility is the event store's: inspectors
and admins see everything, producers their own lots, carriers what they carried.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from freshcircle.platform.core.services.access import require_role
from freshcircle.platform.core.services.clock import CHINA
from freshcircle.platform.core.services.errors import InvalidInput
from freshcircle.platform.ledger.services.epcis_store import QUERY_ROLES, visible_filter
from freshcircle.platform.models import (
    Batch,
    EpcisEventLot,
    EpcisEventRecord,
    Product,
    Role,
    TradeItem,
    User,
)
from freshcircle.platform.trace.services import lot_trace
from freshcircle.platform.trace.services.trace_export import export_filename, write_csv, write_xlsx
from freshcircle.traceability.fsma import kde_rows

CHUNK = 500


def lots_of_trace(session: Session, actor: User, batch: Batch) -> list[tuple[str, str]]:
    """(GTIN, lot) of the lot and every lot in its backward and forward trace."""
    keys: dict[tuple[str, str], None] = {}
    start = lot_trace.start_node(session, batch)
    if start:
        gtin = start.split("/")[1]
        keys[(gtin, batch.lot_code)] = None
    for direction in ("backward", "forward"):
        for traced in lot_trace.trace_lot(session, actor, batch, direction).lots:
            if traced.gtin and traced.lot:
                keys[(traced.gtin, traced.lot)] = None
    return list(keys)


def _bodies(session: Session, stmt) -> Iterator[dict[str, Any]]:
    for body in session.scalars(stmt.execution_options(yield_per=CHUNK)):
        yield json.loads(body)


def lot_records(session: Session, actor: User, batch: Batch) -> list[dict[str, Any]]:
    """Every event about the lot and its traced lots, oldest first, each once."""
    keys = lots_of_trace(session, actor, batch)
    if not keys:
        return []
    ids = select(EpcisEventLot.event_record_id).where(
        tuple_(EpcisEventLot.gtin, EpcisEventLot.lot_code).in_(keys))
    stmt = (select(EpcisEventRecord.body)
            .where(EpcisEventRecord.id.in_(ids), visible_filter(actor))
            .order_by(EpcisEventRecord.event_time, EpcisEventRecord.id))
    return list(_bodies(session, stmt))


def range_records(session: Session, actor: User, date_from: dt.datetime,
                  date_to: dt.datetime) -> Iterator[dict[str, Any]]:
    """Every event the actor may see with date_from <= event time < date_to, oldest first."""
    stmt = (select(EpcisEventRecord.body)
            .where(EpcisEventRecord.event_time >= date_from,
                   EpcisEventRecord.event_time < date_to, visible_filter(actor))
            .order_by(EpcisEventRecord.event_time, EpcisEventRecord.id))
    return _bodies(session, stmt)


def describer(session: Session):
    """A (gtin, lot) -> product description callback for the spreadsheet: the product's
    Chinese and English names and the variety, for lots of this platform."""
    cache: dict[tuple[str, str], str | None] = {}

    def describe(gtin: str, lot: str) -> str | None:
        if (gtin, lot) not in cache:
            row = session.execute(
                select(Product.name_zh, Product.name_en, Batch.variety)
                .join(Batch, Batch.product_id == Product.id)
                .join(TradeItem, (TradeItem.producer_id == Batch.producer_id)
                      & (TradeItem.product_id == Batch.product_id))
                .where(TradeItem.gtin == gtin, Batch.lot_code == lot)).first()
            cache[(gtin, lot)] = (" ".join(p for p in (row[0], row[1], row[2]) if p)
                                  if row else None)
        return cache[(gtin, lot)]

    return describe


@dataclass(frozen=True)
class Spreadsheet:
    filename: str
    mimetype: str
    data: bytes
    rows: int


MIMETYPES = {"csv": "text/csv; charset=utf-8",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
MAX_RANGE = dt.timedelta(days=731)  # records are kept two years (DOMAIN.md section 4)


def china_day_bounds(date_from: dt.date, date_to: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """From the start of date_from to the end of date_to, days as counted in China."""
    start = dt.datetime.combine(date_from, dt.time(), CHINA)
    return start, dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(), CHINA)


def spreadsheet(session: Session, actor: User, fmt: str, lang: str, *,
                batch: Batch | None = None, date_from: dt.date | None = None,
                date_to: dt.date | None = None) -> Spreadsheet:
    """The FSMA 204 sortable spreadsheet for a lot (and its traced lots) or a date range."""
    if batch is not None:
        require_role(actor, Role.INSPECTOR, Role.ADMIN)
        events: Iterable[dict[str, Any]] = lot_records(session, actor, batch)
    else:
        if date_from is None or date_to is None:
            raise InvalidInput.field("lot", _l("Give a lot or a date range."))
        if date_to < date_from:
            raise InvalidInput.field("date_to", _l("The end date is before the start date."))
        if date_to - date_from > MAX_RANGE:
            raise InvalidInput.field("date_to", _l("At most two years at a time."))
        require_role(actor, *QUERY_ROLES)
        events = range_records(session, actor, *china_day_bounds(date_from, date_to))
    rows = kde_rows(events, describe=describer(session))
    stream = io.BytesIO()
    (write_xlsx if fmt == "xlsx" else write_csv)(rows, stream, lang)
    name = export_filename(lot=batch.lot_code if batch else None, date_from=date_from,
                           date_to=date_to, ext=fmt)
    return Spreadsheet(name, MIMETYPES[fmt], stream.getvalue(), len(rows))

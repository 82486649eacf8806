"""Sales reports for producers and admins: by batch, member, buyer and period, and as CSV.

A sale is a line of an order that is not cancelled; its weight is the weight delivered once it
is known (catch-weight), else the weight ordered, and its amount is worked out per line as the
invoice does (`money.amount_fen`, half-up to the fen), so a report adds up to the invoices.
Freight is not a sale of the producer's goods and is left out. Periods go by dispatch day.

A member of a producer sees its producers' sales; an admin sees everyone's (or one producer's
with `producer_id`); anyone else is refused.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from freshcircle.platform.core.services.access import member_producer_ids
from freshcircle.platform.core.services.csv_files import CsvWriter
from freshcircle.platform.core.services.errors import InvalidInput, PermissionDenied
from freshcircle.platform.core.services.money import amount_fen, fen_to_yuan
from freshcircle.platform.core.services.quantities import grams_to_jin, grams_to_kg
from freshcircle.platform.models import (
    Batch,
    BuyerProfile,
    Order,
    OrderLine,
    OrderStatus,
    Product,
    Role,
    User,
)

GROUPINGS = ("batch", "member", "buyer", "day", "week", "month")
GROUPING_LABELS = {
    "batch": _l("By batch"), "member": _l("By member"), "buyer": _l("By buyer"),
    "day": _l("By day"), "week": _l("By week"), "month": _l("By month"),
}


@dataclass
class ReportRow:
    key: str
    label: str
    orders: int = 0
    grams: int = 0
    amount_fen: int = 0


@dataclass(frozen=True)
class Report:
    by: str
    date_from: dt.date | None
    date_to: dt.date | None
    rows: list[ReportRow]
    total: ReportRow


def _scope(session: Session, actor: User, producer_id: int | None):
    """The producer ids the actor may report on (None: all)."""
    if actor.role == Role.ADMIN:
        return None if producer_id is None else {producer_id}
    if actor.role not in (Role.FARMER, Role.COOP_ADMIN):
        raise PermissionDenied(_l("Only producers and admins can see sales reports."))
    mine = member_producer_ids(session, actor)
    if producer_id is not None:
        if producer_id not in mine:
            raise PermissionDenied(_l("Only producers and admins can see sales reports."))
        return {producer_id}
    return mine


def _period(day: dt.date, by: str) -> tuple[str, str]:
    if by == "day":
        return day.isoformat(), day.isoformat()
    if by == "week":
        year, week, _weekday = day.isocalendar()
        monday = day - dt.timedelta(days=day.isoweekday() - 1)
        return f"{year}-W{week:02d}", _("Week of %(day)s", day=monday.isoformat())
    return f"{day:%Y-%m}", f"{day:%Y-%m}"


def _key(row, by: str, locale: str) -> tuple[str, str]:
    if by == "batch":
        product = row.name_en if locale == "en" else row.name_zh
        return row.lot_code, f"{row.lot_code} · {product}"
    if by == "member":
        if row.member_id is None:
            return "-", _("Not recorded")
        return str(row.member_id), row.member_name
    if by == "buyer":
        return str(row.buyer_id), row.company or row.buyer_name
    return _period(row.dispatch_date, by)


def sales_report(session: Session, actor: User, by: str = "batch",
                 date_from: dt.date | None = None, date_to: dt.date | None = None,
                 producer_id: int | None = None, locale: str = "zh") -> Report:
    """Rows of one grouping (see GROUPINGS), largest amount first for batch, member and
    buyer, in date order for periods; with their total."""
    if by not in GROUPINGS:
        raise InvalidInput.field("by", _l("Not a valid choice."))
    if date_from and date_to and date_from > date_to:
        raise InvalidInput.field("date_to", _l("The end date is before the start date."))
    producers = _scope(session, actor, producer_id)
    member, buyer = aliased(User), aliased(User)
    stmt = (
        select(OrderLine.quantity_g, OrderLine.delivered_g, OrderLine.price_fen_per_jin,
               Order.id.label("order_id"), Order.buyer_id, Order.dispatch_date,
               Batch.lot_code, Product.name_zh, Product.name_en,
               Batch.created_by_id.label("member_id"), member.name.label("member_name"),
               buyer.name.label("buyer_name"), BuyerProfile.company)
        .join(Order, Order.id == OrderLine.order_id)
        .join(Batch, Batch.id == OrderLine.batch_id)
        .join(Product, Product.id == Batch.product_id)
        .join(buyer, buyer.id == Order.buyer_id)
        .outerjoin(member, member.id == Batch.created_by_id)
        .outerjoin(BuyerProfile, BuyerProfile.user_id == Order.buyer_id)
        .where(Order.status.not_in((OrderStatus.CANCELLED, OrderStatus.DECLINED)))
    )
    if producers is not None:
        stmt = stmt.where(Order.producer_id.in_(producers))
    if date_from:
        stmt = stmt.where(Order.dispatch_date >= date_from)
    if date_to:
        stmt = stmt.where(Order.dispatch_date <= date_to)
    groups: dict[str, ReportRow] = {}
    orders_in: dict[str, set[int]] = {}
    total = ReportRow("", _("Total"))
    all_orders: set[int] = set()
    for row in session.execute(stmt):
        key, label = _key(row, by, locale)
        group = groups.setdefault(key, ReportRow(key, label))
        grams = row.delivered_g if row.delivered_g is not None else row.quantity_g
        amount = amount_fen(grams, row.price_fen_per_jin)
        group.grams += grams
        group.amount_fen += amount
        total.grams += grams
        total.amount_fen += amount
        orders_in.setdefault(key, set()).add(row.order_id)
        all_orders.add(row.order_id)
    for key, group in groups.items():
        group.orders = len(orders_in[key])
    total.orders = len(all_orders)
    rows = list(groups.values())
    if by in ("day", "week", "month"):
        rows.sort(key=lambda r: r.key)
    else:
        rows.sort(key=lambda r: (-r.amount_fen, r.label))
    return Report(by, date_from, date_to, rows, total)


def csv_columns() -> list[str]:
    return [_("Key"), _("Name"), _("Number of orders"), _("Weight (jin)"), _("Weight (kg)"),
            _("Amount (yuan)")]


def report_csv(report: Report) -> bytes:
    """The report's rows and total as CSV, UTF-8 with a BOM so Excel reads the Chinese."""
    out = io.StringIO()
    writer = CsvWriter(out)
    writer.writerow(csv_columns())
    for row in _with_total(report.rows, report.total):
        writer.writerow([row.key, row.label, row.orders, grams_to_jin(row.grams),
                         grams_to_kg(row.grams), fen_to_yuan(row.amount_fen)])
    return out.getvalue().encode("utf-8")


def _with_total(rows: Iterable[ReportRow], total: ReportRow) -> Iterable[ReportRow]:
    yield from rows
    yield total

"""Sales reports for producers and admins: by batch, member, buyer or period; JSON or CSV."""

from __future__ import annotations

from flask import Response
from flask_babel import get_locale
from flask_smorest import Blueprint

from freshcircle.platform.core.services.money import format_money
from freshcircle.platform.extensions import db
from freshcircle.platform.market.schemas.sales_reports import (
    SalesReportQuerySchema,
    SalesReportSchema,
)
from freshcircle.platform.market.services import sales_reports
from freshcircle.platform.web.api import actor

blp = Blueprint("sales_reports", __name__, url_prefix="/reports",
                description="Sales reports (producers and admins)")


def _row(row, locale: str) -> dict:
    return {"key": row.key, "label": row.label, "orders": row.orders, "grams": row.grams,
            "amount_fen": row.amount_fen, "amount": format_money(row.amount_fen, locale)}


@blp.get("/sales")
@blp.arguments(SalesReportQuerySchema, location="query")
@blp.response(200, SalesReportSchema)
@blp.alt_response(403, description="Not a producer member or admin, or not their producer")
def sales(query):
    """Sales of non-cancelled orders grouped `by` batch, member (who registered the batch),
    buyer, day, week or month of dispatch, with the total.

    Weights are the delivered weight where known (catch-weight), else as ordered; amounts in
    fen per line as on the invoice, freight left out. Members see their producers' sales,
    admins everyone's. `format=csv` answers the same rows as CSV (UTF-8 with a BOM).
    """
    locale = str(get_locale() or "zh")
    report = sales_reports.sales_report(
        db.session, actor(), query["by"], query["date_from"], query["date_to"],
        query["producer_id"], locale)
    if query["format"] == "csv":
        return Response(sales_reports.report_csv(report), mimetype="text/csv",
                        headers={"Content-Disposition":
                                 f"attachment; filename=sales-{report.by}.csv"})
    return {"by": report.by, "date_from": report.date_from, "date_to": report.date_to,
            "rows": [_row(r, locale) for r in report.rows],
            "total": _row(report.total, locale)}

"""An order's invoice and packing list as PDFs (Chinese, or English with Accept-Language: en)."""

from __future__ import annotations

import io

from flask import send_file
from flask_babel import get_locale
from flask_smorest import Blueprint

from ..extensions import db
from ..services import order_documents, orders
from .common import actor

blp = Blueprint("order_documents", __name__, url_prefix="/orders",
                description="Invoices and packing lists of orders (PDF)")


def _pdf(data: bytes, filename: str):
    response = send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=True,
                         download_name=filename, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@blp.get("/<int:order_id>/invoice")
@blp.response(200, description="The invoice (application/pdf)")
@blp.alt_response(404, description="No such order, or not the caller's")
def invoice(order_id):
    """The order's invoice as a PDF: ordered and delivered weight per line, price per 斤 and
    per kg, amounts, freight and total (catch-weight once delivered).

    The buyer, members of the producer and staff may have it; others get 404.
    """
    order = orders.get_order(db.session, actor(), order_id)
    return _pdf(order_documents.invoice_pdf(db.session, order, str(get_locale() or "zh")),
                f"invoice-{order.id}.pdf")


@blp.get("/<int:order_id>/packing-list")
@blp.response(200, description="The packing list (application/pdf)")
@blp.alt_response(404, description="No such order, or not the caller's")
def packing_list(order_id):
    """The order's packing list as a PDF: its lines grouped by batch (lot code, product,
    weight). Same permissions as the invoice."""
    order = orders.get_order(db.session, actor(), order_id)
    return _pdf(order_documents.packing_list_pdf(db.session, [order],
                                                 str(get_locale() or "zh")),
                f"packing-list-{order.id}.pdf")

"""An order's invoice and packing list as PDFs (Chinese, or English with Accept-Language: en)."""

from __future__ import annotations

from flask_babel import get_locale
from flask_smorest import Blueprint

from freshcircle.platform.extensions import db
from freshcircle.platform.market.services import order_documents, orders
from freshcircle.platform.web.api import actor
from freshcircle.platform.web.downloads import pdf_response

blp = Blueprint("order_documents", __name__, url_prefix="/orders",
                description="Invoices and packing lists of orders (PDF)")



@blp.get("/<int:order_id>/invoice")
@blp.response(200, description="The invoice (application/pdf)")
@blp.alt_response(404, description="No such order, or not the caller's")
def invoice(order_id):
    """The order's invoice as a PDF: ordered and delivered weight per line, price per 斤 and
    per kg, amounts, freight and total (catch-weight once delivered).

    The buyer, members of the producer and staff may have it; others get 404.
    """
    order = orders.get_order(db.session, actor(), order_id)
    data = order_documents.invoice_pdf(db.session, order, str(get_locale() or "zh"))
    return pdf_response(data, f"invoice-{order.id}.pdf")


@blp.get("/<int:order_id>/packing-list")
@blp.response(200, description="The packing list (application/pdf)")
@blp.alt_response(404, description="No such order, or not the caller's")
def packing_list(order_id):
    """The order's packing list as a PDF: its lines grouped by batch (lot code, product,
    weight). Same permissions as the invoice."""
    order = orders.get_order(db.session, actor(), order_id)
    data = order_documents.packing_list_pdf(db.session, [order], str(get_locale() or "zh"))
    return pdf_response(data, f"packing-list-{order.id}.pdf")

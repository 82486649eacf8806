"""我的订单 for buyers: the list, and an order's page with ordered and delivered weights, the
catch-weight invoice beside the ordered total, its timeline, edits and cancelling before the
cut-off, and confirming receipt after delivery. (The producer's side is /sales.)"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from freshcircle.platform.core.services.errors import DomainError
from freshcircle.platform.core.services.money import amount_fen
from freshcircle.platform.extensions import db
from freshcircle.platform.market.pages.cart import QuantityForm, error_text
from freshcircle.platform.market.pages.sales import SalesFilterForm
from freshcircle.platform.market.services import delivery, orders
from freshcircle.platform.models import Order, OrderStatus, Role
from freshcircle.platform.web.forms import Form
from freshcircle.platform.web.pages import actor, roles_required
from freshcircle.platform.web.table_query import TableQuery

bp = Blueprint("buyer_orders", __name__, url_prefix="/orders")
PAGE_SIZE = 20
STATUS_CLASSES = {
    OrderStatus.PLACED: "badge", OrderStatus.CONFIRMED: "badge badge-ok",
    OrderStatus.PACKED: "badge badge-ok", OrderStatus.SHIPPED: "badge badge-warn",
    OrderStatus.DELIVERED: "badge badge-ok", OrderStatus.COMPLETED: "badge",
    OrderStatus.CANCELLED: "badge badge-bad", OrderStatus.DECLINED: "badge badge-bad",
}
TIMELINE = (
    ("placed_at", _l("Order placed")), ("confirmed_at", _l("Confirmed by the producer")),
    ("packed_at", _l("Packed")), ("shipped_at", _l("Shipped")),
    ("delivered_at", _l("Delivered to your site")), ("completed_at", _l("Receipt confirmed")),
    ("cancelled_at", _l("Cancelled")), ("declined_at", _l("Declined by the producer")),
)


@bp.app_template_global("order_status")
def order_status(status) -> str:
    return str(orders.order_status_label(status))


@bp.app_template_global("order_status_class")
def order_status_class(status) -> str:
    return STATUS_CLASSES[OrderStatus(status)]


def _own_order(order_id: int) -> Order:
    """The signed-in buyer's order; anyone else's is 404 (as the service answers)."""
    user = actor()
    order = orders.get_order(db.session, user, order_id)
    if order.buyer_id != user.id:
        abort(404)
    return order


SORTS = {"placed": (Order.placed_at,), "number": (Order.id,),
         "dispatch": (Order.dispatch_date,), "status": (Order.status,)}


@bp.get("")
@roles_required(Role.BUYER)
def index():
    """The buyer's orders, newest first: filtered by dispatch day and status, sorted by a
    column, paged; cards on a phone, a table at a desk."""
    form = SalesFilterForm(request.args)
    table = TableQuery("buyer_orders.index", SORTS, default="placed", page_size=PAGE_SIZE)
    rows = form.orders_page(table, Order.producer, Order.site, Order.lines)
    return render_template("market/buyer_orders/index.html", orders=rows, table=table,
                           form=form, totals=orders.totals)


def _timeline(order: Order) -> list[tuple[object, dt.datetime]]:
    return [(text, getattr(order, name)) for name, text in TIMELINE if getattr(order, name)]


def _line_amount(line) -> int:
    """What the line costs: by the delivered weight once weighed (catch-weight)."""
    return amount_fen(orders.line_grams(line), line.price_fen_per_jin)


@bp.get("/<int:order_id>")
@roles_required(Role.BUYER)
def detail(order_id: int):
    order = _own_order(order_id)
    now = dt.datetime.now(dt.UTC)
    cutoff = delivery.cutoff_for(order.producer, order.dispatch_date)
    return render_template(
        "market/buyer_orders/detail.html", order=order, cutoff=cutoff,
        editable=order.status == OrderStatus.PLACED and now < cutoff,
        cancellable=orders.may_cancel(order, now),
        receivable=order.status == OrderStatus.DELIVERED,
        final=orders.totals(order), ordered=orders.ordered_totals(order),
        weighed=any(line.delivered_g is not None for line in order.lines),
        timeline=_timeline(order), line_amount=_line_amount,
    )


@bp.post("/<int:order_id>/lines/<int:listing_id>")
@roles_required(Role.BUYER)
def change_line(order_id: int, listing_id: int):
    order = _own_order(order_id)
    form = QuantityForm()
    if form.validate_on_submit():
        try:
            orders.change_line(db.session, actor(), order, listing_id, form.quantity.data,
                               form.unit.data or "jin")
        except DomainError as error:
            db.session.rollback()  # a refused change leaves the order as it was
            flash(error_text(error), "error")
        else:
            flash(_("Order changed.") if order.status == OrderStatus.PLACED
                  else _("The order had no lines left and is cancelled."), "ok")
    return redirect(url_for("buyer_orders.detail", order_id=order_id))


def _advance(order_id: int, status: OrderStatus, done):
    order = _own_order(order_id)
    if Form().validate_on_submit():
        try:
            orders.advance(db.session, actor(), order, status)
        except DomainError as error:
            db.session.rollback()
            flash(error_text(error), "error")
        else:
            flash(done, "ok")
    return redirect(url_for("buyer_orders.detail", order_id=order_id))


@bp.post("/<int:order_id>/cancel")
@roles_required(Role.BUYER)
def cancel(order_id: int):
    return _advance(order_id, OrderStatus.CANCELLED,
                    _l("Order cancelled; the stock went back to the producer."))


@bp.post("/<int:order_id>/received")
@roles_required(Role.BUYER)
def received(order_id: int):
    return _advance(order_id, OrderStatus.COMPLETED, _l("Thank you: receipt confirmed."))

"""订单 for producers: their orders by dispatch day and status, an order's page with the next
step (confirm, packed, shipped, delivered with the weight per line), the invoice and packing
list PDFs, and sales reports with a CSV export. Also the buyer's invoice PDF.

Members of a producer (farmers, co-op admins) see their producers' orders; admins see all.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import DateField, HiddenField, RadioField, SelectField, TextAreaField
from wtforms.validators import Optional

from freshcircle.platform.core.services.access import member_producer_ids
from freshcircle.platform.core.services.errors import DomainError, InvalidInput
from freshcircle.platform.core.services.identifiers import format_mobile
from freshcircle.platform.core.services.money import amount_fen, fen_per_kg, format_money
from freshcircle.platform.core.services.quantities import GRAMS_PER_UNIT, grams_to_jin, grams_to_kg
from freshcircle.platform.extensions import db
from freshcircle.platform.market.services import order_documents, orders, sales_reports
from freshcircle.platform.models import BuyerProfile, Order, OrderStatus, Producer, Role
from freshcircle.platform.web.downloads import pdf_response
from freshcircle.platform.web.forms import Form, NumberField, optional_int, options
from freshcircle.platform.web.pages import actor, product_label, roles_required
from freshcircle.platform.web.table_query import TableQuery, kept_back

bp = Blueprint("sales_pages", __name__, url_prefix="/sales")
documents_bp = Blueprint("order_document_pages", __name__)
SELLERS = (Role.FARMER, Role.COOP_ADMIN, Role.ADMIN)
PAGE_SIZE = 50
NEXT_STEP = {OrderStatus.PLACED: OrderStatus.CONFIRMED,
             OrderStatus.CONFIRMED: OrderStatus.PACKED,
             OrderStatus.PACKED: OrderStatus.SHIPPED,
             OrderStatus.SHIPPED: OrderStatus.DELIVERED}
STEP_BUTTONS = {OrderStatus.CONFIRMED: _l("Confirm the order"),
                OrderStatus.PACKED: _l("Mark as packed"),
                OrderStatus.SHIPPED: _l("Mark as shipped"),
                OrderStatus.DELIVERED: _l("Record the delivered weight")}
UNITS = [("jin", _l("jin")), ("kg", _l("kg"))]


def _locale() -> str:
    return str(get_locale() or "zh")


def money(fen: int) -> str:
    return format_money(fen, _locale())


@bp.context_processor
def _helpers():
    return {"money": money, "money_kg": lambda per_jin: money(fen_per_kg(per_jin)),
            "status_label": orders.order_status_label, "format_mobile": format_mobile,
            "line_amount": lambda line: amount_fen(orders.line_grams(line),
                                                   line.price_fen_per_jin)}


class SalesFilterForm(Form):
    """An order list's filters (dispatch day, status), for the seller's and the buyer's."""

    class Meta:
        csrf = False

    day = DateField(_l("Dispatch day"), validators=[Optional()])
    status = SelectField(_l("Status"), default="", choices=options(
        [("", _l("All")), *((s.value, orders.order_status_label(s)) for s in OrderStatus)]))

    def orders_page(self, table: TableQuery, *loads) -> list[Order]:
        """The actor's orders these filters leave (a filter that did not validate is left
        out), in the table's order, the table's page of them, with `loads` loaded."""
        self.validate()
        status = None if self.status.errors else (self.status.data or None)
        stmt = table.order_by(orders.orders_query(actor(), status), Order.id)
        if self.day.data and not self.day.errors:
            stmt = stmt.where(Order.dispatch_date == self.day.data)
        stmt = stmt.options(*(selectinload(load) for load in loads))
        return table.with_rows(list(db.session.scalars(table.page_of(stmt))))


class DeclineForm(Form):
    reason = TextAreaField(_l("Why you decline it (the buyer reads this)"))


def _companies(buyer_ids) -> dict[int, str]:
    rows = db.session.execute(select(BuyerProfile.user_id, BuyerProfile.company)
                              .where(BuyerProfile.user_id.in_(set(buyer_ids))))
    return {user_id: company for user_id, company in rows}


SORTS = {"dispatch": (Order.dispatch_date,), "number": (Order.id,),
         "status": (Order.status,), "placed": (Order.placed_at,)}


@bp.get("")
@roles_required(*SELLERS)
def index():
    """The orders of the actor's producers, newest dispatch day first (grouped by day, with
    the day's packing list), filtered, sorted by a column, paged."""
    form = SalesFilterForm(request.args)
    table = TableQuery("sales_pages.index", SORTS, default="dispatch", page_size=PAGE_SIZE)
    shown = form.orders_page(table, Order.lines, Order.site, Order.producer, Order.buyer)
    return render_template("market/sales/index.html", form=form, orders=shown, table=table,
                           by_day=table.sort == "dispatch", totals=orders.totals,
                           companies=_companies(o.buyer_id for o in shown),
                           grams=lambda o: sum(line.quantity_g for line in o.lines))


def _step_form(order: Order, formdata=None):
    """The next step's form; for delivery, the weight per line (default: as ordered)."""

    class StepForm(Form):
        status = HiddenField()
        unit = RadioField(_l("Weights in"), choices=options(UNITS), default="jin")

    lines = order.lines
    for line in lines:
        setattr(StepForm, f"weight_{line.id}", NumberField(
            f"{line.batch.lot_code} · {product_label(line.batch.product)}",
            places=None, validators=[Optional()]))
    form = StepForm(formdata)
    if formdata is None:
        step = NEXT_STEP.get(order.status)
        form.status.data = step.value if step else ""
        for line in lines:
            getattr(form, f"weight_{line.id}").data = grams_to_jin(line.quantity_g)
    return form


def _weights(order: Order, form) -> dict[int, int]:
    """Grams delivered per line from the form; errors go under each weight field."""
    unit = form.unit.data if form.unit.data in GRAMS_PER_UNIT else "jin"
    delivered, errors = {}, {}
    for line in order.lines:
        value = getattr(form, f"weight_{line.id}").data
        grams = None if value is None else Decimal(value) * GRAMS_PER_UNIT[unit]
        if grams is None or grams < 0 or grams != grams.to_integral_value():
            errors[f"weight_{line.id}"] = [_l("Enter the weight delivered (0 or more).")]
        else:
            delivered[line.id] = int(grams)
    if errors:
        raise InvalidInput(errors=errors)
    return delivered


def _show(form, error: DomainError) -> None:
    if not isinstance(error, InvalidInput):
        form.form_errors.append(str(error.message))
        return
    for name, messages in error.errors.items():
        nested = messages if isinstance(messages, dict) else {None: messages}
        for key, texts in nested.items():
            field = form._fields.get(f"weight_{key}" if key is not None else name)
            texts = [str(t) for t in (texts if isinstance(texts, list | tuple) else [texts])]
            if field is not None:
                field.errors = [*field.errors, *texts]
            else:
                form.form_errors.extend(texts)


def _detail(order: Order, form, status: int = 200, decline_form: DeclineForm | None = None):
    company = _companies([order.buyer_id]).get(order.buyer_id)
    step = NEXT_STEP.get(order.status)
    if decline_form is None and order.status in orders.DECLINABLE:
        decline_form = DeclineForm(formdata=None)
    return render_template(
        "market/sales/detail.html", order=order, form=form, company=company, step=step,
        decline_form=decline_form,
        step_button=STEP_BUTTONS.get(step), final=orders.totals(order),
        ordered=orders.ordered_totals(order),
        weighed=any(line.delivered_g is not None for line in order.lines),
        kg=grams_to_kg, jin=grams_to_jin), status


def _seller_order(order_id: int) -> Order:
    return orders.get_order(db.session, actor(), order_id)


@bp.get("/<int:order_id>")
@roles_required(*SELLERS)
def detail(order_id):
    order = _seller_order(order_id)
    return _detail(order, _step_form(order))


@bp.post("/<int:order_id>/status")
@roles_required(*SELLERS)
def advance(order_id):
    """Move the order one step on; delivery records the weight per line (catch-weight)."""
    order = _seller_order(order_id)
    form = _step_form(order, request.form)
    if not form.validate():
        return _detail(order, form, 422)
    try:
        new = OrderStatus(form.status.data or "")
    except ValueError:
        form.form_errors.append(_("Not a valid choice."))
        return _detail(order, form, 422)
    try:
        delivered = _weights(order, form) if new == OrderStatus.DELIVERED else None
        orders.advance(db.session, actor(), order, new, delivered)
    except DomainError as error:
        _show(form, error)
        db.session.rollback()
        return _detail(db.session.get(Order, order_id), form, error.status_code)
    flash(_("Order #%(id)d is now %(status)s.", id=order.id,
            status=orders.order_status_label(order.status)), "success")
    return redirect(url_for("sales_pages.detail", order_id=order.id, **kept_back()))


@bp.post("/<int:order_id>/decline")
@roles_required(*SELLERS)
def decline(order_id):
    """Decline the order with a reason: the buyer is told and the stock goes back."""
    order = _seller_order(order_id)
    form = DeclineForm()
    if not form.validate():
        return _detail(order, _step_form(order), 400, form)
    try:
        orders.decline(db.session, actor(), order, form.reason.data)
    except DomainError as error:
        db.session.rollback()
        order = db.session.get(Order, order_id)
        texts = error.errors.get("reason") if error.errors else None
        form.reason.errors = [str(t) for t in texts or [error.message]]
        return _detail(order, _step_form(order), error.status_code, form)
    flash(_("Order #%(id)d declined; the buyer is told and the stock is back on sale.",
            id=order.id), "success")
    return redirect(url_for("sales_pages.detail", order_id=order.id, **kept_back()))



@bp.get("/<int:order_id>/invoice.pdf")
@roles_required(*SELLERS)
def invoice_pdf(order_id):
    order = _seller_order(order_id)
    return pdf_response(order_documents.invoice_pdf(db.session, order, _locale()),
                        f"invoice-{order.id}.pdf", inline=True)


@bp.get("/<int:order_id>/packing-list.pdf")
@roles_required(*SELLERS)
def packing_list_pdf(order_id):
    order = _seller_order(order_id)
    return pdf_response(order_documents.packing_list_pdf(db.session, [order], _locale()),
                        f"packing-list-{order.id}.pdf", inline=True)


@bp.get("/day/<day>/packing-list.pdf")
@roles_required(*SELLERS)
def day_packing_list_pdf(day):
    """The packing list of one dispatch day: every order of the actor's producers (or of
    `producer_id`) that is not cancelled, by batch."""
    try:
        date = dt.date.fromisoformat(day)
    except ValueError:
        abort(404)
    stmt = orders.orders_query(actor()).where(
        Order.dispatch_date == date,
        Order.status.not_in((OrderStatus.CANCELLED, OrderStatus.DECLINED)))
    producer_id = request.args.get("producer_id", type=int)
    if producer_id:
        stmt = stmt.where(Order.producer_id == producer_id)
    day_orders = list(db.session.scalars(stmt.order_by(None).order_by(Order.id)))
    if not day_orders:
        abort(404)
    title = _("Packing list for dispatch on %(day)s",
              day=order_documents.date_text(date, _locale()))
    return pdf_response(order_documents.packing_list_pdf(db.session, day_orders, _locale(),
                                                         title),
                        f"packing-list-{date.isoformat()}.pdf", inline=True)


@documents_bp.get("/documents/orders/<int:order_id>/invoice.pdf")
@login_required
def buyer_invoice_pdf(order_id):
    """The invoice for the buyer (and anyone else `orders.get_order` lets see the order)."""
    order = orders.get_order(db.session, actor(), order_id)
    return pdf_response(order_documents.invoice_pdf(db.session, order, _locale()),
                        f"invoice-{order.id}.pdf", inline=True)


class ReportForm(Form):
    class Meta:
        csrf = False

    by = SelectField(_l("Group"), default="batch",
                     choices=options(list(sales_reports.GROUPING_LABELS.items())))
    date_from = DateField(_l("Dispatched from"), validators=[Optional()])
    date_to = DateField(_l("Dispatched until"), validators=[Optional()])
    producer_id = SelectField(_l("Producer"), coerce=optional_int, validate_choice=False)


def _producer_choices() -> list[tuple[int, str]]:
    user = actor()
    stmt = select(Producer.id, Producer.name).order_by(Producer.name)
    if user.role != Role.ADMIN:
        stmt = stmt.where(Producer.id.in_(member_producer_ids(db.session, user)))
    return [(pid, name) for pid, name in db.session.execute(stmt)]


@bp.get("/reports")
@roles_required(*SELLERS)
def reports():
    """Sales by batch, member, buyer or period; `?format=csv` downloads the same rows."""
    form = ReportForm(request.args)
    form.producer_id.choices = [("", _("All")), *_producer_choices()]
    report, status = None, 200
    if form.validate():
        try:
            report = sales_reports.sales_report(
                db.session, actor(), form.by.data or "batch", form.date_from.data,
                form.date_to.data, form.producer_id.data or None, _locale())
        except InvalidInput as error:
            _show(form, error)
            status = 422
    else:
        status = 422
    if report is not None and request.args.get("format") == "csv":
        return Response(sales_reports.report_csv(report), mimetype="text/csv",
                        headers={"Content-Disposition":
                                 f"attachment; filename=sales-{report.by}.csv"})
    csv_url = url_for("sales_pages.reports", **{**request.args.to_dict(), "format": "csv"})
    return render_template("market/sales/reports.html", form=form, report=report, csv_url=csv_url,
                           kg=grams_to_kg), status


def register(app) -> None:
    """Both blueprints of this module (the sales pages and the buyer's invoice)."""
    app.register_blueprint(bp)
    app.register_blueprint(documents_bp)


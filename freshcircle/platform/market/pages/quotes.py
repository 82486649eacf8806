"""询价/报价 pages: a buyer asks and accepts a quote; producers see open requests and answer."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import DateField, RadioField, SelectField, TextAreaField
from wtforms.validators import Optional

from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.core.services.errors import DomainError
from freshcircle.platform.core.services.money import amount_fen, fen_per_kg, format_money
from freshcircle.platform.extensions import db
from freshcircle.platform.market.services import quotes
from freshcircle.platform.models import Listing, ListingStatus, Place, Product, Role
from freshcircle.platform.web.display import weight
from freshcircle.platform.web.forms import (
    Form,
    NumberField,
    at_most,
    optional_int,
    options,
    required,
)
from freshcircle.platform.web.pages import (
    FARM_ROLES,
    actor,
    form_page,
    place_label,
    product_label,
    refusal,
    roles_required,
)

bp = Blueprint("quote_pages", __name__, url_prefix="/quotes")

UNITS = (("jin", _l("jin")), ("kg", _l("kg")))
VALID_DAYS = (1, 2, 3, 7, 14)
STATUS_LABELS = {"offered": _l("Offered"), "expired": _l("Expired"),
                 "accepted": _l("Accepted"), "withdrawn": _l("Withdrawn")}


@bp.app_template_filter("quote_money")
def quote_money(fen: int) -> str:
    """'¥1,234.50' / 'CN¥1,234.50' (this module's own name; the market has its own filter)."""
    return format_money(fen, str(get_locale() or "zh"))


@bp.app_template_filter("quote_money_kg")
def quote_money_kg(fen_per_jin: int) -> str:
    return quote_money(fen_per_kg(fen_per_jin))


@bp.app_template_global("iso_day")
def iso_day(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


@bp.app_template_global("iso_datetime")
def iso_datetime(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


@bp.app_template_filter("quote_state")
def quote_state(quote) -> str:
    return quotes.shown_status(quote)


@bp.app_template_global("quote_status_label")
def quote_status_label(quote) -> str:
    return str(STATUS_LABELS[quotes.shown_status(quote)])


class QuoteRequestForm(Form):
    product_id = SelectField(_l("Product"), coerce=optional_int, validators=[required()])
    quantity = NumberField(_l("Quantity"), places=None, validators=[required()])
    unit = RadioField(_l("Unit"), choices=options(UNITS), default="jin", validators=[required()])
    delivery_date = DateField(_l("Delivery date"), validators=[required()])
    site_id = SelectField(_l("Deliver to"), coerce=optional_int, validators=[required()])
    notes = TextAreaField(_l("Notes (grade, packing, ...)"), validators=[Optional(), at_most(500)])


class QuoteForm(Form):
    listing_id = SelectField(_l("From listing"), coerce=optional_int, validators=[required()])
    price = NumberField(_l("Price (元)"), places=None, validators=[required()])
    unit = RadioField(_l("Per"), choices=options(UNITS), default="jin", validators=[required()])
    freight = NumberField(_l("Freight (元)"), places=None, validators=[Optional()],
                          description=_l("For the whole delivery; 0 if included."))
    valid_until = SelectField(_l("Valid for"), coerce=int, default=3,
                              validators=[required()])


def _product_choices():
    """Products on sale now (a request for anything else would get no answer)."""
    rows = db.session.scalars(select(Product).where(Product.id.in_(
        select(Listing.product_id).where(Listing.status == ListingStatus.ACTIVE))))
    products = sorted(rows, key=product_label)
    return options([("", _l("Choose..."))] + [(p.id, product_label(p)) for p in products])


def _site_choices(user):
    sites = db.session.scalars(select(Place).where(Place.buyer_id == user.id).order_by(Place.id))
    return options([(s.id, place_label(s)) for s in sites])


def _request_form(user, formdata=...) -> QuoteRequestForm:
    form = QuoteRequestForm() if formdata is ... else QuoteRequestForm(formdata=formdata)
    form.product_id.choices = _product_choices()
    form.site_id.choices = _site_choices(user)
    return form


@bp.get("")
@roles_required(Role.BUYER)
def mine():
    """The buyer's requests, each with the quotes it got."""
    user = actor()
    rows = quotes.buyer_requests(db.session, user)
    return render_template("market/quotes/mine.html", requests=rows, products=_names(rows),
                           sites=_sites(rows), is_open=quotes.is_open, amount_fen=amount_fen)


def _names(rows) -> dict[int, Product]:
    ids = {r.product_id for r in rows}
    return {p.id: p for p in db.session.scalars(select(Product).where(Product.id.in_(ids)))}


def _sites(rows) -> dict[int, Place]:
    ids = {r.site_id for r in rows}
    return {p.id: p for p in db.session.scalars(select(Place).where(Place.id.in_(ids)))}


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.BUYER)
def new():
    user = actor()
    form = _request_form(user)
    if not form.is_submitted():
        form.delivery_date.data = today_in_china() + dt.timedelta(days=2)
    tomorrow = today_in_china() + dt.timedelta(days=1)
    if not form.validate_on_submit():
        return form_page("market/quotes/new.html", form, tomorrow=tomorrow)
    try:
        request = quotes.create_request(db.session, user, dict(form.data))
    except DomainError as error:
        return form_page("market/quotes/new.html", form, refusal(error), tomorrow=tomorrow)
    flash(_("Your request is sent to the producers who sell this product."), "success")
    return redirect(url_for("quote_pages.mine", _anchor=f"request-{request.id}"))


@bp.post("/<int:quote_id>/accept")
@roles_required(Role.BUYER)
def accept(quote_id: int):
    user = actor()
    form = Form()
    if not form.validate_on_submit():
        return redirect(url_for("quote_pages.mine"))
    quote = quotes.get_quote(db.session, user, quote_id)
    try:
        order = quotes.accept(db.session, user, quote)
    except DomainError as error:
        if error.status_code in (403, 404):
            raise
        db.session.rollback()
        flash(str(error.message), "error")
        rows = quotes.buyer_requests(db.session, user)
        return render_template("market/quotes/mine.html", requests=rows, products=_names(rows),
                               sites=_sites(rows), is_open=quotes.is_open,
                               amount_fen=amount_fen, error=str(error.message)), error.status_code
    flash(_("Quote accepted: order #%(id)d is confirmed at the quoted price.", id=order.id),
          "success")
    return redirect(url_for("quote_pages.mine", _anchor=f"request-{quote.request_id}"))


@bp.get("/open")
@roles_required(*FARM_ROLES)
def open_requests():
    """Requests for products the producer lists now, with the quotes it already gave."""
    user = actor()
    rows = quotes.open_requests(db.session, user)
    mine = {r.id: quotes.visible_quotes(db.session, user, r) for r in rows}
    return render_template("market/quotes/open.html", requests=rows, products=_names(rows),
                           sites=_sites(rows), mine=mine)


def _quote_form(user, request, formdata=...) -> QuoteForm:
    form = QuoteForm() if formdata is ... else QuoteForm(formdata=formdata)
    form.listing_id.choices = options([
        (listing.id, f"{listing.batch.lot_code} · {_('%(left)s left', left=weight(listing.left_g))}"
                     f" · {quote_money(listing.price_fen_per_jin)}/{_('jin')}")
        for listing in quotes.my_listings_for(db.session, user, request)])
    form.valid_until.choices = options([
        (n, _l("%(n)d days", n=n) if n > 1 else _l("1 day")) for n in VALID_DAYS])
    return form


@bp.route("/requests/<int:request_id>/answer", methods=["GET", "POST"])
@roles_required(*FARM_ROLES)
def answer(request_id: int):
    user = actor()
    request = quotes.get_request(db.session, user, request_id)
    form = _quote_form(user, request)
    context = {"request": request, "product": db.session.get(Product, request.product_id),
               "site": db.session.get(Place, request.site_id),
               "mine": quotes.visible_quotes(db.session, user, request),
               "is_open": quotes.is_open(request)}
    if not form.validate_on_submit():
        return form_page("market/quotes/answer.html", form, **context)
    data = dict(form.data)
    now = dt.datetime.now(dt.UTC)
    data["valid_until"] = now + dt.timedelta(days=form.valid_until.data)
    try:
        quotes.make_quote(db.session, user, request, data, now)
    except DomainError as error:
        return form_page("market/quotes/answer.html", form, refusal(error), **context)
    flash(_("Your quote is sent to the buyer."), "success")
    return redirect(url_for("quote_pages.open_requests", _anchor=f"request-{request.id}"))

"""购物车: add from a listing page, change a line in 斤 or kg, see per producer when it is
dispatched, what freight costs and when it arrives, then check out into orders."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectField, StringField

from freshcircle.platform.core.services import buyer_accounts
from freshcircle.platform.core.services.clock import CHINA
from freshcircle.platform.core.services.errors import Conflict, DomainError, InvalidInput
from freshcircle.platform.core.services.money import fen_per_kg, format_money
from freshcircle.platform.core.services.quantities import grams_to_jin, grams_to_kg
from freshcircle.platform.extensions import db
from freshcircle.platform.market.services import cart, delivery
from freshcircle.platform.models import Role
from freshcircle.platform.web.forms import Form, _halfwidth, optional_int, options
from freshcircle.platform.web.pages import actor, roles_required
from freshcircle.platform.web.redirects import safe_redirect_target

bp = Blueprint("cart_pages", __name__, url_prefix="/cart")


class QuantityForm(Form):
    """A weight typed on a phone, in 斤 (default) or kg."""

    quantity = StringField(_l("Quantity"), filters=[_halfwidth])
    unit = RadioField(_l("Unit"), choices=options([("jin", _l("jin")), ("kg", _l("kg"))]),
                      default="jin")


class AddForm(QuantityForm):
    listing_id = HiddenField()


class CheckoutForm(Form):
    site_id = SelectField(_l("Deliver to"), coerce=optional_int, validate_choice=False)


def _money(fen: int) -> str:
    return format_money(fen, str(get_locale() or "zh"))


@bp.record_once
def _filters(state) -> None:
    """Money filters for these pages (the market pages register the same ones)."""
    filters = state.app.jinja_env.filters
    filters.setdefault("money", _money)
    filters.setdefault("money_kg", lambda fen_per_jin: _money(fen_per_kg(fen_per_jin)))
    filters["jin_value"] = lambda grams: str(grams_to_jin(grams))


def listing_url(listing_id: int) -> str | None:
    """The market page of a listing, once the market pages are there."""
    if "market_pages.listing" not in current_app.view_functions:
        return None
    return url_for("market_pages.listing", listing_id=listing_id or 1) if listing_id \
        else url_for("market_pages.index")


def error_text(error: DomainError) -> str:
    """A service error as one line for a flash message."""
    texts = [str(m) for value in (error.errors or {}).values()
             for m in (value if isinstance(value, list) else [])]
    return " ".join(texts) or str(error.message)


def _back_to(listing_id) -> str:
    """The page the add-to-cart form was on (same site only), else the listing's page."""
    referrer = request.referrer or ""
    parts = urlsplit(referrer)
    same_site = safe_redirect_target(parts.path + (f"?{parts.query}" if parts.query else ""))
    if referrer and parts.netloc == request.host and same_site:
        return same_site
    if "market_pages.listing" in current_app.view_functions and str(listing_id).isdigit():
        return url_for("market_pages.listing", listing_id=int(listing_id))
    return url_for("cart_pages.index")


@bp.post("/add")
@roles_required(Role.BUYER)
def add():
    form = AddForm()
    if not form.validate_on_submit():
        flash(_("This form has expired. Reload the page and try again."), "error")
        return redirect(_back_to(form.listing_id.data))
    try:
        line = cart.add(db.session, actor(), optional_int(form.listing_id.data or None),
                        form.quantity.data, form.unit.data or "jin")
    except DomainError as error:
        flash(error_text(error), "error")
        return redirect(_back_to(form.listing_id.data))
    flash(_("In your cart: %(product)s, now %(jin)s jin (%(kg)s kg).",
            product=_product(line.listing), jin=grams_to_jin(line.quantity_g),
            kg=grams_to_kg(line.quantity_g)), "ok")
    return redirect(_back_to(line.listing_id))


def _product(listing) -> str:
    product = listing.product
    return product.name_en if str(get_locale()) == "en" else product.name_zh


def missed_cutoff(producer, dispatch_date: dt.date, now: dt.datetime) -> dt.datetime | None:
    """The cut-off that closed the producer's earliest dispatch day, when the order has been
    moved to a later one; None when it goes on the earliest day."""
    weekdays = producer.dispatch_weekdays or "1234567"
    day = now.astimezone(CHINA).date() + dt.timedelta(days=1)
    while day < dispatch_date:
        if str(day.isoweekday()) in weekdays:
            return delivery.cutoff_for(producer, day)
        day += dt.timedelta(days=1)
    return None


def _page(status: int = 200, *, site_id=None, error: DomainError | None = None):
    user = actor()
    now = dt.datetime.now(dt.UTC)
    account = buyer_accounts.get_account(db.session, user)
    items = cart.items(db.session, user)
    checkout = CheckoutForm(formdata=None)
    checkout.site_id.choices = options(
        (s.id, s.name_en if str(get_locale()) == "en" else s.name_zh) for s in account.sites)
    known = {s.id for s in account.sites}
    chosen = site_id if site_id in known else account.default_site_id
    if chosen is None and account.sites:
        chosen = account.sites[0].id
    checkout.site_id.data = chosen
    previews, preview_error = {}, None
    if chosen is not None and items:
        try:
            previews = cart.preview(db.session, user, chosen, items, now)
        except DomainError as problem:
            preview_error = problem
    line_errors = cart.line_errors(items, error.errors) if error is not None else {}
    groups = cart.by_producer(items)
    missed = {g.producer.id: missed_cutoff(g.producer, previews[g.producer.id].estimate
                                           .dispatch_date, now)
              for g in groups if g.producer.id in previews}
    return render_template(
        "market/cart/index.html", groups=groups, previews=previews, missed=missed,
        checkout=checkout, has_sites=bool(account.sites), error=error,
        line_errors=line_errors, preview_error=preview_error, listing_url=listing_url,
        grand_total=sum(p.goods_fen + p.estimate.freight_fen for p in previews.values()),
    ), status


@bp.get("")
@roles_required(Role.BUYER)
def index():
    return _page(site_id=request.args.get("site_id", type=int))


@bp.post("/lines/<int:listing_id>")
@roles_required(Role.BUYER)
def change(listing_id: int):
    form = QuantityForm()
    if form.validate_on_submit():
        try:
            line = cart.set_quantity(db.session, actor(), listing_id, form.quantity.data,
                                     form.unit.data or "jin")
        except InvalidInput as error:
            flash(error_text(error), "error")
        else:
            if line is None:
                flash(_("Removed from your cart."), "ok")
    return redirect(url_for("cart_pages.index", site_id=request.form.get("site_id", type=int)))


@bp.post("/lines/<int:listing_id>/remove")
@roles_required(Role.BUYER)
def remove(listing_id: int):
    if Form().validate_on_submit():
        cart.remove(db.session, actor(), listing_id)
        flash(_("Removed from your cart."), "ok")
    return redirect(url_for("cart_pages.index"))


@bp.post("/checkout")
@roles_required(Role.BUYER)
def checkout():
    form = CheckoutForm()
    if not form.validate_on_submit():
        return _page(400)
    try:
        placed = cart.checkout(db.session, actor(), form.site_id.data)
    except (Conflict, InvalidInput) as error:
        # Nothing of a failed checkout may stay: drop what the lines before the failing one
        # reserved and ordered, then show the cart as it was with what is left.
        db.session.rollback()
        return _page(error.status_code, site_id=form.site_id.data, error=error)
    flash(_("Orders placed: %(n)d. The producer confirms each order.", n=len(placed)), "ok")
    if len(placed) == 1:
        return redirect(url_for("buyer_orders.detail", order_id=placed[0].id))
    return redirect(url_for("buyer_orders.index"))

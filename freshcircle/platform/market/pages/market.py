"""The market for buyers: search and filter listings on sale, and a listing's page with its
tests, certificate, traceability link, delivery estimate and an add-to-cart form."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from flask import Blueprint, current_app, g, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import BooleanField, DateField, HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import NumberRange, Optional

from freshcircle.platform.batches.services import certificates
from freshcircle.platform.core.services.clock import CHINA
from freshcircle.platform.core.services.errors import DomainError, InvalidInput
from freshcircle.platform.core.services.identifiers import FUYANG_COUNTIES
from freshcircle.platform.core.services.money import fen_per_kg, format_money
from freshcircle.platform.dispatch.services import shelf_life_view
from freshcircle.platform.extensions import db
from freshcircle.platform.ledger.services import trace_codes
from freshcircle.platform.market.pages import market_facets, market_front, market_table
from freshcircle.platform.market.services import (
    browse_cache,
    browse_facts,
    listing_browse,
    listing_facets,
    search_suggestions,
)
from freshcircle.platform.models import Place, Role
from freshcircle.platform.web.display import weight
from freshcircle.platform.web.downloads import pdf_response
from freshcircle.platform.web.forms import (
    CATEGORY_LABELS,
    GRADES,
    Form,
    NumberField,
    at_most,
    optional_int,
    options,
)
from freshcircle.platform.web.pages import (
    FARM_ROLES,
    STAFF_ROLES,
    actor,
    roles_required,
    show_errors,
)
from freshcircle.platform.web.result_cache import FragmentCache
from freshcircle.platform.web.table_query import back_url
from freshcircle.platform.web.trace_links import trace_href

bp = Blueprint("market_pages", __name__, url_prefix="/market")
READERS = (Role.BUYER, *FARM_ROLES, *STAFF_ROLES)
SORT_LABELS = {"price": _l("Lowest price"), "price_desc": _l("Highest price"),
               "fresh": _l("Freshest"), "harvest": _l("Harvested longest ago"),
               "min_order": _l("Smallest minimum order"),
               "min_order_desc": _l("Largest minimum order"),
               "arrival": _l("Soonest arrival"), "arrival_desc": _l("Latest arrival")}


class MarketSearchForm(Form):
    """GET filters; no CSRF for a read."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[at_most(40)])
    category = SelectField(_l("Category"), default="")
    product = IntegerField(validators=[Optional(), NumberRange(min=1, max=2**31 - 1)])
    county = SelectField(_l("Origin"), default="",
                         choices=options([("", _l("All")), *FUYANG_COUNTIES.items()]))
    grade = SelectField(_l("Grade"), default="",
                        choices=options([("", _l("All")), *((k, k) for k in GRADES)]))
    certified = BooleanField(_l("Certified only"))
    price_min = NumberField(_l("From 元/jin"), places=None, validators=[Optional()])
    price_max = NumberField(_l("To 元/jin"), places=None, validators=[Optional()])
    harvested_from = DateField(_l("Harvested on or after"), validators=[Optional()])
    arrive_by = DateField(_l("Can arrive by"), validators=[Optional()])
    site_id = SelectField(_l("Deliver to"), coerce=optional_int, validate_choice=False)
    sort = SelectField(_l("Sort"), default="price")
    cursor = HiddenField()


# Babel parses a locale given by name on every call (a directory lookup): formatting 60
# amounts and weights that way was most of a market page's time. Prices and weights repeat
# across cards and requests, so each text is made once per process and language.
@lru_cache(maxsize=8192)
def _money(fen: int, locale: str) -> str:
    return format_money(fen, locale)


@lru_cache(maxsize=8192)
def _weight(grams: int, locale: str) -> str:
    return weight(grams)  # reads the locale from the request, which is `locale`


def money(fen: int) -> str:
    return _money(fen, str(get_locale() or "zh"))


@bp.app_template_filter("money")
def money_filter(fen: int) -> str:
    return money(fen)


@bp.app_template_filter("money_kg")
def money_kg_filter(fen_per_jin: int) -> str:
    return money(fen_per_kg(fen_per_jin))


@bp.app_template_filter("weight_both")
def weight_filter(grams: int) -> str:
    """The `weight` filter ('120 斤（60 kg）'), remembered per weight and language."""
    return _weight(grams, str(get_locale() or "zh"))


@bp.app_template_global("mask_phone")
def mask_phone(phone: str | None) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if phone and len(phone) == 11 else ""


def _form(user, sites) -> MarketSearchForm:
    form = MarketSearchForm(request.args)
    form.category.choices = options([("", _l("All")), *CATEGORY_LABELS.items()])
    sorts = [s for s in SORT_LABELS if not listing_browse.by_arrival(s)
             or (sites and listing_browse.arrival_available())]
    form.sort.choices = options((s, SORT_LABELS[s]) for s in sorts)
    form.site_id.choices = options((p.id, p.name_en if str(get_locale()) == "en" else p.name_zh)
                                   for p in sites)
    return form


def _fen(value) -> int | None:
    return None if value is None else int((value * 100).to_integral_value())


def _query(form: MarketSearchForm) -> listing_browse.BrowseQuery:
    arrive_by = None
    if form.arrive_by.data is not None:  # by the end of that day, China time
        arrive_by = dt.datetime.combine(form.arrive_by.data, dt.time(23, 59), tzinfo=CHINA)
    return listing_browse.BrowseQuery(
        q=(form.q.data or "").strip() or None, category=form.category.data or None,
        county=form.county.data or None, product=form.product.data or None,
        certified=bool(form.certified.data),
        grade=form.grade.data or None, price_min=_fen(form.price_min.data),
        price_max=_fen(form.price_max.data), harvested_from=form.harvested_from.data,
        arrive_by=arrive_by, sort=form.sort.data or "price", cursor=form.cursor.data or None)


PAGES = FragmentCache(512)


def _render_browse(form: MarketSearchForm, sites: list, site: Place | None) -> tuple[str, int]:
    """The search form, the cards and the pager for `form`'s search (422 on bad input)."""
    status, results, cursor, groups = 200, None, None, None
    arrival = listing_browse.arrival_available() and bool(sites)
    shown = market_table.context(request.args.to_dict(), arrival and site is not None)
    if not form.errors:
        try:
            query = _query(form)
            now = dt.datetime.now(dt.UTC)
            page = listing_browse.browse(db.session, query, site=site, now=now)
            empty = bool(query.q) and not page.listings and not query.cursor
            suggested = search_suggestions.suggestion(db.session, query.q) if empty else None
            meant = (search_suggestions.product_meant(db.session, query.q)
                     if empty and not suggested else None)
            results = Markup(render_template(
                "market/_results.html", page=page, suggested=suggested, meant=meant,
                none_of_it=meant is not None and search_suggestions.nothing_on_sale(
                    db.session, meant), **shown))
            cursor = page.next_cursor
            facets = listing_facets.facet_counts(db.session, query, site=site, now=now)
            groups = market_facets.facet_groups(facets, request.args.to_dict(),
                                                arrival and site is not None)
        except InvalidInput as error:
            show_errors(form, error)
            status = 422
    else:
        status = 422
    next_url = first_url = None
    if cursor:
        args = request.args.to_dict()
        args["cursor"] = cursor
        next_url = url_for("market_pages.index", **args)
    if request.args.get("cursor"):
        args = request.args.to_dict()
        args.pop("cursor")
        first_url = url_for("market_pages.index", **args)
    html = render_template(
        "market/_browse.html", form=form, results=results, next_url=next_url,
        first_url=first_url, arrival=arrival, facets=groups, **shown)
    return html, status


@bp.get("")
@roles_required(*READERS)
def index():
    """The same search shows every buyer of one site the same form, cards and pager: they
    are cached under the market data version (`browse_cache`), the site, the buyer's list of
    sites (the form's choices), the language and the query; only the page around them (the
    signed-in user's header) is rendered per request. A form with errors is never cached."""
    user = actor()
    raw = request.args.get("site_id", "")
    site_id = int(raw) if raw.lstrip("-").isdigit() else None
    problem = None
    try:
        view = browse_cache.buyer_view(db.session, user, site_id)
    except InvalidInput as error:  # not one of their sites
        view, problem = browse_cache.buyer_view(db.session, user, None), error
    ttl = current_app.config.get("MARKET_RESULTS_CACHE_SECONDS", 3600)
    key = (view.version, str(get_locale()), user.role == Role.BUYER,
           view.site.id if view.site else None,
           tuple((p.id, p.name_zh, p.name_en) for p in view.sites),
           tuple(sorted((k, v) for k, v in request.args.items(multi=True))))
    # Only a valid search is cached, so a hit needs no form: the same query, sites and
    # language made the same form.
    hit = PAGES.get(key, ttl) if problem is None else None
    if hit is not None:
        html, status = hit
        return _page(user, view, html, view.site, status)
    form = _form(user, view.sites)
    valid = form.validate()
    if problem is not None:
        show_errors(form, problem)
    site = view.site if valid and problem is None else None
    if form.errors:
        html, status = _render_browse(form, view.sites, site)
    else:
        html, status = PAGES.get_or_make(key, ttl, lambda: _render_browse(form, view.sites, site))
    return _page(user, view, html, site, status)


def _page(user, view: browse_cache.BuyerView, browse: str, site: Place | None, status: int):
    """The whole page around the browse fragment; a page the front (market_front.py) handed
    over is given back to it with the facts it was rendered with, for the next view."""
    page = render_template("market/index.html", browse=Markup(browse), site=site)
    ticket = market_front.ticket(request.environ)
    if ticket is not None and status == 200:
        facts = browse_facts.of_view(user, view, g.get("unread_notices"))
        ticket.rendered(facts, page,
                        g.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")))
    return page, status


def _trace_link(listing) -> str | None:
    """Where the 追溯 button leads: the lot's signed GS1 Digital Link, or with the example
    trace domain this server's own resolver path (`web.trace_links`)."""
    settings = current_app.extensions.get("trace_settings")
    if settings is None:
        return None
    item = trace_codes.trade_item_for(db.session, settings, listing.producer_id,
                                      listing.product_id)
    return trace_href(trace_codes.signed_lot_uri(settings, item, listing.batch))


def _cart_action() -> str:
    """The cart's add route when it exists, else the path it will have."""
    if "cart_pages.add" in current_app.view_functions:
        return url_for("cart_pages.add")
    return "/cart/add"


@bp.get("/listings/<int:listing_id>")
@roles_required(*READERS)
def listing(listing_id: int):
    from freshcircle.platform.core.services.access import can_view_internal

    user = actor()
    item = listing_browse.visible_listing(db.session, user, listing_id)
    site = listing_browse.buyer_site(db.session, user) if user.role == Role.BUYER else None
    estimate = None
    if site is not None:
        estimate = listing_browse.estimates_for(db.session, site, [item.producer_id],
                                                item.min_order_g).get(item.producer_id)
    try:
        trace_link = _trace_link(item)
    except DomainError:
        trace_link = None
    life = shelf_life_view.predicted_life(db.session, item.batch, dt.datetime.now(dt.UTC))
    return render_template(
        "market/listing.html", listing=item, tests=listing_browse.residue_tests(db.session, item),
        site=site, estimate=estimate, trace_link=trace_link, life=life,
        certificate_url=url_for("market_pages.certificate", listing_id=item.id),
        member=can_view_internal(db.session, user, item.producer_id),
        buyer=user.role == Role.BUYER, cart_action=_cart_action(),
        category_labels=CATEGORY_LABELS, back_to_market=back_url("market_pages.index"),
    )


@bp.get("/listings/<int:listing_id>/certificate.pdf")
@roles_required(*READERS)
def certificate(listing_id: int):
    """The batch's 承诺达标合格证: it travels with the goods, so a buyer may read it before
    ordering (members and staff also have it on the batch page)."""
    item = listing_browse.visible_listing(db.session, actor(), listing_id)
    data = certificates.certificate_pdf(db.session, item.batch,
                                        current_app.extensions["trace_settings"])
    return pdf_response(data, f"certificate-{item.batch.lot_code}.pdf")

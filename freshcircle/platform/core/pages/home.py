"""Start pages: visitors land on the public showcase 阜阳好物, each role on its own page
(farmers on 我的批次, buyers on their open orders, unread notices and the market). Language
switch."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from freshcircle.platform.batches.services import batches as batch_service
from freshcircle.platform.core.services import notices
from freshcircle.platform.extensions import db
from freshcircle.platform.farms.services.producers import producers_query
from freshcircle.platform.market.services import listing_browse, orders
from freshcircle.platform.models import Order, OrderStatus, Role
from freshcircle.platform.web.pages import FARM_ROLES, actor, for_batch_cards, landing_url
from freshcircle.platform.web.redirects import safe_redirect_target

bp = Blueprint("home", __name__)
PAGE_SIZE = 30


@bp.get("/")
def index():
    if not current_user.is_authenticated:
        # Visitors get 阜阳好物, the public showcase (its own feature: called by endpoint, as
        # pages never import another feature's pages).
        return current_app.view_functions["showcase.index"]()
    user = actor()
    if user.role == Role.BUYER:
        return buyer_home(user)
    if user.role not in FARM_ROLES:
        return redirect(landing_url(user))
    return dashboard(user)


OPEN_ORDERS = [s for s in OrderStatus if s not in (OrderStatus.COMPLETED, OrderStatus.CANCELLED)]
HOME_NOTICES = 5
HOME_LISTINGS = 4


def buyer_home(user):
    """The buyer's start: open orders (each linked), unread notices, the market's search and
    a few listings on sale."""
    open_orders = db.session.scalars(
        orders.orders_query(user).where(Order.status.in_(OPEN_ORDERS))
        .options(selectinload(Order.producer), selectinload(Order.site)).limit(10)).all()
    unread = [item for item in notices.inbox(db.session, user, HOME_NOTICES * 4)
              if item.notice.read_at is None][:HOME_NOTICES]
    market = listing_browse.browse(db.session, listing_browse.BrowseQuery(limit=HOME_LISTINGS))
    return render_template("core/home/buyer.html", open_orders=open_orders, unread=unread,
                           unread_total=notices.unread_count(db.session, user), market=market)


def dashboard(user):
    """我的批次: the batches of every producer the farmer belongs to, newest first."""
    page = max(request.args.get("page", 1, type=int), 1)
    rows = db.session.scalars(
        for_batch_cards(batch_service.batches_query(user))
        .limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)
    ).all()
    more = len(rows) > PAGE_SIZE
    batches = batch_service.attach_facts(db.session, list(rows[:PAGE_SIZE]))
    has_producer = db.session.scalar(producers_query(user, mine=True).limit(1)) is not None
    return render_template("core/home/dashboard.html", batches=batches, page=page, more=more,
                           has_producer=has_producer)


@bp.get("/lang/<code>")
def switch_language(code):
    if code in ("zh", "en"):
        session["lang"] = code
    return redirect(safe_redirect_target(request.args.get("next")) or url_for("home.index"))

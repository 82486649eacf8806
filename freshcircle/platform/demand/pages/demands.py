"""Standing demand (求购) pages: a buyer's demands, a new one, one with its ranked matches and
quotes; a producer's matched demands and the button to quote."""

from __future__ import annotations

import datetime as dt
import math

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.core.services.errors import DomainError
from freshcircle.platform.core.services.money import amount_fen
from freshcircle.platform.demand.forms import DemandForm
from freshcircle.platform.demand.services import demands
from freshcircle.platform.extensions import db
from freshcircle.platform.market.services import quotes
from freshcircle.platform.models import BuyerProfile, Place, Role
from freshcircle.platform.web.forms import Form, options, product_choices
from freshcircle.platform.web.pages import (
    FARM_ROLES,
    actor,
    form_page,
    place_label,
    refusal,
    roles_required,
)

bp = Blueprint("demand_pages", __name__, url_prefix="/demands")


@bp.app_template_filter("iso_date")
def iso_date(value) -> dt.date:
    """A date kept as an ISO string in a notice's or a match's facts, as a date."""
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


@bp.app_template_filter("week_end")
def week_end(monday: dt.date) -> dt.date:
    """The Sunday of the week starting `monday`."""
    return monday + dt.timedelta(days=6)


def _form(user) -> DemandForm:
    form = DemandForm()
    form.product_id.choices = product_choices()
    sites = db.session.scalars(select(Place).where(Place.buyer_id == user.id).order_by(Place.id))
    form.site_id.choices = options([(s.id, place_label(s)) for s in sites])
    if not form.is_submitted():
        monday = today_in_china() - dt.timedelta(days=today_in_china().weekday())
        form.first_week.data = monday + dt.timedelta(weeks=1)
        form.last_week.data = monday + dt.timedelta(weeks=4)
        profile = db.session.get(BuyerProfile, user.id)
        form.min_shelf_life_days.data = max(1, math.ceil(
            (profile.min_remaining_life_h if profile else 24) / 24))
        if profile is not None and profile.default_site_id:
            form.site_id.data = profile.default_site_id
        wanted = request.args.get("product_id", "")
        if wanted.isdigit():  # from the market's "nothing of it on sale"
            form.product_id.data = int(wanted)
    return form


@bp.get("")
@roles_required(Role.BUYER)
def mine():
    """我的求购: the buyer's demands, newest first."""
    return render_template("demand/mine.html",
                           demands=demands.demands_for(db.session, actor()))


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.BUYER)
def new():
    user = actor()
    form = _form(user)
    if not form.validate_on_submit():
        return form_page("demand/new.html", form)
    try:
        demand = demands.create_demand(db.session, user, dict(form.data))
    except DomainError as error:
        return form_page("demand/new.html", form, refusal(error))
    flash(_("Your demand is posted: %(n)d producers matched.", n=len(demand.matches)),
          "success")
    return redirect(url_for("demand_pages.detail", demand_id=demand.id))


@bp.get("/matched")
@roles_required(*FARM_ROLES)
def matched():
    """The demands the producer's farms are matched to, with why."""
    user = actor()
    rows = demands.demands_for(db.session, user)
    return render_template("demand/matched.html", demands=rows,
                           mine={d.id: demands.my_match(db.session, user, d) for d in rows})


@bp.get("/<int:demand_id>")
@roles_required(Role.BUYER, *FARM_ROLES, Role.ADMIN)
def detail(demand_id: int):
    user = actor()
    demand = demands.get_demand(db.session, user, demand_id)
    request = demand.quote_request
    return render_template(
        "demand/detail.html", demand=demand,
        matches=demands.visible_matches(db.session, user, demand),
        quotes_shown=demands.demand_quotes(db.session, user, demand),
        request_open=request is not None and quotes.is_open(request),
        is_buyer=demand.buyer_id == user.id, is_admin=user.role == Role.ADMIN,
        can_list=user.role in FARM_ROLES and demands.has_listing(db.session, user, demand),
        amount_fen=amount_fen, form=Form())


def _checked() -> bool:
    return Form().validate_on_submit()


@bp.post("/<int:demand_id>/rematch")
@roles_required(Role.BUYER, Role.ADMIN)
def rematch(demand_id: int):
    user = actor()
    demand = demands.get_demand(db.session, user, demand_id)
    if _checked():
        try:
            demands.rematch(db.session, user, demand)
        except DomainError as error:
            refusal(error, rollback=True)
            flash(str(error.message), "error")
        else:
            flash(_("Matched again: %(n)d producers.", n=len(demand.matches)), "success")
    return redirect(url_for("demand_pages.detail", demand_id=demand_id))


@bp.post("/<int:demand_id>/close")
@roles_required(Role.BUYER, Role.ADMIN)
def close(demand_id: int):
    user = actor()
    demand = demands.get_demand(db.session, user, demand_id)
    if _checked():
        demands.close(db.session, user, demand)
        flash(_("The demand is closed."), "success")
    return redirect(url_for("demand_pages.detail", demand_id=demand_id))


@bp.post("/<int:demand_id>/quote")
@roles_required(*FARM_ROLES)
def quote(demand_id: int):
    """To the 询价/报价 answer page of the demand's 询价 (made when none is open)."""
    user = actor()
    demand = demands.get_demand(db.session, user, demand_id)
    if not _checked():
        return redirect(url_for("demand_pages.detail", demand_id=demand_id))
    try:
        request = demands.quote_request_for(db.session, user, demand)
    except DomainError as error:
        refusal(error, rollback=True)
        flash(str(error.message), "error")
        return redirect(url_for("demand_pages.detail", demand_id=demand_id))
    return redirect(url_for("quote_pages.answer", request_id=request.id))

"""Start pages: each role lands on its own page; farmers on 我的批次. Language switch."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_login import current_user

from freshcircle.platform.batches.services import batches as batch_service
from freshcircle.platform.extensions import db
from freshcircle.platform.farms.services.producers import producers_query
from freshcircle.platform.web.pages import FARM_ROLES, actor, for_batch_cards, landing_url

bp = Blueprint("home", __name__)
PAGE_SIZE = 30


@bp.get("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    user = actor()
    if user.role not in FARM_ROLES:
        target = landing_url(user)
        if target != url_for("home.index"):
            return redirect(target)
        return render_template("core/home/other.html")
    return dashboard(user)


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
    target = request.args.get("next") or url_for("home.index")
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("home.index")
    return redirect(target)

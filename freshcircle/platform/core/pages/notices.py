"""通知: every signed-in user's inbox (hold and recall notices, order cut-offs, deliveries)."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import login_required

from freshcircle.platform.core.services import notices
from freshcircle.platform.core.services.money import format_money
from freshcircle.platform.extensions import db
from freshcircle.platform.models import Role
from freshcircle.platform.web.forms import Form
from freshcircle.platform.web.pages import FARM_ROLES, actor

bp = Blueprint("notice_pages", __name__, url_prefix="/notices")


@bp.get("")
@login_required
def inbox():
    user = actor()
    page = max(request.args.get("page", 1, type=int), 1)
    rows = notices.inbox(db.session, user, notices.PAGE_SIZE + 1,
                         (page - 1) * notices.PAGE_SIZE)
    return render_template("core/notices/inbox.html", notices=rows[:notices.PAGE_SIZE], page=page,
                           more=len(rows) > notices.PAGE_SIZE,
                           unread=notices.unread_count(db.session, user), form=Form(),
                           money=lambda fen: format_money(fen, str(get_locale() or "zh")),
                           iso_date=dt.date.fromisoformat,
                           has_sales=user.role in (*FARM_ROLES, Role.ADMIN))


@bp.post("/read")
@login_required
def mark_read():
    form = Form()
    if form.validate_on_submit():
        notices.mark_read(db.session, actor())
    return redirect(url_for("notice_pages.inbox"))

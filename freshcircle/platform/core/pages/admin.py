"""Administration: accounts, producers and places. Plain lists and one form."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from freshcircle.platform.core.forms import UserForm
from freshcircle.platform.core.services import accounts, audit
from freshcircle.platform.core.services.errors import DomainError
from freshcircle.platform.extensions import db
from freshcircle.platform.farms.services.producers import producers_query
from freshcircle.platform.models import Place, Role, User
from freshcircle.platform.web.pages import actor, form_page, roles_required

bp = Blueprint("admin", __name__, url_prefix="/admin")
PAGE_SIZE = 50


def _page_number() -> int:
    return min(max(request.args.get("page", 1, type=int), 1), 10_000)


@bp.get("/users")
@roles_required(Role.ADMIN)
def users():
    rows = db.session.scalars(accounts.users_query(actor()).limit(200)).all()
    return render_template("core/admin/users.html", users=rows)


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_user():
    form = UserForm()
    if not form.validate_on_submit():
        return form_page("core/admin/user_new.html", form)
    try:
        user = accounts.create_user(db.session, phone=form.phone.data, name=form.name.data,
                                    password=form.password.data, role=Role(form.role.data),
                                    email=form.email.data)
    except DomainError as error:
        return form_page("core/admin/user_new.html", form, error)
    flash(_("Account created for %(name)s.", name=user.name), "success")
    return redirect(url_for("admin.users"))


@bp.get("/producers")
@roles_required(Role.ADMIN)
def producers():
    rows = db.session.scalars(producers_query(actor()).limit(500)).all()
    return render_template("core/admin/producers.html", producers=rows)


@bp.get("/places")
@roles_required(Role.ADMIN)
def places():
    # Reference data read as is; core/services/places.py belongs to the logistics work.
    rows = db.session.scalars(select(Place).order_by(Place.kind, Place.id)).all()
    return render_template("core/admin/places.html", places=rows)


@bp.get("/audit")
@roles_required(Role.ADMIN)
def audit_log():
    """审计日志: sign-ins and account actions, newest first; ?user= keeps one user's."""
    user_id = request.args.get("user", type=int)
    if user_id is not None and not 0 < user_id < 2**31:
        user_id = 0  # no such user: an empty list, not an error
    page = _page_number()
    rows = db.session.scalars(
        audit.entries_query(actor(), user_id=user_id)
        .limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)).all()
    subject = db.session.get(User, user_id) if user_id else None
    return render_template("core/admin/audit.html", entries=rows[:PAGE_SIZE], page=page,
                           more=len(rows) > PAGE_SIZE, user_id=user_id, subject=subject,
                           action_labels=audit.ACTION_LABELS)

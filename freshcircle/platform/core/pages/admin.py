"""Administration: accounts (search, reset, deactivate), the audit log, producers and places."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from freshcircle.platform.core.forms import USER_STATES, UserForm, UserSearchForm
from freshcircle.platform.core.services import account_management, accounts, audit
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
    """Accounts, newest first: search by name or mobile number, filter by role and state."""
    form = UserSearchForm(formdata=request.args)
    page = _page_number()
    rows: list[User] = []
    valid = form.validate()
    if valid:
        stmt = accounts.users_query(
            actor(), q=form.q.data, role=Role(form.role.data) if form.role.data else None,
            active=USER_STATES.get(form.state.data))
        rows = db.session.scalars(
            stmt.limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)).all()
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("core/admin/users.html", form=form, users=rows[:PAGE_SIZE],
                           page=page, more=len(rows) > PAGE_SIZE, args=args
                           ), 200 if valid else 422


def _user_page(user: User, reset_code: str | None = None):
    return render_template("core/admin/user.html", user=user, reset_code=reset_code)


@bp.get("/users/<int:user_id>")
@roles_required(Role.ADMIN)
def user(user_id: int):
    """One account: its state, a reset code, deactivation, its audit entries."""
    return _user_page(account_management.get_user(db.session, actor(), user_id))


@bp.post("/users/<int:user_id>/reset")
@roles_required(Role.ADMIN)
def reset_user(user_id: int):
    """A one-time reset code, shown on this page once."""
    admin = actor()
    target = account_management.get_user(db.session, admin, user_id)
    code = account_management.issue_reset_code(db.session, admin, target, request.remote_addr)
    return _user_page(target, reset_code=code)


@bp.post("/users/<int:user_id>/deactivate")
@roles_required(Role.ADMIN)
def deactivate_user(user_id: int):
    admin = actor()
    target = account_management.get_user(db.session, admin, user_id)
    account_management.deactivate(db.session, admin, target, request.remote_addr)
    flash(_("%(name)s is deactivated and signed out everywhere.", name=target.name), "success")
    return redirect(url_for("admin.user", user_id=target.id))


@bp.post("/users/<int:user_id>/reactivate")
@roles_required(Role.ADMIN)
def reactivate_user(user_id: int):
    admin = actor()
    target = account_management.get_user(db.session, admin, user_id)
    account_management.reactivate(db.session, admin, target, request.remote_addr)
    flash(_("%(name)s can sign in again.", name=target.name), "success")
    return redirect(url_for("admin.user", user_id=target.id))


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

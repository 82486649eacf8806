"""Administration: accounts (search, reset, deactivate), the audit log, producers and places."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from freshcircle.platform.core.forms import (
    USER_STATES,
    NameSearchForm,
    UserForm,
    UserSearchForm,
)
from freshcircle.platform.core.services import account_management, accounts, audit
from freshcircle.platform.core.services.errors import DomainError
from freshcircle.platform.extensions import db
from freshcircle.platform.farms.services.producers import producers_query
from freshcircle.platform.models import AuditEntry, Place, Producer, Role, User
from freshcircle.platform.web.pages import actor, form_page, roles_required
from freshcircle.platform.web.table_query import TableQuery

bp = Blueprint("admin", __name__, url_prefix="/admin")
PAGE_SIZE = 50


USER_SORTS = {"created": (User.created_at,), "name": (User.name,), "role": (User.role,),
              "phone": (User.phone,)}
PRODUCER_SORTS = {"name": (Producer.name,), "kind": (Producer.kind,),
                  "county": (Producer.county_code,)}
PLACE_SORTS = {"kind": (Place.kind,), "name": (Place.name_zh,), "code": (Place.admin_code,)}
AUDIT_SORTS = {"time": (AuditEntry.id,)}


@bp.get("/users")
@roles_required(Role.ADMIN)
def users():
    """Accounts, newest first: search by name or mobile number, filter by role and state."""
    form = UserSearchForm(formdata=request.args)
    table = TableQuery("admin.users", USER_SORTS, default="created", page_size=PAGE_SIZE)
    rows: list[User] = []
    valid = form.validate()
    if valid:
        stmt = accounts.users_query(
            actor(), q=form.q.data, role=Role(form.role.data) if form.role.data else None,
            active=USER_STATES.get(form.state.data))
        rows = db.session.scalars(table.page_of(table.order_by(stmt, User.id))).all()
    return render_template("core/admin/users.html", form=form, users=table.with_rows(rows),
                           table=table), 200 if valid else 422


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
    """Every producer, by name: searched by name, sorted by a column, paged."""
    form = NameSearchForm(formdata=request.args)
    valid = form.validate()
    table = TableQuery("admin.producers", PRODUCER_SORTS, default="name", default_desc=False,
                       page_size=PAGE_SIZE)
    stmt = producers_query(actor(), q=(form.q.data or "").strip() or None if valid else None)
    rows = db.session.scalars(table.page_of(table.order_by(stmt, Producer.id))).all()
    return render_template("core/admin/producers.html", producers=table.with_rows(rows),
                           form=form, table=table), 200 if valid else 422


@bp.get("/places")
@roles_required(Role.ADMIN)
def places():
    """Places by kind: searched by name (Chinese or English), sorted by a column, paged."""
    # Reference data read as is; core/services/places.py belongs to the logistics work.
    form = NameSearchForm(formdata=request.args)
    valid = form.validate()
    table = TableQuery("admin.places", PLACE_SORTS, default="kind", default_desc=False,
                       page_size=PAGE_SIZE)
    stmt = select(Place)
    q = (form.q.data or "").strip() if valid else ""
    if q:
        stmt = stmt.where(Place.name_zh.contains(q, autoescape=True)
                          | Place.name_en.contains(q, autoescape=True))
    rows = db.session.scalars(table.page_of(table.order_by(stmt, Place.id))).all()
    return render_template("core/admin/places.html", places=table.with_rows(rows), form=form,
                           table=table), 200 if valid else 422


@bp.get("/audit")
@roles_required(Role.ADMIN)
def audit_log():
    """审计日志: sign-ins and account actions, newest first; ?user= keeps one user's."""
    user_id = request.args.get("user", type=int)
    if user_id is not None and not 0 < user_id < 2**31:
        user_id = 0  # no such user: an empty list, not an error
    table = TableQuery("admin.audit_log", AUDIT_SORTS, default="time", page_size=PAGE_SIZE)
    stmt = table.order_by(audit.entries_query(actor(), user_id=user_id))
    rows = db.session.scalars(table.page_of(stmt)).all()
    subject = db.session.get(User, user_id) if user_id else None
    return render_template("core/admin/audit.html", entries=table.with_rows(rows),
                           table=table, user_id=user_id, subject=subject,
                           action_labels=audit.ACTION_LABELS)

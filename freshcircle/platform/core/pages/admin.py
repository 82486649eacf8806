"""Administration: accounts, producers and places. Plain lists and one form."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from freshcircle.platform.core.forms import UserForm
from freshcircle.platform.core.services import accounts
from freshcircle.platform.core.services.errors import DomainError
from freshcircle.platform.extensions import db
from freshcircle.platform.farms.services.producers import producers_query
from freshcircle.platform.models import Place, Role
from freshcircle.platform.web.pages import actor, form_page, roles_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


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

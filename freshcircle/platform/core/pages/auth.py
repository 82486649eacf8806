"""Sign in and out with a mobile number and password."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from freshcircle.platform.core.services import accounts
from freshcircle.platform.extensions import db
from freshcircle.platform.web.pages import landing_url

bp = Blueprint("auth", __name__)


def _safe_next() -> str | None:
    target = request.args.get("next") or ""
    if target.startswith("/") and not target.startswith("//") and not target.startswith("/\\"):
        return target
    return None


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(_safe_next() or landing_url(current_user))
    error = None
    phone = ""
    if request.method == "POST":
        phone = request.form.get("phone", "").strip()
        user = accounts.authenticate(db.session, phone, request.form.get("password", ""))
        if user is not None:
            login_user(user, remember=True)
            return redirect(_safe_next() or landing_url(user))
        error = _("Wrong mobile number or password.")
    status = 200 if error is None else 401
    return render_template("core/login.html", error=error, phone=phone), status


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))

"""Sign in and out with a mobile number and password."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required, login_user, logout_user

from ..extensions import db
from ..services import accounts

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    phone = ""
    if request.method == "POST":
        phone = request.form.get("phone", "")
        user = accounts.authenticate(db.session, phone, request.form.get("password", ""))
        if user is not None:
            login_user(user, remember=True)
            target = request.args.get("next") or ""
            if not target.startswith("/") or target.startswith("//"):
                target = url_for("home.index")
            return redirect(target)
        error = _("Wrong mobile number or password.")
    return render_template("login.html", error=error, phone=phone), 200 if error is None else 401


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))

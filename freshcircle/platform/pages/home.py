"""Landing page and language switch."""

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_login import current_user

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    if current_user.is_authenticated:
        return render_template("home.html")
    return redirect(url_for("auth.login"))


@bp.get("/lang/<code>")
def switch_language(code):
    if code in ("zh", "en"):
        session["lang"] = code
    target = request.args.get("next") or url_for("home.index")
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("home.index")
    return redirect(target)

"""Sign in and out with a mobile number and password, or once with a setup code a co-op
manager was given for a new member; that member sets a password before anything else."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from wtforms import PasswordField

from freshcircle.platform.core.services import accounts, setup_codes
from freshcircle.platform.core.services.errors import InvalidInput
from freshcircle.platform.core.services.passwords import PASSWORD_HINT
from freshcircle.platform.extensions import db
from freshcircle.platform.web.forms import Form
from freshcircle.platform.web.pages import form_page, landing_url
from freshcircle.platform.web.redirects import safe_redirect_target

bp = Blueprint("auth", __name__)


def _safe_next() -> str | None:
    return safe_redirect_target(request.args.get("next"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(_safe_next() or landing_url(current_user))
    error = None
    phone = ""
    if request.method == "POST":
        phone = request.form.get("phone", "").strip()
        secret = request.form.get("password", "")
        user = accounts.authenticate(db.session, phone, secret)
        if user is not None and not user.must_set_password:
            login_user(user, remember=True)
            accounts.record_sign_in(db.session, user, request.remote_addr)
            return redirect(_safe_next() or landing_url(user))
        try:
            user = setup_codes.redeem(db.session, phone, secret, network=request.remote_addr)
        except setup_codes.SetupCodeExpired as expired:
            error = str(expired.message)
        else:
            if user is not None:
                login_user(user)
                return redirect(url_for("auth.first_password"))
            error = _("Wrong mobile number or password.")
    status = 200 if error is None else 401
    return render_template("core/login.html", error=error, phone=phone), status


@bp.post("/logout")
@login_required
def logout():
    # A new session id first: this cookie, the remember token and any copy of them (another
    # browser, a shared phone) stop working, not only this browser's.
    accounts.sign_out(db.session, current_user._get_current_object(), request.remote_addr)
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


class FirstPasswordForm(Form):
    password = PasswordField(_l("New password"), description=PASSWORD_HINT)
    confirm = PasswordField(_l("The new password again"))


# Pages a member who signed in with a setup code may open before choosing a password.
BEFORE_PASSWORD = {"auth.first_password", "auth.logout", "auth.login", "static",
                   "home.switch_language"}


@bp.before_app_request
def require_password_first():
    if (current_user.is_authenticated and current_user.must_set_password
            and request.endpoint not in BEFORE_PASSWORD):
        return redirect(url_for("auth.first_password"))
    return None


@bp.route("/account/first-password", methods=["GET", "POST"])
@login_required
def first_password():
    """The member who signed in with a setup code chooses their own password."""
    form = FirstPasswordForm()
    if not current_user.must_set_password:
        return redirect(landing_url(current_user))
    if not form.validate_on_submit():
        return form_page("core/account/first_password.html", form)
    try:
        user = current_user._get_current_object()
        setup_codes.set_first_password(db.session, user, form.password.data,
                                       form.confirm.data, network=request.remote_addr)
    except InvalidInput as error:
        return form_page("core/account/first_password.html", form, error)
    login_user(user, remember=True)  # the new session id: other sign-ins have ended
    flash(_("Your password is set. Next time sign in with it."), "success")
    return redirect(landing_url(current_user))

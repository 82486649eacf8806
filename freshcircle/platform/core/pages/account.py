"""账户: everyone changes their password here; buyers also keep the company name, delivery
sites (coordinates copied from a city or market, or typed; receiving hours) and the default
site checkout and the market start from."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required, login_user
from wtforms import BooleanField, SelectField, StringField, TimeField
from wtforms.validators import Optional

from freshcircle.platform.core.forms import ChangePasswordForm
from freshcircle.platform.core.services import account_management, buyer_accounts
from freshcircle.platform.core.services.errors import DomainError
from freshcircle.platform.extensions import db
from freshcircle.platform.models import Role
from freshcircle.platform.web.forms import (
    Form,
    NumberField,
    at_most,
    optional_int,
    options,
    required,
)
from freshcircle.platform.web.pages import actor, form_page, landing_url, roles_required

bp = Blueprint("account_pages", __name__, url_prefix="/account")


class AccountForm(Form):
    company = StringField(_l("Company"), validators=[required(), at_most(100)])
    default_site_id = SelectField(_l("Default delivery site"), coerce=optional_int,
                                  validate_choice=False)


class SiteForm(Form):
    # Required, but checked by the service with the other fields, so all errors show at once.
    name = StringField(_l("Site name"), validators=[at_most(100)],
                       description=_l("e.g. 闵行配送中心"))
    reference_place_id = SelectField(
        _l("Near"), coerce=optional_int, validate_choice=False,
        description=_l("Copies the coordinates of a city or wholesale market; or type them "
                       "below."))
    latitude = NumberField(_l("Latitude (°N)"), places=None, validators=[Optional()])
    longitude = NumberField(_l("Longitude (°E)"), places=None, validators=[Optional()])
    receiving_from = TimeField(_l("Receiving from"), validators=[Optional()])
    receiving_to = TimeField(_l("Receiving until"), validators=[Optional()],
                             description=_l("Leave both empty if the site receives at any "
                                            "time."))
    make_default = BooleanField(_l("Make this my default site"))

    def data_for_service(self) -> dict:
        data = {"name": self.name.data, "reference_place_id": self.reference_place_id.data,
                "receiving_from": self.receiving_from.data,
                "receiving_to": self.receiving_to.data,
                "make_default": bool(self.make_default.data)}
        if not self.reference_place_id.data:
            data["latitude"], data["longitude"] = self.latitude.data, self.longitude.data
        return data


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    """修改密码: the current password, then the new one twice; other sign-ins end."""
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        return form_page("core/account/password.html", form)
    user = actor()
    try:
        account_management.change_password(
            db.session, user, current=form.current.data, password=form.password.data,
            confirm=form.confirm.data, network=request.remote_addr)
    except DomainError as error:
        return form_page("core/account/password.html", form, error)
    login_user(user, remember=True)  # this browser keeps going under the new session id
    flash(_("Password changed. You are signed out everywhere else."), "success")
    return redirect(landing_url(user))


def _label(place) -> str:
    return place.name_en if str(get_locale()) == "en" else place.name_zh


def _account_page(form: AccountForm | None = None, error: DomainError | None = None):
    account = buyer_accounts.get_account(db.session, actor())
    if form is None:
        form = AccountForm(formdata=None, company=account.company,
                           default_site_id=account.default_site_id)
    form.default_site_id.choices = options((s.id, _label(s)) for s in account.sites)
    return form_page("core/account/index.html", form, error, account=account)


@bp.get("")
@roles_required(Role.BUYER)
def index():
    return _account_page()


@bp.post("")
@roles_required(Role.BUYER)
def update():
    form = AccountForm()
    if not form.validate_on_submit():
        return _account_page(form)
    data = {"company": form.company.data}
    if form.default_site_id.data:
        data["default_site_id"] = form.default_site_id.data
    try:
        buyer_accounts.update_account(db.session, actor(), data)
    except DomainError as error:
        return _account_page(form, error)
    flash(_("Account saved."), "ok")
    return redirect(url_for("account_pages.index"))


def _site_page(form: SiteForm, site=None, error: DomainError | None = None):
    form.reference_place_id.choices = options(
        [("", _l("Choose a city or market…")),
         *((p.id, _label(p)) for p in buyer_accounts.reference_places(db.session))])
    return form_page("core/account/site.html", form, error, site=site)


@bp.route("/sites/new", methods=["GET", "POST"])
@roles_required(Role.BUYER)
def new_site():
    form = SiteForm()
    if not form.validate_on_submit():
        return _site_page(form)
    try:
        buyer_accounts.add_site(db.session, actor(), form.data_for_service())
    except DomainError as error:
        return _site_page(form, error=error)
    flash(_("Delivery site added."), "ok")
    return redirect(url_for("account_pages.index"))


@bp.route("/sites/<int:site_id>", methods=["GET", "POST"])
@roles_required(Role.BUYER)
def edit_site(site_id: int):
    user = actor()
    site = buyer_accounts.get_site(db.session, user, site_id)
    form = SiteForm(obj=None, data={
        "name": site.name_zh, "latitude": site.latitude, "longitude": site.longitude,
        "receiving_from": site.receiving_from, "receiving_to": site.receiving_to})
    if not form.validate_on_submit():
        return _site_page(form, site)
    try:
        buyer_accounts.update_site(db.session, user, site, form.data_for_service())
    except DomainError as error:
        return _site_page(form, site, error)
    flash(_("Delivery site saved."), "ok")
    return redirect(url_for("account_pages.index"))

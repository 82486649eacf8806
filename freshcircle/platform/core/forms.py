"""Forms of the account and admin pages: a password change, a new user, the user search."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import Optional, Regexp

from freshcircle.platform.core.services.passwords import PASSWORD_HINT
from freshcircle.platform.models import Role
from freshcircle.platform.web.forms import (
    ROLE_LABELS,
    Form,
    at_most,
    options,
    required,
)


class UserForm(Form):
    phone = StringField(_l("Mobile number"), validators=[required(), at_most(20)])
    name = StringField(_l("Full name"), validators=[required(), at_most(64)])
    role = SelectField(_l("Role"), choices=options((r.value, lb) for r, lb in ROLE_LABELS.items()),
                       default=Role.FARMER.value, validators=[required()])
    password = PasswordField(_l("Password"), validators=[required()],
                             description=PASSWORD_HINT)
    email = StringField(_l("E-mail (optional)"), validators=[at_most(254)],
                        description=_l("Producers' members get the packing list here at each "
                                       "order cut-off, when the platform sends e-mail."))


class ChangePasswordForm(Form):
    current = PasswordField(_l("Current password"), validators=[required()])
    password = PasswordField(_l("New password"), validators=[required()],
                             description=PASSWORD_HINT)
    confirm = PasswordField(_l("The new password again"), validators=[required()])


USER_STATES = {"active": True, "deactivated": False}


def search_text(label) -> StringField:
    """A list's search box: up to 64 characters, no control characters (PostgreSQL refuses a
    NUL in a query parameter)."""
    return StringField(label, validators=[
        Optional(), at_most(64),
        Regexp(r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$",
               message=_l("Remove the control characters from this field."))])


class UserSearchForm(Form):
    """GET filters of the admin's user list (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    q = search_text(_l("Name or mobile number"))
    role = SelectField(_l("Role"), validators=[Optional()], choices=options(
        [("", _l("All roles")), *((r.value, lb) for r, lb in ROLE_LABELS.items())]))
    state = SelectField(_l("State"), validators=[Optional()], choices=options(
        [("", _l("Active and deactivated")), ("active", _l("Active")),
         ("deactivated", _l("Deactivated"))]))


class NameSearchForm(Form):
    """GET search by name of the admin's producer and place lists."""

    class Meta:
        csrf = False

    q = search_text(_l("Name"))

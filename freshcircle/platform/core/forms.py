"""Forms of the admin pages: a new user."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, SelectField, StringField

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

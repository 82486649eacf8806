"""The form of a new standing demand (求购)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, RadioField, SelectField
from wtforms.validators import Optional

from freshcircle.platform.web.forms import (
    GRADES,
    Form,
    NumberField,
    WholeNumberField,
    optional_int,
    options,
    required,
)

UNITS = (("jin", _l("jin")), ("kg", _l("kg")))


class DemandForm(Form):
    product_id = SelectField(_l("Product"), coerce=optional_int, validate_choice=False,
                             validators=[required()])
    grade = SelectField(_l("Grade"), validate_choice=False,
                        choices=options([("", _l("Any grade")), *GRADES.items()]))
    quantity = NumberField(_l("Quantity per week"), places=None, validators=[required()])
    unit = RadioField(_l("Unit"), choices=options(UNITS), default="jin", validators=[required()])
    first_week = DateField(_l("First week"), validators=[required()],
                           description=_l("Any day of the week."))
    last_week = DateField(_l("Last week"), validators=[required()])
    site_id = SelectField(_l("Deliver to"), coerce=optional_int, validators=[required()])
    price = NumberField(_l("Price you expect, 元 per the unit above (optional)"), places=None,
                        validators=[Optional()],
                        description=_l("Leave empty to have it quoted (待报价)."))
    min_shelf_life_days = WholeNumberField(_l("Shelf life on arrival, at least (days)"),
                                           validators=[required()])

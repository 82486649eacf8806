"""The form pieces every feature's pages share: the base Form (CSRF, translated messages),
number fields, choices, and the option labels of shared enumerations. Feature forms live in
<feature>/forms.py; forms parse, check CSRF and coerce types only, the rules live in services.

Field names match the keys the services use in InvalidInput.errors, so a service message lands
under the field it is about.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
import uuid
from decimal import Decimal
from itertools import groupby

from flask_babel import gettext, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, DecimalField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, ValidationError

from freshcircle.platform.extensions import db
from freshcircle.platform.models import CertificationKind, Product, Role
from freshcircle.platform.web.arguments import FIRST_DATE, LAST_DATE, MAX_DECIMAL, MAX_INTEGER
from freshcircle.platform.web.input_guard import take_form_errors
from freshcircle.platform.web.pages import product_label

# WTForms' own messages that our forms can produce, listed so they are extracted into the
# catalogs; Form.Meta below looks them up there instead of in WTForms' bundled translations.
WTFORMS_MESSAGES = (
    _l("Not a valid choice."),
    _l("Not a valid date value."),
    _l("Not a valid decimal value."),
    _l("Not a valid integer value."),
    _l("Invalid Choice: could not coerce."),
    _l("Choices cannot be None."),
    _l("The CSRF token is missing."),
    _l("The CSRF token is invalid."),
    _l("The CSRF token has expired."),
    _l("The CSRF tokens do not match."),
)

REQUIRED = _l("This field is required.")
GRADE_OTHER = "other"
GRADES = {"特级": _l("Premium (特级)"), "一级": _l("Grade 1 (一级)"), "二级": _l("Grade 2 (二级)")}


def required():
    return InputRequired(message=REQUIRED)


def at_most(n: int):
    return Length(max=n, message=_l("At most %(max)d characters.", max=n))


class _BabelTranslations:
    def gettext(self, string):
        return gettext(string)

    def ngettext(self, singular, plural, n):
        return ngettext(singular, plural, n)


def _halfwidth(value: str) -> str:
    """'１２０' typed on a Chinese keyboard -> '120'; '1,200' (thousands separator) -> '1200'."""
    return unicodedata.normalize("NFKC", value or "").replace(",", "").replace(" ", "").strip()


class Form(FlaskForm):
    class Meta:
        def get_translations(self, form):
            return _BabelTranslations()

    def validate(self, extra_validators=None) -> bool:
        """The fields' own checks, then the platform-wide bounds of numbers and dates (the
        API's, web/arguments.py), so no page can send the database what it cannot store, and
        the input guard's refusal of control characters, under the field it concerns."""
        valid = super().validate(extra_validators)
        for field in self:
            message = _out_of_bounds(field)
            if message is not None:
                field.errors.append(message)
                valid = False
            refused = take_form_errors(field.name)  # control characters (web/input_guard.py)
            if refused:
                field.errors = [*refused]
                valid = False
        return valid


def _out_of_bounds(field):
    data = field.data
    if field.errors or data is None:
        return None
    if isinstance(field, IntegerField | SelectField) and isinstance(data, int):
        limit = MAX_INTEGER
    elif isinstance(field, DecimalField) and isinstance(data, Decimal):
        limit = MAX_DECIMAL
    elif isinstance(field, DateField) and isinstance(data, dt.date):
        if FIRST_DATE <= data <= LAST_DATE:
            return None
        return _("Must be a date between %(first)s and %(last)s.", first=FIRST_DATE.isoformat(),
                 last=LAST_DATE.isoformat())
    else:
        return None
    if (data.is_finite() if isinstance(data, Decimal) else True) and -limit <= data <= limit:
        return None
    return _("Must be between %(min)s and %(max)s.", min=-limit, max=limit)


class NumberField(DecimalField):
    """A decimal typed on a phone: full-width digits and thousands separators are accepted."""

    def process_formdata(self, valuelist):
        super().process_formdata([_halfwidth(v) for v in valuelist])


class WholeNumberField(IntegerField):
    def process_formdata(self, valuelist):
        super().process_formdata([_halfwidth(v) for v in valuelist])


def options(pairs, optgroup=None) -> list[SelectChoice]:
    """(value, label) pairs as WTForms 3.3 choices (tuples are deprecated there)."""
    return [SelectChoice(value, label, optgroup=optgroup) for value, label in pairs]


def optional_int(value):
    """Coerce a select's value; the empty placeholder stays None so InputRequired can name it.

    A number no id can be is "could not coerce", never an overflow in the database."""
    if value in ("", None):
        return None
    number = int(value)
    if not -MAX_INTEGER <= number <= MAX_INTEGER:
        raise ValueError(value)
    return number


def chosen_producer(form) -> int:
    """The producer picked in `form`, if it is one the user may pick; else the first offered."""
    offered = [choice.value for choice in form.producer_id.choices]
    return form.producer_id.data if form.producer_id.data in offered else offered[0]


class PlotFields(Form):
    """Picking one of the producer's plots (地块), or adding one right in the form (no script)."""

    plot_id = SelectField(_l("Plot"), coerce=optional_int, validate_choice=False)
    new_plot_name = StringField(_l("New plot name"), validators=[at_most(64)],
                                description=_l("Not in the list? Name it here; it is added."))
    new_plot_area_mu = StringField(_l("Area in mu (optional)"), validators=[at_most(12)])

    def validate_plot_id(self, field) -> None:
        if field.data is None and not (self.new_plot_name.data or "").strip():
            raise ValidationError(_l("Choose a plot."))

    def offer_plots(self, plots) -> None:
        self.plot_id.choices = options([
            ("", _l("Choose a plot")),
            *((p.id, p.name if p.area_mu is None else _l("%(name)s (%(mu)s mu)", name=p.name,
                                                             mu=f"{p.area_mu.normalize():f}"))
              for p in plots),
        ])


def new_idempotency_key() -> str:
    return uuid.uuid4().hex


# --- producers --------------------------------------------------------------------------------






# --- batches ----------------------------------------------------------------------------------










# --- farm records -----------------------------------------------------------------------------






CERTIFICATION_KINDS = {
    CertificationKind.GREEN_FOOD: _l("Green Food"),
    CertificationKind.ORGANIC: _l("Organic"),
    CertificationKind.GEO_INDICATION: _l("Geographical indication"),
    CertificationKind.OTHER: _l("Other"),
}




# --- shipments --------------------------------------------------------------------------------




# --- staff ------------------------------------------------------------------------------------


ROLE_LABELS = {
    Role.FARMER: _l("Farmer"),
    Role.COOP_ADMIN: _l("Cooperative admin"),
    Role.BUYER: _l("Buyer"),
    Role.CARRIER: _l("Carrier"),
    Role.INSPECTOR: _l("Inspector"),
    Role.ADMIN: _l("Administrator"),
}








# --- lot genealogy ----------------------------------------------------------------------------


CATEGORY_LABELS = {
    "leafy_vegetable": _l("Leafy vegetables"),
    "brassica": _l("Cabbages and broccoli"),
    "allium": _l("Onions and garlic"),
    "root_vegetable": _l("Root vegetables"),
    "fruit_vegetable": _l("Fruiting vegetables"),
    "fungus": _l("Mushrooms"),
    "pome_fruit": _l("Apples and pears"),
    "stone_fruit": _l("Stone fruit"),
    "berry_fruit": _l("Grapes, berries and kiwi"),
    "melon": _l("Melons"),
    "animal_product": _l("Eggs"),
    "meat": _l("Meat"),
    "fish": _l("Fish"),
}


# Produce first, in the order a Fuyang farmer is most likely to look for it.
CATEGORY_ORDER = list(CATEGORY_LABELS)


def product_choices() -> list:
    """The catalog grouped by category, for a select with <optgroup>s."""
    products = db.session.scalars(select(Product)).all()

    def category(p: Product) -> int:
        return CATEGORY_ORDER.index(p.category) if p.category in CATEGORY_ORDER else 99

    choices = options([("", _("Choose…"))])
    for _key, items in groupby(sorted(products, key=lambda p: (category(p), p.id)), key=category):
        items = list(items)
        group = str(CATEGORY_LABELS.get(items[0].category, items[0].category))
        choices += options(((p.id, product_label(p)) for p in items), optgroup=group)
    return choices

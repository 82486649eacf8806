"""Page forms: parsing, CSRF and type coercion only. The rules themselves live in the services.

Field names match the keys the services use in InvalidInput.errors, so a service message lands
under the field it is about.
"""

from __future__ import annotations

import unicodedata
import uuid

from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    DecimalField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..models import (
    CertificationKind,
    InputKind,
    MemberRole,
    ProducerKind,
    Role,
    ShipmentStatus,
    TestMethod,
    TestResult,
)
from ..services.batches import today_in_china
from ..services.identifiers import FUYANG_COUNTIES

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
    """Coerce a select's value; the empty placeholder stays None so InputRequired can name it."""
    if value in ("", None):
        return None
    return int(value)


def chosen_producer(form) -> int:
    """The producer picked in `form`, if it is one the user may pick; else the first offered."""
    offered = [choice.value for choice in form.producer_id.choices]
    return form.producer_id.data if form.producer_id.data in offered else offered[0]


def new_idempotency_key() -> str:
    return uuid.uuid4().hex


# --- producers --------------------------------------------------------------------------------


class ProducerForm(Form):
    kind = RadioField(
        _l("Type"),
        choices=options([(ProducerKind.FAMILY_FARM.value, _l("Family farm")),
                 (ProducerKind.COOPERATIVE.value, _l("Cooperative"))]),
        default=ProducerKind.FAMILY_FARM.value,
        validators=[required()],
    )
    name = StringField(_l("Name"), validators=[required(), at_most(100)])
    credit_code = StringField(
        _l("Unified social credit code (optional)"),
        validators=[Optional(), at_most(18)],
        description=_l("18 characters, on the business licence."),
    )
    county_code = SelectField(
        _l("County or district"),
        choices=options([("", _l("Choose…")), *FUYANG_COUNTIES.items()]),
        validators=[required()],
    )
    township = StringField(_l("Township (optional)"), validators=[at_most(64)])
    address = StringField(_l("Address (optional)"), validators=[at_most(200)])
    contact_phone = StringField(_l("Contact mobile (optional)"), validators=[at_most(20)])


class MemberForm(Form):
    phone = StringField(_l("Mobile number"), validators=[required(), at_most(20)],
                        description=_l("The farmer must already have an account."))
    role = RadioField(
        _l("Role"),
        choices=options([(MemberRole.MEMBER.value, _l("Member")),
                 (MemberRole.MANAGER.value, _l("Manager"))]),
        default=MemberRole.MEMBER.value,
        validators=[required()],
    )


# --- batches ----------------------------------------------------------------------------------


class BatchDetailsForm(Form):
    """What a member writes about a batch and may correct later (never its lot code)."""

    variety = StringField(_l("Variety (optional)"), validators=[at_most(64)])
    plot = StringField(_l("Plot"), validators=[required(), at_most(64)],
                       description=_l("The field it was harvested from, e.g. 东地块."))
    harvest_date = DateField(_l("Harvest date"), default=today_in_china,
                             validators=[required()])
    # places=None: a stored weight is shown as 120 or 0.002, never as 120.00.
    quantity = NumberField(_l("Weight"), places=None, validators=[required()])
    unit = RadioField(
        _l("Unit"),
        choices=options([("jin", _l("jin")), ("kg", _l("kg"))]),
        default="jin",
        validators=[required()],
    )
    grade = SelectField(
        _l("Grade (optional)"),
        choices=options([("", _l("No grade")), *GRADES.items(), (GRADE_OTHER, _l("Other"))]),
        default="",
    )
    grade_other = StringField(_l("Other grade"), validators=[at_most(32)])
    notes = TextAreaField(_l("Notes (optional)"), validators=[at_most(1000)])

    def grade_value(self) -> str:
        if self.grade.data == GRADE_OTHER:
            return (self.grade_other.data or "").strip()
        return self.grade.data or ""

    def show_grade(self, grade: str | None) -> None:
        """Set the grade select (and the 'other' box) from a stored grade."""
        if grade and grade not in GRADES:
            self.grade.data, self.grade_other.data = GRADE_OTHER, grade
        else:
            self.grade.data = grade or ""


class BatchForm(BatchDetailsForm):
    producer_id = SelectField(_l("Producer"), coerce=optional_int, validators=[required()])
    product_id = SelectField(_l("Product"), coerce=optional_int, validators=[required()])
    photo = FileField(_l("Photo (optional)"))
    idempotency_key = HiddenField(default=new_idempotency_key)


class PhotoForm(Form):
    photo = FileField(_l("Add a photo"), validators=[FileRequired(message=_l("Choose a photo."))])


class StatusForm(Form):
    status = HiddenField(validators=[required()])
    reason = TextAreaField(_l("Reason"), validators=[at_most(200)])


# --- farm records -----------------------------------------------------------------------------


class InputForm(Form):
    producer_id = SelectField(_l("Producer"), coerce=optional_int, validators=[required()])
    kind = RadioField(
        _l("Type"),
        choices=options([(InputKind.PESTICIDE.value, _l("Pesticide")),
                 (InputKind.FERTILISER.value, _l("Fertiliser"))]),
        default=InputKind.PESTICIDE.value,
        validators=[required()],
    )
    product_name = StringField(_l("Product name"), validators=[required(), at_most(100)],
                               description=_l("As printed on the package."))
    active_ingredient = StringField(_l("Active ingredient (optional)"),
                                    validators=[at_most(100)])
    dose = StringField(_l("Dose"), validators=[required(), at_most(64)],
                       description=_l("e.g. 30 mL/亩"))
    plot = StringField(_l("Plot"), validators=[required(), at_most(64)])
    applied_on = DateField(_l("Date applied"), default=today_in_china, validators=[required()])
    pre_harvest_interval_days = WholeNumberField(
        _l("Pre-harvest interval (days)"),
        validators=[Optional()],
        description=_l("The pre-harvest interval (安全间隔期) printed on the label. "
                       "Required for pesticides."),
    )
    notes = TextAreaField(_l("Notes (optional)"), validators=[at_most(1000)])


class ResidueTestForm(Form):
    method = RadioField(
        _l("Kind of test"),
        choices=options([(TestMethod.RAPID.value, _l("Rapid test")),
                 (TestMethod.LAB.value, _l("Lab report"))]),
        default=TestMethod.RAPID.value,
        validators=[required()],
    )
    result = RadioField(
        _l("Result"),
        choices=options([(TestResult.PASS.value, _l("Pass")),
                         (TestResult.FAIL.value, _l("Fail"))]),
        validators=[required()],
    )
    measured_values = TextAreaField(_l("Measured values (optional)"),
                                    validators=[at_most(1000)],
                                    description=_l("e.g. inhibition rate 12%"))
    tester = StringField(_l("Tested by"), validators=[required(), at_most(100)])
    tested_on = DateField(_l("Test date"), default=today_in_china, validators=[required()])
    file = FileField(_l("Report or photo (optional)"),
                     description=_l("PDF, JPEG, PNG or WebP."))


CERTIFICATION_KINDS = {
    CertificationKind.GREEN_FOOD: _l("Green Food"),
    CertificationKind.ORGANIC: _l("Organic"),
    CertificationKind.GEO_INDICATION: _l("Geographical indication"),
    CertificationKind.OTHER: _l("Other"),
}


class CertificationForm(Form):
    kind = SelectField(
        _l("Type"),
        choices=options([("", _l("Choose…")),
                         *((k.value, label) for k, label in CERTIFICATION_KINDS.items())]),
        validators=[required()],
    )
    number = StringField(_l("Certificate number"), validators=[required(), at_most(64)])
    issuer = StringField(_l("Issued by"), validators=[required(), at_most(100)],
                         description=_l("e.g. 中国绿色食品发展中心"))
    valid_from = DateField(_l("Valid from"), validators=[required()])
    valid_to = DateField(_l("Valid until"), validators=[required()])
    product_id = SelectField(_l("Product (optional)"), coerce=optional_int,
                             description=_l("Leave empty if it covers the whole farm."))
    file = FileField(_l("Scan or photo of the certificate (optional)"),
                     description=_l("PDF, JPEG, PNG or WebP."))
    notes = TextAreaField(_l("Notes (optional)"), validators=[at_most(2000)])


# --- shipments --------------------------------------------------------------------------------


class ShipmentStatusForm(Form):
    status = HiddenField(validators=[required()])

    def target(self) -> ShipmentStatus | None:
        """The status asked for, if it is one."""
        valid = self.status.data in set(ShipmentStatus)
        return ShipmentStatus(self.status.data) if valid else None


# --- staff ------------------------------------------------------------------------------------


ROLE_LABELS = {
    Role.FARMER: _l("Farmer"),
    Role.COOP_ADMIN: _l("Cooperative admin"),
    Role.BUYER: _l("Buyer"),
    Role.CARRIER: _l("Carrier"),
    Role.INSPECTOR: _l("Inspector"),
    Role.ADMIN: _l("Administrator"),
}


class UserForm(Form):
    phone = StringField(_l("Mobile number"), validators=[required(), at_most(20)])
    name = StringField(_l("Full name"), validators=[required(), at_most(64)])
    role = SelectField(_l("Role"), choices=options((r.value, lb) for r, lb in ROLE_LABELS.items()),
                       default=Role.FARMER.value, validators=[required()])
    password = PasswordField(_l("Password"), validators=[required()],
                             description=_l("At least 8 characters."))
    email = StringField(_l("E-mail (optional)"), validators=[at_most(254)],
                        description=_l("Producers' members get the packing list here at each "
                                       "order cut-off, when the platform sends e-mail."))


class BatchSearchForm(Form):
    """GET filters on the inspector's batch search; no CSRF for a read."""

    class Meta:
        csrf = False

    county = SelectField(_l("County or district"),
                         choices=options([("", _l("All")), *FUYANG_COUNTIES.items()]),
                         default="")
    status = SelectField(_l("Status"), default="")
    product = SelectField(_l("Product"), default="")
    lot = StringField(_l("Lot code"), validators=[at_most(20)])


class RecordsExportForm(Form):
    """GET form of the recall spreadsheet: a lot code, or a date range; CSV or Excel."""

    class Meta:
        csrf = False

    lot = StringField(_l("Lot code"), validators=[Optional(), at_most(20)],
                      description=_l("Everything about this lot, the lots it came from and "
                                     "the lots made from it."))
    date_from = DateField(_l("Start date"), validators=[Optional()])
    date_to = DateField(_l("End date"), validators=[Optional()])
    format = RadioField(_l("Format"), choices=options([("xlsx", "Excel (XLSX)"), ("csv", "CSV")]),
                        default="xlsx")


# --- lot genealogy ----------------------------------------------------------------------------

SPLIT_PARTS = 4


class SplitForm(Form):
    """Up to four new lots from one; empty boxes are left out."""

    part1 = NumberField(_l("New lot 1"), places=None, validators=[Optional()])
    part2 = NumberField(_l("New lot 2"), places=None, validators=[Optional()])
    part3 = NumberField(_l("New lot 3"), places=None, validators=[Optional()])
    part4 = NumberField(_l("New lot 4"), places=None, validators=[Optional()])
    unit = RadioField(_l("Unit"), choices=options([("jin", _l("jin")), ("kg", _l("kg"))]),
                      default="jin", validators=[required()])

    def parts(self) -> list[dict]:
        return [{"quantity": f.data, "unit": self.unit.data}
                for f in (self.part1, self.part2, self.part3, self.part4) if f.data is not None]


class MergeForm(Form):
    """The other lots to merge with this one, whole."""

    others = SelectMultipleField(_l("Merge with"), coerce=int,
                                 widget=ListWidget(prefix_label=False),
                                 option_widget=CheckboxInput())

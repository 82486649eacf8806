"""Forms of the farms pages: producers and members, inputs, residue tests, certifications."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional

from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.core.services.identifiers import FUYANG_COUNTIES
from freshcircle.platform.models import (
    InputKind,
    MemberRole,
    ProducerKind,
    TestMethod,
    TestResult,
)
from freshcircle.platform.web.forms import (
    CERTIFICATION_KINDS,
    Form,
    PlotFields,
    WholeNumberField,
    at_most,
    optional_int,
    options,
    required,
)


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
    service_phone = StringField(
        _l("Service phone for shoppers (optional)"), validators=[at_most(20)],
        description=_l("Shown on the consumer page of your packs. A mobile, a landline with its "
                       "area code or a 400 number."),
    )


class ServicePhoneForm(Form):
    service_phone = StringField(
        _l("Service phone for shoppers"), validators=[at_most(20)],
        description=_l("Shown on the consumer page of your packs. Leave empty to show none."),
    )


class MemberForm(Form):
    phone = StringField(_l("Mobile number"), validators=[required(), at_most(20)])
    name = StringField(_l("Member's name"), validators=[at_most(64)],
                       description=_l("Only for someone without an account: one is opened "
                                      "with a one-time setup code for them."))
    role = RadioField(
        _l("Role"),
        choices=options([(MemberRole.MEMBER.value, _l("Member")),
                 (MemberRole.MANAGER.value, _l("Manager"))]),
        default=MemberRole.MEMBER.value,
        validators=[required()],
    )


class InputForm(PlotFields):
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


class PlotForm(Form):
    name = StringField(_l("Plot name"), validators=[required(), at_most(64)],
                       description=_l("As you call it, e.g. 南湖1号地."))
    area_mu = StringField(_l("Area in mu (optional)"), validators=[at_most(12)])
    township = StringField(_l("Township (optional)"), validators=[at_most(64)])
    latitude = StringField(_l("Latitude (optional)"), validators=[at_most(12)])
    longitude = StringField(_l("Longitude (optional)"), validators=[at_most(12)])
    crop_ids = SelectMultipleField(_l("Crops grown here (optional)"), coerce=int,
                                   validate_choice=False)

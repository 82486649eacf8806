"""Forms of the forward contract pages: a new contract, a shortfall, a release."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import Optional

from freshcircle.platform.models import ContractStatus, PriceKind, ShortfallStatus
from freshcircle.platform.web.forms import (
    Form,
    WholeNumberField,
    at_most,
    optional_int,
    options,
    required,
)

STATUS_LABELS = {
    ContractStatus.PROPOSED: _l("Waiting for confirmation"),
    ContractStatus.CONFIRMED: _l("Confirmed"),
    ContractStatus.ACTIVE: _l("Running"),
    ContractStatus.FULFILLED: _l("Fulfilled"),
    ContractStatus.RELEASED: _l("Released"),
}
SHORTFALL_LABELS = {
    ShortfallStatus.OPEN: _l("Waiting for the buyer"),
    ShortfallStatus.ACCEPTED: _l("Partial delivery accepted"),
    ShortfallStatus.RELEASED: _l("Contract released"),
}


class ContractForm(Form):
    producer_id = SelectField(_l("Producer"), coerce=optional_int, validate_choice=False)
    buyer_phone = StringField(_l("Buyer's mobile number"), validators=[at_most(20)])
    product_id = SelectField(_l("Product"), coerce=optional_int, validate_choice=False,
                             validators=[required()])
    grade = StringField(_l("Grade (optional)"), validators=[at_most(32)])
    site_id = SelectField(_l("Delivery site"), coerce=optional_int, validate_choice=False)
    first_week = DateField(_l("First delivery week (any day of it)"), validators=[required()])
    weeks = WholeNumberField(_l("Number of weeks"), validators=[required()])
    quantity_per_week = StringField(_l("Jin per week"), validators=[at_most(12)])
    total_quantity = StringField(_l("Or jin in total"), validators=[at_most(12)],
                                 description=_l("Spread evenly over the weeks."))
    price_kind = RadioField(_l("Price"), default=PriceKind.FIXED.value, choices=options([
        (PriceKind.FIXED.value, _l("Fixed price")),
        (PriceKind.REFERENCE.value, _l("Market price within a band"))]))
    price = StringField(_l("Fixed price, yuan per jin"), validators=[at_most(12)])
    band_min = StringField(_l("Band: lowest yuan per jin"), validators=[at_most(12)])
    band_max = StringField(_l("Band: highest yuan per jin"), validators=[at_most(12)])
    residue_test_required = BooleanField(_l("A passed residue test is required"))
    planting_ids = SelectMultipleField(_l("Grown on plantings"), coerce=int,
                                       validate_choice=False)
    notes = StringField(_l("Notes (optional)"), validators=[at_most(500)])
    demand_id = HiddenField()  # a producer answering a standing demand: its buyer and site

    def data_for_service(self, as_buyer: bool) -> dict:
        names = ["product_id", "grade", "first_week", "weeks", "quantity_per_week",
                 "total_quantity", "price_kind", "price", "band_min", "band_max",
                 "residue_test_required", "notes"]
        names += ["producer_id", "site_id"] if as_buyer else [
            "producer_id", "buyer_phone", "planting_ids"]
        return {name: getattr(self, name).data for name in names}


class ShortfallForm(Form):
    quantity = StringField(_l("Jin that will not be delivered"),
                           validators=[required(), at_most(12)])
    week_from = SelectField(_l("From the week of"), validators=[required()])
    week_to = SelectField(_l("Until the week of"), validators=[Optional()])
    reason = StringField(_l("Reason"), validators=[required(), at_most(500)])


class ReleaseForm(Form):
    reason = StringField(_l("Why (optional)"), validators=[at_most(500)])

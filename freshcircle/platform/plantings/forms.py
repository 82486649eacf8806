"""Forms of the plantings pages: a planting, and a season update."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, RadioField, SelectField, StringField
from wtforms.validators import Optional

from freshcircle.platform.models import SeasonStatus
from freshcircle.platform.web.forms import (
    Form,
    WholeNumberField,
    at_most,
    optional_int,
    options,
    required,
)

STATUS_LABELS = {SeasonStatus.GOOD: _l("Good"), SeasonStatus.POOR: _l("Poor"),
                 SeasonStatus.LOST: _l("Lost")}


class PlantingForm(Form):
    plot_id = SelectField(_l("Plot"), coerce=optional_int, validate_choice=False,
                          validators=[required()])
    product_id = SelectField(_l("Product"), coerce=optional_int, validate_choice=False,
                             validators=[required()])
    variety = StringField(_l("Variety (optional)"), validators=[at_most(64)])
    area_mu = StringField(_l("Area in mu"), validators=[required(), at_most(12)])
    planted_on = DateField(_l("Planting date"), validators=[required()])
    harvest_from = DateField(_l("Harvest from"), validators=[required()])
    harvest_to = DateField(_l("Harvest until"), validators=[required()])
    expected_yield_jin_per_mu = WholeNumberField(
        _l("Expected yield, jin per mu (optional)"), validators=[Optional()],
        description=_l("Left empty: your own past yield of this product, else the usual one."))

    def offer_plots(self, plots) -> None:
        self.plot_id.choices = options([
            ("", _l("Choose a plot")),
            *((p.id, p.name if p.area_mu is None else _l("%(name)s (%(mu)s mu)", name=p.name,
                                                             mu=f"{p.area_mu.normalize():f}"))
              for p in plots)])


class SeasonUpdateForm(Form):
    status = RadioField(_l("How is the crop?"), validators=[required()],
                        choices=options([(s.value, label) for s, label in STATUS_LABELS.items()]))
    reason = StringField(_l("Reason (needed for poor or lost)"), validators=[at_most(200)])

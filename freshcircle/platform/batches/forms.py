"""Forms of the batch pages: registering and editing a batch, photos, status, split and merge."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from freshcircle.platform.batches.services import label_runs
from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.web.forms import (
    GRADE_OTHER,
    GRADES,
    Form,
    NumberField,
    PlotFields,
    WholeNumberField,
    at_most,
    new_idempotency_key,
    optional_int,
    options,
    required,
)


class BatchDetailsForm(PlotFields):
    """What a member writes about a batch and may correct later (never its lot code)."""

    variety = StringField(_l("Variety (optional)"), validators=[at_most(64)])
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
    confirm_in_interval = BooleanField(
        _l("It was harvested inside the pre-harvest interval (this batch cannot be sold)"))
    idempotency_key = HiddenField(default=new_idempotency_key)


class PhotoForm(Form):
    photo = FileField(_l("Add a photo"), validators=[FileRequired(message=_l("Choose a photo."))])


class StatusForm(Form):
    status = HiddenField(validators=[required()])
    reason = TextAreaField(_l("Reason"), validators=[at_most(200)])


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


LAYOUT_CHOICES = (
    ("a4-24", _l("A4 sheet: 24 labels, each 70 × 37 mm")),
    ("a4-40", _l("A4 sheet: 40 labels, each 48.5 × 25.4 mm")),
    ("roll-60x40", _l("Thermal printer roll: 60 × 40 mm labels")),
    ("roll-50x30", _l("Thermal printer roll: 50 × 30 mm labels")),
)


PREFIX = "labels"


class LabelRunForm(Form):
    """Fields carry the prefix "labels-" (PREFIX): the batch page's edit form has a `unit` too."""

    layout = RadioField(_l("Label paper"), choices=options(LAYOUT_CHOICES), default="a4-24",
                        validators=[required()])
    count = WholeNumberField(
        _l("Number of labels"), default=24,
        validators=[required(), NumberRange(min=1, max=label_runs.MAX_LABELS,
                                            message=_l("Print between 1 and 100,000 labels."))],
        description=_l("One label per pack. Up to 1,000 are ready at once; more take a minute."),
    )
    net_weight = NumberField(_l("Net weight of one pack"), places=None, validators=[required()])
    unit = RadioField(_l("Unit"), choices=options([("jin", _l("jin")), ("kg", _l("kg"))]),
                      default="jin", validators=[required()])

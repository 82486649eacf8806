"""Forms of the inspector's pages: the batch search and the records export."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    RadioField,
    SelectField,
    StringField,
)
from wtforms.validators import Optional

from freshcircle.platform.core.services.identifiers import FUYANG_COUNTIES
from freshcircle.platform.web.forms import Form, at_most, options


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


class RecallSearchForm(Form):
    """GET filters of 召回记录: part of a lot code, holds or recalls."""

    class Meta:
        csrf = False

    lot = StringField(_l("Lot code"), validators=[at_most(20)])
    status = SelectField(_l("Status"), default="", choices=options(
        [("", _l("All")), ("held", _l("Held")), ("recalled", _l("Recalled"))]))

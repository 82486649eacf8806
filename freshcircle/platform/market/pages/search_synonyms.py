"""Admins keep the market search's synonyms: other names buyers use (蒜头 = 大蒜)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import StringField

from freshcircle.platform.core.services.errors import DomainError
from freshcircle.platform.extensions import db
from freshcircle.platform.market.services import search_synonyms
from freshcircle.platform.models import Role
from freshcircle.platform.web.forms import Form, at_most, required
from freshcircle.platform.web.pages import actor, form_page, roles_required

bp = Blueprint("search_synonyms", __name__, url_prefix="/market/synonyms")


class SynonymForm(Form):
    name = StringField(_l("Buyers also say"), validators=[required(), at_most(40)],
                       description=_l("e.g. 蒜头, 土豆, 西红柿"))
    means = StringField(_l("Meaning"), validators=[required(), at_most(40)],
                        description=_l("the name on the listings, e.g. 大蒜, 马铃薯, 番茄"))


class DeleteForm(Form):
    """A CSRF-checked button."""


def _page(form: SynonymForm, error: DomainError | None = None):
    return form_page("market/synonyms.html", form, error,
                     synonyms=search_synonyms.all_synonyms(db.session, actor()),
                     delete_form=DeleteForm())


@bp.route("", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def index():
    form = SynonymForm()
    if not form.validate_on_submit():
        return _page(form)
    try:
        synonym = search_synonyms.add(db.session, actor(), form.name.data, form.means.data)
    except DomainError as error:
        return _page(form, error)
    flash(_("Searching %(name)s now also finds %(means)s.", name=synonym.name,
            means=synonym.means), "success")
    return redirect(url_for("search_synonyms.index"))


@bp.post("/<int:synonym_id>/delete")
@roles_required(Role.ADMIN)
def delete(synonym_id: int):
    if DeleteForm().validate_on_submit():
        search_synonyms.remove(db.session, actor(), synonym_id)
        flash(_("Synonym removed."), "success")
    return redirect(url_for("search_synonyms.index"))

"""Certifications (绿色食品, 有机, 地理标志): add one to a producer, correct it.

They are listed on the producer's page, where an expired one is marked 已过期.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _

from freshcircle.platform.core.services import access
from freshcircle.platform.core.services import files as file_service
from freshcircle.platform.core.services.errors import DomainError
from freshcircle.platform.extensions import db
from freshcircle.platform.farms.forms import CertificationForm
from freshcircle.platform.farms.services import farm_records as record_service
from freshcircle.platform.farms.services import producers as producer_service
from freshcircle.platform.models import Certification, Producer, Role
from freshcircle.platform.web.forms import options, product_choices
from freshcircle.platform.web.pages import (
    FARM_ROLES,
    actor,
    form_page,
    max_file_bytes,
    refusal,
    roles_required,
)

bp = Blueprint("cert_pages", __name__)
CERT_FIELDS = ("kind", "number", "issuer", "valid_from", "valid_to", "product_id", "notes")


def _with_products(form: CertificationForm) -> CertificationForm:
    form.product_id.choices = options([("", _("Not one product"))]) + product_choices()[1:]
    return form


def _page(form: CertificationForm, producer: Producer, cert: Certification | None = None,
          error: DomainError | None = None):
    if (error is not None or form.errors) and form.file.data and form.file.data.filename:
        # A browser never refills a file input: say so, or the record is saved without it.
        form.file.errors = [*form.file.errors, _("Choose the file again, please.")]
    return form_page("farms/certifications/form.html", form, error, producer=producer, cert=cert)


def _save(form: CertificationForm, producer: Producer, cert: Certification | None):
    """Store the scan (if one is chosen), then create or update the record."""
    user = actor()
    data = {name: getattr(form, name).data for name in CERT_FIELDS}
    upload = form.file.data
    if upload and upload.filename:
        stored = file_service.attach_file(db.session, user, producer_id=producer.id,
                                          upload=upload, filename=upload.filename,
                                          max_bytes=max_file_bytes())
        data["file_id"] = stored.id
    if cert is None:
        return record_service.create_certification(
            db.session, user, {**data, "producer_id": producer.id})
    return record_service.update_certification(db.session, user, cert, data)


def _refused(form, producer: Producer, cert: Certification | None, error: DomainError):
    return _page(form, producer, cert, refusal(error, rollback=True))


@bp.route("/producers/<int:producer_id>/certifications/new", methods=["GET", "POST"])
@roles_required(*FARM_ROLES, Role.ADMIN)
def new(producer_id: int):
    producer = producer_service.get_producer(db.session, producer_id)
    access.require_member(db.session, actor(), producer.id)
    form = _with_products(CertificationForm())
    if not form.validate_on_submit():
        return _page(form, producer)
    try:
        cert = _save(form, producer, None)
    except DomainError as error:
        return _refused(form, producer, None, error)
    flash(_("Certificate %(number)s is added.", number=cert.number), "success")
    return redirect(url_for("producer_pages.detail", producer_id=producer.id,
                            _anchor=f"cert-{cert.id}"))


@bp.route("/certifications/<int:cert_id>/edit", methods=["GET", "POST"])
@roles_required(*FARM_ROLES, Role.ADMIN)
def edit(cert_id: int):
    user = actor()
    cert = record_service.get_certification(db.session, user, cert_id)
    access.require_member(db.session, user, cert.producer_id)
    form = _with_products(CertificationForm(obj=cert))
    if not form.validate_on_submit():
        return _page(form, cert.producer, cert)
    try:
        _save(form, cert.producer, cert)
    except DomainError as error:
        return _refused(form, cert.producer, cert, error)
    flash(_("Certificate %(number)s is updated.", number=cert.number), "success")
    return redirect(url_for("producer_pages.detail", producer_id=cert.producer_id,
                            _anchor=f"cert-{cert.id}"))

"""Producers: register a family farm or cooperative, its page, its members."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from freshcircle.platform.batches.services import batches as batch_service
from freshcircle.platform.core.services import access, account_management, clock
from freshcircle.platform.core.services.errors import DomainError, InvalidInput
from freshcircle.platform.extensions import db
from freshcircle.platform.farms.forms import MemberForm, ProducerForm, ServicePhoneForm
from freshcircle.platform.farms.services import farm_records
from freshcircle.platform.farms.services import producers as producer_service
from freshcircle.platform.models import Certification, MemberRole, Membership, Role
from freshcircle.platform.web.pages import (
    FARM_ROLES,
    actor,
    for_batch_cards,
    form_page,
    refusal,
    roles_required,
    show_errors,
)

bp = Blueprint("producer_pages", __name__, url_prefix="/producers")
PRODUCER_FIELDS = ("kind", "name", "credit_code", "county_code", "township", "address",
                   "contact_phone", "service_phone")


@bp.get("/")
@roles_required(*FARM_ROLES)
def mine():
    producers = db.session.scalars(producer_service.producers_query(actor(), mine=True)).all()
    return render_template("farms/producers/mine.html", producers=producers)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*FARM_ROLES, Role.ADMIN)
def new():
    form = ProducerForm()
    if not form.validate_on_submit():
        return form_page("farms/producers/new.html", form)
    data = {name: getattr(form, name).data for name in PRODUCER_FIELDS}
    try:
        producer = producer_service.create_producer(db.session, actor(), data)
    except DomainError as error:
        return form_page("farms/producers/new.html", form, error)
    flash(_("%(name)s is registered.", name=producer.name), "success")
    return redirect(url_for("producer_pages.detail", producer_id=producer.id))


def _producer_page(producer_id: int, member_form: MemberForm, error: DomainError | None = None,
                   phone_form: ServicePhoneForm | None = None, new_account=None,
                   reset_account=None):
    user = actor()
    producer = producer_service.get_producer(db.session, producer_id)
    access.require_view_internal(db.session, user, producer.id)
    membership = db.session.get(Membership, (user.id, producer.id))
    is_manager = user.role == Role.ADMIN or (
        membership is not None and membership.role == MemberRole.MANAGER
    )
    batches = batch_service.attach_facts(
        db.session,
        list(db.session.scalars(
            for_batch_cards(batch_service.batches_query(user, producer_id=producer.id)).limit(50)
        )),
    )
    members = sorted(producer.memberships,
                     key=lambda m: (m.role != MemberRole.MANAGER, m.user.name))
    certifications = db.session.scalars(
        farm_records.certifications_query(user, producer_id=producer.id)
        .options(selectinload(Certification.product))
    ).all()
    can_write = user.role == Role.ADMIN or (
        membership is not None and user.role in FARM_ROLES
    )
    return form_page("farms/producers/detail.html", member_form, error, producer=producer,
                     members=members, is_manager=is_manager, batches=batches,
                     certifications=certifications, can_write=can_write,
                     today=clock.today_in_china(), new_account=new_account,
                     reset_account=reset_account,
                     phone_form=phone_form or ServicePhoneForm(prefix="phone",
                         formdata=None, service_phone=producer.service_phone))


@bp.get("/<int:producer_id>")
@roles_required(*FARM_ROLES, Role.INSPECTOR, Role.ADMIN)
def detail(producer_id: int):
    return _producer_page(producer_id, MemberForm(formdata=None))


@bp.post("/<int:producer_id>/service-phone")
@roles_required(*FARM_ROLES, Role.ADMIN)
def service_phone(producer_id: int):
    """A manager sets (or clears) the public service phone shown to shoppers."""
    form = ServicePhoneForm(prefix="phone")
    producer = producer_service.get_producer(db.session, producer_id)
    if form.validate_on_submit():
        try:
            producer_service.update_producer(db.session, actor(), producer,
                                             {"service_phone": form.service_phone.data})
        except DomainError as error:
            if isinstance(error, InvalidInput):
                show_errors(form, error)
            else:
                form.form_errors.append(str(error.message))
            page, _status = _producer_page(producer_id, MemberForm(formdata=None),
                                           phone_form=form)
            return page, error.status_code
        flash(_("The service phone is saved."), "success")
        return redirect(url_for("producer_pages.detail", producer_id=producer.id))
    page, _status = _producer_page(producer_id, MemberForm(formdata=None), phone_form=form)
    return page, 422


@bp.post("/<int:producer_id>/members")
@roles_required(*FARM_ROLES, Role.ADMIN)
def add_member(producer_id: int):
    form = MemberForm()
    if not form.validate_on_submit():
        return _producer_page(producer_id, form)
    producer = producer_service.get_producer(db.session, producer_id)
    try:
        enrolment = producer_service.enrol_member(
            db.session, actor(), producer, form.phone.data, MemberRole(form.role.data),
            form.name.data)
    except DomainError as error:
        return _producer_page(producer_id, form, refusal(error))
    membership = enrolment.membership
    flash(_("%(name)s is now a member of %(producer)s.", name=membership.user.name,
            producer=producer.name), "success")
    if enrolment.setup_code:  # shown once, on this page, never stored in plain
        return _producer_page(producer_id, MemberForm(formdata=None),
                              new_account=(membership.user, enrolment.setup_code))
    return redirect(url_for("producer_pages.detail", producer_id=producer.id))


@bp.post("/<int:producer_id>/members/<int:user_id>/reset")
@roles_required(*FARM_ROLES, Role.ADMIN)
def reset_member(producer_id: int, user_id: int):
    """A manager gives a member a one-time reset code (shown once, on this page)."""
    producer = producer_service.get_producer(db.session, producer_id)
    member, code = account_management.issue_member_reset_code(
        db.session, actor(), producer, user_id, request.remote_addr)
    return _producer_page(producer_id, MemberForm(formdata=None),
                          reset_account=(member, code))


@bp.post("/<int:producer_id>/members/<int:user_id>/remove")
@roles_required(*FARM_ROLES, Role.ADMIN)
def remove_member(producer_id: int, user_id: int):
    """A manager takes a member off the producer; their access to its records ends."""
    producer = producer_service.get_producer(db.session, producer_id)
    member = account_management.remove_member(db.session, actor(), producer, user_id,
                                              request.remote_addr)
    flash(_("%(name)s is no longer a member of %(producer)s.", name=member.name,
            producer=producer.name), "success")
    return redirect(url_for("producer_pages.detail", producer_id=producer.id))

"""Producers: registration, profile changes and members."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from freshcircle.platform.core.services import quotas, setup_codes
from freshcircle.platform.core.services.access import PRODUCER_ROLES, require_manager, require_role
from freshcircle.platform.core.services.errors import Conflict, InvalidInput, NotFound
from freshcircle.platform.core.services.identifiers import (
    FUYANG_COUNTIES,
    format_mobile,
    is_valid_credit_code,
    normalise_mobile,
)
from freshcircle.platform.models import MemberRole, Membership, Producer, ProducerKind, Role, User

EDITABLE_FIELDS = (
    "kind", "name", "credit_code", "county_code", "township", "address",
    "latitude", "longitude", "contact_phone", "service_phone",
)
# What a co-op may publish for shoppers: a mainland mobile, a landline with its area code
# (0558-6123456, 05586123456) or a 400/800 service number (400-123-4567).
LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}")
SERVICE_NUMBER = re.compile(r"[48]00-?\d{3}-?\d{4}")


def normalise_service_phone(raw: str) -> str | None:
    """The public service number as it is printed (spaces dropped), or None if it is none of
    a mobile, a landline with its area code, or a 400/800 number."""
    mobile = normalise_mobile(raw)
    if mobile is not None:
        return mobile
    compact = re.sub(r"[\s()]", "", raw or "")
    if LANDLINE.fullmatch(compact) or SERVICE_NUMBER.fullmatch(compact):
        return compact
    return None



def _check(session: Session, data: dict, producer_id: int | None = None) -> dict:
    """Validate producer fields; return them cleaned. Raises InvalidInput naming each bad field."""
    errors: dict[str, list] = {}
    clean = dict(data)
    if "name" in data and not (data["name"] or "").strip():
        errors["name"] = [_l("This field is required.")]
    elif "name" in data:
        clean["name"] = data["name"].strip()
    if "kind" in data and data["kind"] is not None:
        clean["kind"] = ProducerKind(data["kind"])
    code = (data.get("credit_code") or "").strip().upper()
    if "credit_code" in data:
        clean["credit_code"] = code or None
        if code and not is_valid_credit_code(code):
            errors["credit_code"] = [
                _l("Not a valid unified social credit code (18 characters, GB 32100-2015 check).")
            ]
        elif code:
            clash = select(Producer.id).where(Producer.credit_code == code)
            if producer_id is not None:
                clash = clash.where(Producer.id != producer_id)
            if session.scalar(clash):
                errors["credit_code"] = [_l("Another producer already has this credit code.")]
    if "county_code" in data:
        if data["county_code"] not in FUYANG_COUNTIES:
            errors["county_code"] = [_l("Choose one of Fuyang's counties and districts.")]
        else:
            clean["county_name"] = FUYANG_COUNTIES[data["county_code"]]
    if data.get("contact_phone"):
        phone = normalise_mobile(data["contact_phone"])
        if phone is None:
            errors["contact_phone"] = [
                _l("Enter an 11-digit mainland mobile number, e.g. 138 1234 5678.")
            ]
        clean["contact_phone"] = phone
    elif "contact_phone" in data:
        clean["contact_phone"] = None
    if (data.get("service_phone") or "").strip():
        service = normalise_service_phone(data["service_phone"])
        if service is None:
            errors["service_phone"] = [
                _l("Enter a mobile, a landline with its area code (0558-6123456) or a 400 number.")
            ]
        clean["service_phone"] = service
    elif "service_phone" in data:
        clean["service_phone"] = None
    for field, low, high in (("latitude", -90, 90), ("longitude", -180, 180)):
        value = data.get(field)
        if value is not None and not low <= value <= high:
            errors[field] = [_l("Out of range.")]
    if (data.get("latitude") is None) != (data.get("longitude") is None) and (
        "latitude" in data or "longitude" in data
    ):
        errors.setdefault("longitude", []).append(
            _l("Give both latitude and longitude, or neither.")
        )
    if errors:
        raise InvalidInput(errors=errors)
    return clean


def create_producer(session: Session, actor: User, data: dict) -> Producer:
    """Register a producer; a farmer or cooperative admin who registers it becomes its manager.

    A farmer or co-op admin registers at most PRODUCERS_PER_USER_PER_DAY producers per China
    day (429 until midnight); an admin onboarding producers is not limited."""
    require_role(actor, *PRODUCER_ROLES, Role.ADMIN)
    for required in ("kind", "name", "county_code"):
        if not data.get(required):
            raise InvalidInput.field(required, _l("This field is required."))
    clean = _check(session, data)
    if actor.role in PRODUCER_ROLES:
        _check_daily_quota(session, actor)
    producer = Producer(**{k: clean.get(k) for k in (*EDITABLE_FIELDS, "county_name")})
    session.add(producer)
    if actor.role in PRODUCER_ROLES:
        producer.memberships.append(Membership(user=actor, role=MemberRole.MANAGER))
    session.flush()
    return producer


def _check_daily_quota(session: Session, actor: User) -> None:
    """Producers the actor registered today: those created today that they manage (whoever
    registers one becomes its manager, and the last manager cannot step down)."""
    registered = session.scalar(
        select(func.count()).select_from(Membership)
        .join(Producer, Producer.id == Membership.producer_id)
        .where(Membership.user_id == actor.id, Membership.role == MemberRole.MANAGER,
               Producer.created_at >= quotas.china_day_start())) or 0
    quotas.check_daily(registered, "PRODUCERS_PER_USER_PER_DAY", lambda n: _l(
        "You have registered %(n)d producers today, the most allowed in a day; register more "
        "tomorrow.", n=n))


def update_producer(session: Session, actor: User, producer: Producer, changes: dict) -> Producer:
    require_manager(session, actor, producer.id)
    clean = _check(session, changes, producer_id=producer.id)
    for key in (*EDITABLE_FIELDS, "county_name"):
        if key in clean:
            setattr(producer, key, clean[key])
    session.flush()
    return producer


def get_producer(session: Session, producer_id: int) -> Producer:
    producer = session.get(Producer, producer_id)
    if producer is None:
        raise NotFound(_l("No such producer."))
    return producer


def producers_query(
    actor: User, *, county_code: str | None = None, q: str | None = None, mine: bool = False
) -> Select:
    """Producer profiles are visible to every signed-in user; `mine` keeps the actor's own."""
    stmt = select(Producer).order_by(Producer.name, Producer.id)
    if county_code:
        stmt = stmt.where(Producer.county_code == county_code)
    if q:
        stmt = stmt.where(Producer.name.contains(q, autoescape=True))
    if mine:
        stmt = stmt.where(
            Producer.id.in_(select(Membership.producer_id).where(Membership.user_id == actor.id))
        )
    return stmt


def add_member(
    session: Session, actor: User, producer: Producer, phone: str,
    role: MemberRole = MemberRole.MEMBER,
) -> Membership:
    """Add a registered farmer (found by mobile number) to a producer."""
    require_manager(session, actor, producer.id)
    normalised = normalise_mobile(phone)
    if normalised is None:
        raise InvalidInput.field(
            "phone", _l("Enter an 11-digit mainland mobile number, e.g. 138 1234 5678.")
        )
    user = session.scalar(select(User).where(User.phone == normalised))
    if user is None or user.role not in PRODUCER_ROLES:
        raise InvalidInput.field("phone", _l("No farmer is registered with this mobile number."))
    membership = session.get(Membership, (user.id, producer.id))
    if membership is None:
        membership = Membership(user=user, producer=producer, role=role)
        session.add(membership)
    else:
        if membership.role == MemberRole.MANAGER and role != MemberRole.MANAGER:
            managers = session.scalar(
                select(func.count()).select_from(Membership).where(
                    Membership.producer_id == producer.id, Membership.role == MemberRole.MANAGER
                )
            )
            if managers <= 1:
                raise Conflict(_l("A producer needs at least one manager; appoint another first."))
        membership.role = role
    session.flush()
    return membership


@dataclass(frozen=True)
class Enrolment:
    """A member added; `setup_code` is set (to show the manager once) when their account was
    opened just now."""

    membership: Membership
    setup_code: str | None = None


def enrol_member(session: Session, actor: User, producer: Producer, phone: str,
                 role: MemberRole = MemberRole.MEMBER, name: str | None = None) -> Enrolment:
    """Add a member by mobile number; a manager who also gives the name of someone with no
    account opens a farmer account for them with a one-time setup code (72 hours). Adding
    again one of the producer's members who never chose a password gives them a new code."""
    require_manager(session, actor, producer.id)
    normalised = normalise_mobile(phone)
    user = session.scalar(select(User).where(User.phone == normalised)) if normalised else None
    if normalised is None or user is not None:
        already = user is not None and session.get(Membership, (user.id, producer.id))
        membership = add_member(session, actor, producer, phone, role)
        if already and user.must_set_password:  # their code expired or was lost: a new one
            return Enrolment(membership, setup_codes.reissue(session, user))
        return Enrolment(membership)
    if not (name or "").strip():
        raise InvalidInput.field("name", _l("No account has this number yet: enter the "
                                            "member's name to open one."))
    user, code = setup_codes.open_account(session, phone=normalised, name=name.strip()[:64])
    membership = Membership(user=user, producer=producer, role=role)
    session.add(membership)
    session.flush()
    return Enrolment(membership, code)


@dataclass(frozen=True)
class ProducerProfile:
    """A producer as one reader sees it.

    Members and staff see the contact phone; everyone else sees it masked (138****5678), as
    on public pages. `my_role` is the reader's role in the producer, if they belong to it.
    """

    producer: Producer
    my_role: MemberRole | None
    contact_phone: str | None
    contact_phone_masked: bool


def profiles(session: Session, actor: User, producers: list[Producer]) -> list[ProducerProfile]:
    """Reader-specific profiles of `producers`, with one query for the reader's memberships."""
    ids = [p.id for p in producers]
    roles = dict(
        session.execute(
            select(Membership.producer_id, Membership.role).where(
                Membership.user_id == actor.id, Membership.producer_id.in_(ids)
            )
        ).all()
    ) if ids else {}
    result = []
    for producer in producers:
        insider = actor.is_staff or producer.id in roles
        phone = producer.contact_phone
        masked = bool(phone) and not insider
        result.append(ProducerProfile(
            producer=producer,
            my_role=roles.get(producer.id),
            contact_phone=format_mobile(phone, masked=True) if masked else phone,
            contact_phone_masked=masked,
        ))
    return result

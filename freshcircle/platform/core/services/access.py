"""Who may see and change what. Every service call passes the acting user through here."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, false, select, true
from sqlalchemy.orm import Session

from freshcircle.platform.core.services.errors import PermissionDenied
from freshcircle.platform.models import MemberRole, Membership, Role, User

PRODUCER_ROLES = (Role.FARMER, Role.COOP_ADMIN)


def require_role(user: User, *roles: Role) -> None:
    if user.role not in roles:
        raise PermissionDenied()


def member_producer_ids(session: Session, user: User) -> set[int]:
    return set(session.scalars(select(Membership.producer_id).where(Membership.user_id == user.id)))


def is_member(session: Session, user: User, producer_id: int) -> bool:
    return session.get(Membership, (user.id, producer_id)) is not None


def can_view_internal(session: Session, user: User, producer_id: int) -> bool:
    """Farm-internal records (batches, inputs, tests, files) are for members and staff only."""
    return user.is_staff or is_member(session, user, producer_id)


def require_view_internal(session: Session, user: User, producer_id: int) -> None:
    if not can_view_internal(session, user, producer_id):
        raise PermissionDenied(_l("Only members of this producer can see its records."))


def require_member(session: Session, user: User, producer_id: int) -> None:
    """Writing farm records: members of the producer, or an admin acting for them."""
    if user.role == Role.ADMIN:
        return
    if user.role not in PRODUCER_ROLES or not is_member(session, user, producer_id):
        raise PermissionDenied(_l("Only members of this producer can change its records."))


def require_manager(session: Session, user: User, producer_id: int) -> None:
    if user.role == Role.ADMIN:
        return
    membership = session.get(Membership, (user.id, producer_id))
    if membership is None or membership.role != MemberRole.MANAGER:
        raise PermissionDenied(_l("Only a manager of this producer can do this."))


def internal_filter(user: User, producer_id_column) -> ColumnElement[bool]:
    """A WHERE clause limiting a query to producers whose internal records `user` may see."""
    if user.is_staff:
        return true()
    if user.role not in PRODUCER_ROLES:
        return false()
    mine = select(Membership.producer_id).where(Membership.user_id == user.id)
    return producer_id_column.in_(mine)

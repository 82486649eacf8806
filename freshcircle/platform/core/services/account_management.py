"""Managing accounts: a password change, reset codes, deactivation, removal from a producer.

Each action ends the sign-ins it should (accounts.end_sessions) and is written to the audit
log with the acting user and the network the request came from.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from freshcircle.platform.core.services import accounts, audit, setup_codes
from freshcircle.platform.core.services.access import (
    PRODUCER_ROLES,
    member_producer_ids,
    require_manager,
    require_role,
)
from freshcircle.platform.core.services.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from freshcircle.platform.core.services.passwords import password_problems
from freshcircle.platform.models import (
    AuditAction,
    MemberRole,
    Membership,
    Producer,
    Role,
    User,
)


def get_user(session: Session, actor: User, user_id: int) -> User:
    """An account, for administrators."""
    require_role(actor, Role.ADMIN)
    user = session.get(User, user_id) if 0 < user_id < 2**31 else None
    if user is None:
        raise NotFound(_l("No such user."))
    return user


def change_password(session: Session, user: User, *, current: str, password: str,
                    confirm: str, network: str | None) -> None:
    """The user's own change: the current password, then a new one that meets the policy.
    Every other sign-in of the user ends (the page signs this browser in again)."""
    errors: dict[str, list] = {}
    if not accounts.check_password(user, current or ""):
        errors["current"] = [_l("The current password is wrong.")]
    if problems := password_problems(password):
        errors["password"] = problems
    elif password != confirm:
        errors["confirm"] = [_l("The two passwords differ.")]
    if errors:
        raise InvalidInput(errors=errors)
    user.password_hash = accounts.hash_password(password)
    accounts.end_sessions(session, user)
    audit.record(session, AuditAction.PASSWORD_CHANGED, actor=user, target=user,
                 network=network)


def _require_may_reset(session: Session, actor: User, target: User,
                       producer: Producer | None) -> None:
    if producer is None:
        require_role(actor, Role.ADMIN)
        return
    require_manager(session, actor, producer.id)
    if session.get(Membership, (target.id, producer.id)) is None:
        raise NotFound(_l("This person is not a member of this producer."))
    if actor.role == Role.ADMIN:
        return
    # A manager's code signs the member in everywhere: only for members of nothing else.
    managed = set(session.scalars(select(Membership.producer_id).where(
        Membership.user_id == actor.id, Membership.role == MemberRole.MANAGER)))
    if target.role not in PRODUCER_ROLES or not member_producer_ids(session, target) <= managed:
        raise PermissionDenied(_l("This member also belongs to another producer: ask an "
                                  "administrator to reset the password."))


def issue_reset_code(session: Session, actor: User, target: User, network: str | None,
                     producer: Producer | None = None) -> str:
    """A one-time code (setup_codes: 8 characters, hashed, 72 hours) with which `target`
    signs in once and then must choose a new password. Admins reset anyone; a co-op manager
    resets the members of `producer`. The old password, every sign-in and every API token
    stop working now."""
    _require_may_reset(session, actor, target, producer)
    if target.id == actor.id:
        raise Conflict(_l("Change your own password on the account page."))
    if not target.active:
        raise Conflict(_l("This account is deactivated; reactivate it first."))
    code = setup_codes.reissue(session, target)
    # A reset suggests the account may be in other hands: end its sign-ins and API tokens.
    accounts.end_sessions(session, target)
    accounts.revoke_all_tokens(session, target)
    audit.record(session, AuditAction.RESET_CODE_ISSUED, actor=actor, target=target,
                 producer=producer, network=network)
    return code


def deactivate(session: Session, actor: User, target: User, network: str | None) -> None:
    """Admins only: the account can no longer sign in, and its sessions and API tokens stop
    working at once."""
    require_role(actor, Role.ADMIN)
    if target.id == actor.id:
        raise Conflict(_l("You cannot deactivate your own account."))
    if not target.active:
        raise Conflict(_l("This account is already deactivated."))
    target.active = False
    accounts.end_sessions(session, target)
    audit.record(session, AuditAction.DEACTIVATED, actor=actor, target=target, network=network)


def reactivate(session: Session, actor: User, target: User, network: str | None) -> None:
    """Admins only: the account can sign in again (earlier sessions stay ended)."""
    require_role(actor, Role.ADMIN)
    if target.active:
        raise Conflict(_l("This account is active."))
    target.active = True
    audit.record(session, AuditAction.REACTIVATED, actor=actor, target=target, network=network)


def _membership(session: Session, producer: Producer, user_id: int) -> Membership:
    membership = (session.get(Membership, (user_id, producer.id))
                  if 0 < user_id < 2**31 else None)
    if membership is None:
        raise NotFound(_l("This person is not a member of this producer."))
    return membership


def issue_member_reset_code(session: Session, actor: User, producer: Producer, user_id: int,
                            network: str | None) -> tuple[User, str]:
    """A co-op manager's reset code for one of the producer's members (issue_reset_code)."""
    require_manager(session, actor, producer.id)
    target = _membership(session, producer, user_id).user
    return target, issue_reset_code(session, actor, target, network, producer=producer)


def remove_member(session: Session, actor: User, producer: Producer, user_id: int,
                  network: str | None) -> User:
    """A manager (or an admin) takes a member off a producer; their access to its records
    ends with their next request. The last manager stays. Returns the former member."""
    require_manager(session, actor, producer.id)
    membership = _membership(session, producer, user_id)
    target = membership.user
    if membership.role == MemberRole.MANAGER:
        managers = session.scalar(select(func.count()).select_from(Membership).where(
            Membership.producer_id == producer.id, Membership.role == MemberRole.MANAGER))
        if managers <= 1:
            raise Conflict(_l("A producer needs at least one manager; appoint another first."))
    session.delete(membership)
    audit.record(session, AuditAction.MEMBER_REMOVED, actor=actor, target=target,
                 producer=producer, network=network)
    return target

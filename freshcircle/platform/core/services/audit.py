"""The audit log of sign-ins and account actions: written by the services that act, read by
administrators. Entries are never changed or deleted (a database trigger refuses it)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, selectinload

from freshcircle.platform.core.services.access import require_role
from freshcircle.platform.models import AuditAction, AuditEntry, Producer, Role, User

ACTION_LABELS = {
    AuditAction.SIGNED_IN: _l("Signed in"),
    AuditAction.SIGNED_OUT: _l("Signed out"),
    AuditAction.PASSWORD_CHANGED: _l("Password changed"),
    AuditAction.RESET_CODE_ISSUED: _l("Reset code issued"),
    AuditAction.RESET_USED: _l("One-time code used"),
    AuditAction.DEACTIVATED: _l("Account deactivated"),
    AuditAction.REACTIVATED: _l("Account reactivated"),
    AuditAction.MEMBER_REMOVED: _l("Removed from producer"),
}


def record(session: Session, action: AuditAction, *, actor: User | None,
           target: User | None = None, producer: Producer | None = None,
           network: str | None = None) -> AuditEntry:
    """Append one entry; `network` is the client address the request came from."""
    entry = AuditEntry(action=action, actor=actor, target_user=target, producer=producer,
                       network=(network or None) and network[:45])
    session.add(entry)
    session.flush()
    return entry


def entries_query(actor: User, *, user_id: int | None = None) -> Select:
    """Entries newest first, for administrators; `user_id` keeps those by or about a user."""
    require_role(actor, Role.ADMIN)
    stmt = select(AuditEntry).options(
        selectinload(AuditEntry.actor), selectinload(AuditEntry.target_user),
        selectinload(AuditEntry.producer),
    ).order_by(AuditEntry.id.desc())
    if user_id is not None:
        stmt = stmt.where(or_(AuditEntry.actor_id == user_id,
                              AuditEntry.target_user_id == user_id))
    return stmt

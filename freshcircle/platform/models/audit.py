"""The audit log: who did what to which account or producer, when and from which network.

Append-only: the app has no route that changes or deletes an entry, and a database trigger
(see the migration) refuses UPDATE and DELETE on the table, on PostgreSQL and SQLite alike.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from freshcircle.platform.models.base import Base, utcnow
from freshcircle.platform.models.enums import enum_type
from freshcircle.platform.models.producers import Producer
from freshcircle.platform.models.users import User


class AuditAction(enum.StrEnum):
    SIGNED_IN = "signed_in"
    SIGNED_OUT = "signed_out"
    PASSWORD_CHANGED = "password_changed"
    RESET_CODE_ISSUED = "reset_code_issued"
    RESET_USED = "reset_used"
    DEACTIVATED = "deactivated"
    REACTIVATED = "reactivated"
    MEMBER_REMOVED = "member_removed"


class AuditEntry(Base):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    action: Mapped[AuditAction] = mapped_column(enum_type(AuditAction))
    # Who acted; the target is whose account (or membership) it was about.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    target_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    producer_id: Mapped[int | None] = mapped_column(ForeignKey("producers.id"))
    # The client address as the app sees it (request.remote_addr; behind a proxy, what
    # ProxyFix makes of X-Forwarded-For). IPv6 text is at most 45 characters.
    network: Mapped[str | None] = mapped_column(String(45))

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    target_user: Mapped[User | None] = relationship(foreign_keys=[target_user_id])
    producer: Mapped[Producer | None] = relationship()

"""Users, their roles, producer memberships and API tokens."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from freshcircle.platform.models.base import Base, utcnow

if TYPE_CHECKING:
    from freshcircle.platform.models.producers import Producer
from freshcircle.platform.models.enums import MemberRole, Role, enum_type


def new_session_id() -> str:
    """A random identifier for a user's sign-ins (64 hex characters)."""
    return secrets.token_hex(32)


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(11), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_type(Role))
    # Optional: where cut-off packing lists are e-mailed when FRESHCIRCLE_SMTP_URL is set.
    email: Mapped[str | None] = mapped_column(String(254))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # An account a co-op manager opened: a one-time setup code (argon2 hash, until it expires)
    # signs the member in once; then a password must be set before anything else.
    setup_code_hash: Mapped[str | None] = mapped_column(String(255))
    setup_code_expires_at: Mapped[dt.datetime | None]
    must_set_password: Mapped[bool] = mapped_column(default=False)
    # What session cookies and remember tokens carry instead of the id (Flask-Login's
    # alternative id): a new value ends every earlier sign-in at once.
    session_id: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_id)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    def get_id(self) -> str:  # Flask-Login: stored in the session and the remember cookie
        return self.session_id

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    @property
    def is_staff(self) -> bool:
        """Inspectors and admins see every producer's records."""
        return self.role in (Role.INSPECTOR, Role.ADMIN)


class Membership(Base):
    """A user belongs to a producer (a farmer to their family farm, members to a cooperative)."""

    __tablename__ = "memberships"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), primary_key=True)
    role: Mapped[MemberRole] = mapped_column(enum_type(MemberRole), default=MemberRole.MEMBER)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    producer: Mapped[Producer] = relationship(back_populates="memberships")


class ApiToken(Base):
    """A revocable bearer token; only its SHA-256 digest is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]

    user: Mapped[User] = relationship()

"""Accounts a co-op manager opens for a member: a one-time setup code instead of a password.

The code (8 characters without look-alikes such as 0/O and 1/I) is shown to the manager once
and stored only as an argon2 hash, like a password; it is valid for 72 hours and signs the
member in once, after which they must choose a password before anything else.
"""

from __future__ import annotations

import datetime as dt
import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from freshcircle.platform.core.services import accounts, audit, passwords
from freshcircle.platform.core.services.errors import InvalidInput
from freshcircle.platform.core.services.identifiers import normalise_mobile
from freshcircle.platform.models import AuditAction, Role, User

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 8
VALID_FOR = dt.timedelta(hours=72)


class SetupCodeExpired(InvalidInput):
    """The code was right but is past its 72 hours."""


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def open_account(session: Session, *, phone: str, name: str, role: Role = Role.FARMER,
                 now: dt.datetime | None = None) -> tuple[User, str]:
    """Create an account with no usable password and a setup code; returns the user and the
    plain code (shown once, never stored)."""
    # A random password nobody knows: the account is usable only through the code.
    user = accounts.create_user(session, phone=phone, name=name, role=role,
                                password=secrets.token_urlsafe(24))
    return user, reissue(session, user, now)


def reissue(session: Session, user: User, now: dt.datetime | None = None) -> str:
    """A new setup code for an account whose owner has not chosen a password yet (the old
    code expired, or was used and the password page left); the old code stops working."""
    code = new_code()
    user.setup_code_hash = accounts.hash_password(code)
    user.setup_code_expires_at = (now or dt.datetime.now(dt.UTC)) + VALID_FOR
    user.must_set_password = True
    session.flush()
    return code


def redeem(session: Session, phone: str, code: str, now: dt.datetime | None = None,
           network: str | None = None) -> User | None:
    """The user whose setup (or reset) code this is, with the code used up and the use in the
    audit log; None if it is not one. An expired code raises SetupCodeExpired (the sign-in
    page says so)."""
    normalised = normalise_mobile(phone)
    cleaned = (code or "").strip().upper().replace(" ", "")
    if normalised is None or len(cleaned) != CODE_LENGTH:
        return None
    user = session.scalar(select(User).where(User.phone == normalised))
    if user is None or user.setup_code_hash is None or not user.active:
        return None
    if not accounts.matches_hash(user.setup_code_hash, cleaned):
        return None
    if (now or dt.datetime.now(dt.UTC)) >= user.setup_code_expires_at:
        raise SetupCodeExpired(_l("This setup code has expired (it is valid for 72 hours). "
                                  "Ask your co-op manager for a new one."))
    user.setup_code_hash = None
    user.setup_code_expires_at = None
    user.must_set_password = True
    audit.record(session, AuditAction.RESET_USED, actor=user, target=user, network=network)
    return user


def set_first_password(session: Session, user: User, password: str, confirm: str,
                       network: str | None = None) -> None:
    """The member's own password, after signing in with a setup or reset code. Any other
    sign-in ends (the page signs this browser in again)."""
    passwords.require_good_password(password)
    if password != confirm:
        raise InvalidInput.field("confirm", _l("The two passwords differ."))
    user.password_hash = accounts.hash_password(password)
    user.must_set_password = False
    accounts.end_sessions(session, user)
    audit.record(session, AuditAction.PASSWORD_CHANGED, actor=user, target=user,
                 network=network)

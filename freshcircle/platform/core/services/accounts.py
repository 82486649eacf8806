"""Users, passwords and API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, or_, select, update
from sqlalchemy.orm import Session

from freshcircle.platform.core.services import audit
from freshcircle.platform.core.services.access import require_role
from freshcircle.platform.core.services.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from freshcircle.platform.core.services.identifiers import normalise_mobile
from freshcircle.platform.core.services.passwords import password_problems
from freshcircle.platform.models import ApiToken, AuditAction, Role, User, utcnow
from freshcircle.platform.models.users import new_session_id

_hasher = PasswordHasher()
TOKEN_PREFIX = "fc_"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(user: User, password: str) -> bool:
    return matches_hash(user.password_hash, password)


def matches_hash(stored_hash: str, secret: str) -> bool:
    """Whether `secret` is what `stored_hash` (from hash_password) was made from."""
    try:
        return _hasher.verify(stored_hash, secret)
    except (VerificationError, InvalidHashError):
        return False


EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def clean_email(value: str | None) -> str | None:
    """A plausible address (something@domain.tld, at most 254 characters) or None if empty;
    ValueError otherwise. Whether it receives mail only sending can tell."""
    value = (value or "").strip()
    if not value:
        return None
    if len(value) > 254 or not EMAIL.match(value):
        raise ValueError(value)
    return value


def create_user(session: Session, *, phone: str, name: str, password: str, role: Role,
                email: str | None = None) -> User:
    """Create a user; the phone must be a mainland mobile number not already registered."""
    errors: dict[str, list] = {}
    try:
        email = clean_email(email)
    except ValueError:
        errors["email"] = [_l("Enter an e-mail address like name@example.com, or leave it "
                              "empty.")]
    normalised = normalise_mobile(phone)
    if normalised is None:
        errors["phone"] = [_l("Enter an 11-digit mainland mobile number, e.g. 138 1234 5678.")]
    if problems := password_problems(password):
        errors["password"] = problems
    if not (name or "").strip():
        errors["name"] = [_l("This field is required.")]
    if errors:
        raise InvalidInput(errors=errors)
    if session.scalar(select(User.id).where(User.phone == normalised)):
        raise InvalidInput.field("phone", _l("This mobile number is already registered."))
    user = User(
        phone=normalised, name=name.strip(), password_hash=hash_password(password), role=role,
        email=email,
    )
    session.add(user)
    session.flush()
    return user


def users_query(actor: User, *, q: str | None = None, role: Role | None = None,
                active: bool | None = None) -> Select:
    """Accounts newest first, for administrators only; `q` finds a name or a mobile number
    (or part of one, spaces ignored), `role` and `active` filter."""
    require_role(actor, Role.ADMIN)
    stmt = select(User).order_by(User.id.desc())
    q = (q or "").strip()
    if q:
        digits = re.sub(r"[\s-]", "", q)
        found = User.name.contains(q, autoescape=True)
        if digits.isdigit():
            found = or_(found, User.phone.contains(digits, autoescape=True))
        stmt = stmt.where(found)
    if role is not None:
        stmt = stmt.where(User.role == role)
    if active is not None:
        stmt = stmt.where(User.active.is_(active))
    return stmt


def authenticate(session: Session, phone: str, password: str) -> User | None:
    """The active user with this phone and password, or None (also while a setup or reset
    code is outstanding). Costs one hash either way."""
    normalised = normalise_mobile(phone)
    user = session.scalar(select(User).where(User.phone == normalised)) if normalised else None
    if user is None:
        # Spend the same time as a real check so response time does not reveal registered numbers.
        _hasher.hash(password or "")
        return None
    if not check_password(user, password) or not user.active or user.must_set_password:
        return None  # an account waiting for a new password signs in with its code only
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def user_for_session(session: Session, session_id: str) -> User | None:
    """The active user whose current session id this is (from a session or remember cookie)."""
    if not session_id or len(session_id) > 64:
        return None
    user = session.scalar(select(User).where(User.session_id == session_id))
    return user if user is not None and user.active else None


def end_sessions(session: Session, user: User) -> None:
    """Every session and remember cookie issued to `user` so far stops working."""
    user.session_id = new_session_id()
    session.flush()


def revoke_all_tokens(session: Session, user: User) -> int:
    """Revoke every live API token of `user`; how many there were."""
    tokens = session.scalars(select(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))).all()
    for token in tokens:
        token.revoked_at = utcnow()
    session.flush()
    return len(tokens)


def record_sign_in(session: Session, user: User, network: str | None) -> None:
    """Write a sign-in (with a password or a one-time code) to the audit log."""
    audit.record(session, AuditAction.SIGNED_IN, actor=user, target=user, network=network)


def sign_out(session: Session, user: User, network: str | None) -> None:
    """End every sign-in of `user` (not only this browser's) and write it to the audit log."""
    end_sessions(session, user)
    audit.record(session, AuditAction.SIGNED_OUT, actor=user, target=user, network=network)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a bearer token. The plain token is returned once; only its digest is stored."""
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=(name or "api").strip()[:64], token_hash=_digest(plain),
                     prefix=plain[:8])
    session.add(token)
    session.flush()
    return token, plain


# A token's last use is recorded to this resolution: a client calling every second writes
# once in five minutes, not once a request.
TOKEN_USE_RESOLUTION = dt.timedelta(minutes=5)
PENDING_TOKEN_USES = "freshcircle.pending_token_uses"  # key in Session.info


def user_for_token(session: Session, plain: str, now: dt.datetime | None = None) -> User | None:
    """The active user a valid bearer token belongs to, or None. Writes nothing.

    Most token requests are reads, and a read must not write inside its transaction (on
    SQLite a read transaction cannot take the write lock once another writer went first).
    When the recorded last use is older than TOKEN_USE_RESOLUTION, the token is noted in the
    session; `record_token_uses` writes it after the request's own commit (transactions.py).
    """
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(plain)))
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    now = now or utcnow()
    if token.last_used_at is None or token.last_used_at <= now - TOKEN_USE_RESOLUTION:
        session.info.setdefault(PENDING_TOKEN_USES, set()).add(token.id)
    return token.user


def record_token_uses(session: Session, now: dt.datetime | None = None) -> int:
    """Record the last use of the tokens `user_for_token` noted; how many rows changed.

    One UPDATE, guarded so concurrent requests with the same token write it once per
    TOKEN_USE_RESOLUTION. The caller runs it in a short transaction of its own.
    """
    token_ids = session.info.pop(PENDING_TOKEN_USES, None)
    if not token_ids:
        return 0
    now = now or utcnow()
    result = session.execute(
        update(ApiToken)
        .where(ApiToken.id.in_(sorted(token_ids)),
               or_(ApiToken.last_used_at.is_(None),
                   ApiToken.last_used_at <= now - TOKEN_USE_RESOLUTION))
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def list_tokens(session: Session, user: User) -> list[ApiToken]:
    return list(
        session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
        )
    )


def revoke_token(session: Session, actor: User, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound()
    if token.user_id != actor.id and actor.role != Role.ADMIN:
        raise PermissionDenied()
    if token.revoked_at is not None:
        raise Conflict(_l("This token was already revoked."))
    token.revoked_at = utcnow()
    session.flush()
    return token

"""Idempotency keys (IETF draft-ietf-httpapi-idempotency-key-header): a create request sent
again with the same key gets the first answer, and nothing is stored twice.

A key belongs to the user who sent it. It is remembered with a fingerprint of the request
(endpoint, path arguments, body) and the answer, in the request's own transaction; the same key
with another request is refused with the stored answer. Keys are kept IDEMPOTENCY_DAYS
(at least 30); `flask purge-idempotency-keys` removes older ones.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from freshcircle.platform.core.services.errors import Conflict
from freshcircle.platform.models import IdempotencyKey, User, utcnow

HEADER = "Idempotency-Key"


class KeyReused(Conflict):
    """The key already answered a different request; `stored` is that answer."""

    def __init__(self, stored: IdempotencyKey):
        super().__init__(
            _l("This Idempotency-Key already created another record; send a new key for a new "
               "record."),
            errors={HEADER: [_l("Already used for a different request.")]},
        )
        self.stored = stored


def fingerprint(endpoint: str, path_args: dict, body: object) -> str:
    """The same request (whatever its JSON key order or multipart boundary) hashes the same."""
    meaning = {"endpoint": endpoint, "path": {k: str(v) for k, v in path_args.items()},
               "body": body}
    text = json.dumps(meaning, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def find(session: Session, user: User, key: str) -> IdempotencyKey | None:
    return session.scalar(select(IdempotencyKey).where(IdempotencyKey.user_id == user.id,
                                                       IdempotencyKey.key == key))


def replayable(stored: IdempotencyKey, request_fingerprint: str) -> IdempotencyKey:
    """The stored answer for this request, or KeyReused when the key served another one."""
    if stored.fingerprint != request_fingerprint:
        raise KeyReused(stored)
    return stored


def remember(session: Session, user: User, key: str, endpoint: str, request_fingerprint: str,
             status_code: int, body: str) -> None:
    session.add(IdempotencyKey(user_id=user.id, key=key, endpoint=endpoint,
                               fingerprint=request_fingerprint, status_code=status_code,
                               response_body=body))
    session.flush()


def purge(session: Session, days: int, now: dt.datetime | None = None) -> int:
    """Forget keys older than `days`; how many went."""
    cutoff = (now or utcnow()) - dt.timedelta(days=days)
    result = session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < cutoff))
    return result.rowcount or 0

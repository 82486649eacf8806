"""Idempotency keys: the answer each create request gave, kept so a replay gets it again.

A phone's outbox sends every record with its own `Idempotency-Key`; the key, the request's
fingerprint and the answer are written in the same transaction as the record, so both are
stored or neither is. Keys belong to the user who sent them.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from freshcircle.platform.models.base import Base, utcnow


class IdempotencyKey(Base):
    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    endpoint: Mapped[str] = mapped_column(String(120))
    fingerprint: Mapped[str] = mapped_column(String(64))  # sha256 of endpoint, path and body
    status_code: Mapped[int]
    response_body: Mapped[str] = mapped_column(Text)  # the JSON answer, as sent
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)

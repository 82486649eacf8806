"""The in-app inbox: a user's own notices, newest first; marking them read."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from freshcircle.platform.core.services.errors import NotFound
from freshcircle.platform.models import Notice, User, utcnow

PAGE_SIZE = 30


@dataclass(frozen=True)
class NoticeView:
    notice: Notice
    facts: dict[str, Any]


def inbox(session: Session, actor: User, limit: int = PAGE_SIZE,
          offset: int = 0) -> list[NoticeView]:
    rows = session.scalars(select(Notice).where(Notice.user_id == actor.id)
                           .order_by(Notice.created_at.desc(), Notice.id.desc())
                           .limit(limit).offset(offset))
    return [NoticeView(row, json.loads(row.payload)) for row in rows]


def unread_count(session: Session, actor: User) -> int:
    return session.scalar(select(func.count()).select_from(Notice).where(
        Notice.user_id == actor.id, Notice.read_at.is_(None))) or 0


def mark_read(session: Session, actor: User, notice_id: int | None = None) -> int:
    """Mark one of the actor's notices (or all of them) read; returns how many changed.

    Another user's notice id raises NotFound, exactly as an id that does not exist, so it
    cannot be probed; the actor's own notice already read answers 0."""
    if notice_id is not None and session.scalar(select(Notice.id).where(
            Notice.id == notice_id, Notice.user_id == actor.id)) is None:
        raise NotFound()
    stmt = update(Notice).where(Notice.user_id == actor.id, Notice.read_at.is_(None))
    if notice_id is not None:
        stmt = stmt.where(Notice.id == notice_id)
    return session.execute(stmt.values(read_at=utcnow())).rowcount or 0

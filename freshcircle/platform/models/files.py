"""Uploaded files (photos, test reports, certificates), kept in the database.

Keeping the bytes in the same transaction as the record that refers to them means a failed
request never leaves an orphan file or a record pointing at nothing.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column

from freshcircle.platform.models.base import Base, utcnow


class StoredFile(Base):
    __tablename__ = "stored_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Files belong to a producer; only those who may see its internal records may read them.
    producer_id: Mapped[int | None] = mapped_column(ForeignKey("producers.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

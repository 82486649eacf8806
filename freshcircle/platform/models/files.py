"""Uploaded files (photos, test reports, certificates) and generated PDFs: the record here,
the bytes in the file store (core/services/file_store.py) under their sha256.

The bytes are written (atomically) before the record is flushed, so a failed request leaves
at most an orphan blob (`flask clean-orphan-files` removes those), never a record pointing at
nothing.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from freshcircle.platform.models.base import Base, utcnow


class StoredFile(Base):
    __tablename__ = "stored_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Files belong to a producer; only those who may see its internal records may read them.
    producer_id: Mapped[int | None] = mapped_column(ForeignKey("producers.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    # The bytes' key in the file store (content-addressed).
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

"""Photos sent in parts (resumable uploads): each acknowledged part is a row of its own, so a
connection that drops mid-photo, or a server that restarts, resumes from the last stored byte."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from freshcircle.platform.models.base import Base, utcnow


class PhotoUpload(Base):
    __tablename__ = "photo_uploads"
    __table_args__ = (UniqueConstraint("user_id", "idempotency_key",
                                       name="uq_photo_uploads_user_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    received: Mapped[int] = mapped_column(Integer, default=0)
    photo_id: Mapped[int | None] = mapped_column(ForeignKey("batch_photos.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    photo = relationship("BatchPhoto")
    parts = relationship("PhotoUploadPart", order_by="PhotoUploadPart.offset",
                         cascade="all, delete-orphan", passive_deletes=True)

    @property
    def complete(self) -> bool:
        return self.photo_id is not None


class PhotoUploadPart(Base):
    __tablename__ = "photo_upload_parts"
    __table_args__ = (UniqueConstraint("upload_id", "offset", name="uq_photo_upload_parts_offset"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    upload_id: Mapped[int] = mapped_column(ForeignKey("photo_uploads.id", ondelete="CASCADE"),
                                           index=True)
    offset: Mapped[int]
    size: Mapped[int]
    # The part's bytes in the file store, under this key (written before the row).
    sha256: Mapped[str] = mapped_column(String(64), index=True)

"""The in-app inbox: notices to one user (a recall reaching a buyer, a carrier, a producer)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from freshcircle.platform.models.base import Base, utcnow
from freshcircle.platform.models.batches import Batch


class Notice(Base):
    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    # The facts as JSON (lots, quantities, shipments, places in both languages, the reason);
    # the inbox words them in the reader's language from the catalogs when it shows them.
    subject: Mapped[str] = mapped_column(String(200))
    payload: Mapped[str] = mapped_column(Text)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    read_at: Mapped[dt.datetime | None]

    batch: Mapped[Batch | None] = relationship()

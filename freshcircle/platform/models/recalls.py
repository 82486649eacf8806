"""召回记录: each hold or recall an inspector made, with everyone it told."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from freshcircle.platform.models.base import Base, utcnow
from freshcircle.platform.models.batches import Batch
from freshcircle.platform.models.enums import BatchStatus, enum_type
from freshcircle.platform.models.users import User

recall_recipients = Table(
    "recall_recipients", Base.metadata,
    Column("recall_id", ForeignKey("recall_records.id"), primary_key=True),
    Column("user_id", ForeignKey("users.id"), primary_key=True),
)


class RecallRecord(Base):
    __tablename__ = "recall_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"), index=True)
    status: Mapped[BatchStatus] = mapped_column(enum_type(BatchStatus))  # held or recalled
    reason: Mapped[str] = mapped_column(String(200))
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)

    batch: Mapped[Batch] = relationship()
    actor: Mapped[User] = relationship()
    recipients: Mapped[list[User]] = relationship(secondary=recall_recipients,
                                                  order_by=User.id)

"""Batches (lots) of produce and their photos."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from freshcircle.platform.models.base import Base, utcnow
from freshcircle.platform.models.catalog import Product
from freshcircle.platform.models.enums import BatchStatus, enum_type
from freshcircle.platform.models.files import StoredFile
from freshcircle.platform.models.plantings import Planting
from freshcircle.platform.models.plots import Plot
from freshcircle.platform.models.producers import Producer


class Batch(Base):
    __tablename__ = "batches"
    __table_args__ = (
        UniqueConstraint("producer_id", "lot_code"),
        UniqueConstraint("producer_id", "idempotency_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    lot_code: Mapped[str] = mapped_column(String(20))
    variety: Mapped[str | None] = mapped_column(String(64))
    plot_id: Mapped[int] = mapped_column(ForeignKey("plots.id"), index=True)
    # The planting it harvests (plantings.services.plantings.planting_harvested), if any.
    planting_id: Mapped[int | None] = mapped_column(ForeignKey("plantings.id"), index=True)
    harvest_date: Mapped[dt.date] = mapped_column(index=True)
    # Exact grams: 1 斤 = 500 g, so both units convert without rounding.
    quantity_g: Mapped[int] = mapped_column(BigInteger)
    grade: Mapped[str | None] = mapped_column(String(32))
    notes: Mapped[str | None] = mapped_column(Text)
    status: Mapped[BatchStatus] = mapped_column(
        enum_type(BatchStatus), default=BatchStatus.REGISTERED, index=True
    )
    status_reason: Mapped[str | None] = mapped_column(String(200))
    idempotency_key: Mapped[str | None] = mapped_column(String(64))
    # SHA-256 of the request that used the key: a replay must be the same request.
    idempotency_hash: Mapped[str | None] = mapped_column(String(64))
    # Serials (AI 21) are numbered per batch: label runs take the next block and move this on.
    serials_issued: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    producer: Mapped[Producer] = relationship()
    product: Mapped[Product] = relationship()
    plot: Mapped[Plot] = relationship()
    planting: Mapped[Planting | None] = relationship()
    # Not a column: batches.services.batches.attach_facts sets safety status and stock for readers.
    facts = None
    photos: Mapped[list[BatchPhoto]] = relationship(
        back_populates="batch", cascade="all, delete-orphan", order_by="BatchPhoto.id"
    )


class BatchPhoto(Base):
    __tablename__ = "batch_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    batch: Mapped[Batch] = relationship(back_populates="photos")
    file: Mapped[StoredFile] = relationship()

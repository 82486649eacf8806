"""Plantings (种植计划): what a producer grows on a plot, and how the season goes.

A planting is one crop on one plot: product, area, planting date, the expected harvest window
and yield. Batches harvested from it point at it (Batch.planting_id), so planned against actual
yield builds up by itself; the supply forecast reads both. A forward contract can later point
at a planting by its id.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from freshcircle.platform.models.base import Base, utcnow
from freshcircle.platform.models.catalog import Product
from freshcircle.platform.models.enums import SeasonStatus, enum_type
from freshcircle.platform.models.plots import Plot
from freshcircle.platform.models.producers import Producer


class Planting(Base):
    __tablename__ = "plantings"

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    plot_id: Mapped[int] = mapped_column(ForeignKey("plots.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    variety: Mapped[str | None] = mapped_column(String(64))
    area_mu: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    planted_on: Mapped[dt.date]
    harvest_from: Mapped[dt.date] = mapped_column(index=True)
    harvest_to: Mapped[dt.date] = mapped_column(index=True)
    expected_yield_jin_per_mu: Mapped[int]
    # The latest season update (None: none given yet); the updates themselves are kept below.
    status: Mapped[SeasonStatus | None] = mapped_column(enum_type(SeasonStatus))
    status_reason: Mapped[str | None] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    producer: Mapped[Producer] = relationship()
    plot: Mapped[Plot] = relationship()
    product: Mapped[Product] = relationship()
    updates: Mapped[list[PlantingUpdate]] = relationship(
        back_populates="planting", cascade="all, delete-orphan",
        order_by="PlantingUpdate.id")

    @property
    def expected_jin(self) -> Decimal:
        """The whole planting's expected harvest in 斤, as planned."""
        return self.area_mu * self.expected_yield_jin_per_mu


class PlantingUpdate(Base):
    """One season update of a planting (good, poor, lost) with its reason; kept as history."""

    __tablename__ = "planting_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    planting_id: Mapped[int] = mapped_column(ForeignKey("plantings.id", ondelete="CASCADE"),
                                             index=True)
    status: Mapped[SeasonStatus] = mapped_column(enum_type(SeasonStatus))
    reason: Mapped[str | None] = mapped_column(String(200))
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reported_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    planting: Mapped[Planting] = relationship(back_populates="updates")

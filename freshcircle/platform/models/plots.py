"""Plots (地块): a producer's fields and greenhouses, where inputs are applied and lots grow."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Column, ForeignKey, Numeric, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from freshcircle.platform.models.base import Base, utcnow
from freshcircle.platform.models.catalog import Product
from freshcircle.platform.models.producers import Producer

plot_crops = Table(
    "plot_crops",
    Base.metadata,
    Column("plot_id", ForeignKey("plots.id", ondelete="CASCADE"), primary_key=True),
    Column("product_id", ForeignKey("products.id"), primary_key=True),
)


class Plot(Base):
    """One plot of a producer. The safety interval is checked per plot record, never by name.

    `area_mu` (亩) is optional: plots made by the migration from old free-text names have no
    known area, and a farmer adding a plot from the phone form may not know it yet.
    """

    __tablename__ = "plots"
    __table_args__ = (UniqueConstraint("producer_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    area_mu: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    township: Mapped[str | None] = mapped_column(String(64))
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    producer: Mapped[Producer] = relationship()
    crops: Mapped[list[Product]] = relationship(secondary=plot_crops, order_by=Product.id)

    def __str__(self) -> str:
        return self.name

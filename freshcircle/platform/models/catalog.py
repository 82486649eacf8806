"""The product catalog, seeded from the produce table shipped with the package."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from freshcircle.platform.models.base import Base


class Product(Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    name_en: Mapped[str] = mapped_column(String(80), unique=True)
    name_zh: Mapped[str] = mapped_column(String(40))
    scientific_name: Mapped[str | None] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(32))
    temp_class: Mapped[str] = mapped_column(String(24))
    temp_min_c: Mapped[Decimal] = mapped_column(Numeric(4, 1))
    temp_max_c: Mapped[Decimal] = mapped_column(Numeric(4, 1))
    rh_min_pct: Mapped[int | None]
    rh_max_pct: Mapped[int | None]
    storage_life_days: Mapped[int]
    storage_life_days_max: Mapped[int | None]
    q10: Mapped[Decimal | None] = mapped_column(Numeric(4, 2))
    ethylene_producer: Mapped[bool] = mapped_column(default=False)
    ethylene_sensitive: Mapped[bool] = mapped_column(default=False)
    chilling_sensitive: Mapped[bool] = mapped_column(default=False)
    # A usual yield in 斤 per 亩 (data/crop_yields.csv): a planting's default expected yield
    # until the producer has harvests of its own. None where a yield per 亩 makes no sense.
    typical_yield_jin_per_mu: Mapped[int | None]

"""Places goods move between: farms, cold stores, hubs, buyer sites, wholesale markets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from freshcircle.platform.models.base import Base
from freshcircle.platform.models.enums import PlaceKind, enum_type


class Place(Base):
    __tablename__ = "places"

    id: Mapped[int] = mapped_column(primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(120), unique=True)
    # The demo content's key (its original English name) for a sample place, so re-seeding
    # finds a renamed cold store; None for every other place.
    demo_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    kind: Mapped[PlaceKind] = mapped_column(enum_type(PlaceKind))
    latitude: Mapped[Decimal] = mapped_column(Numeric(9, 6))
    longitude: Mapped[Decimal] = mapped_column(Numeric(9, 6))
    admin_code: Mapped[str | None] = mapped_column(String(6))
    admin_name: Mapped[str | None] = mapped_column(String(32))
    producer_id: Mapped[int | None] = mapped_column(ForeignKey("producers.id"))
    # A buyer site's buyer: who a delivery here reaches, and whom a recall must tell.
    buyer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # When a buyer site takes deliveries (China time); None: any time.
    receiving_from: Mapped[dt.time | None]
    receiving_to: Mapped[dt.time | None]

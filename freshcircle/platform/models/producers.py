"""Producers (family farms and cooperatives) and their certifications."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from freshcircle.platform.models.base import Base, utcnow

if TYPE_CHECKING:
    from freshcircle.platform.models.catalog import Product
    from freshcircle.platform.models.users import Membership
from freshcircle.platform.models.enums import CertificationKind, ProducerKind, enum_type


class Producer(Base):
    __tablename__ = "producers"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ProducerKind] = mapped_column(enum_type(ProducerKind))
    name: Mapped[str] = mapped_column(String(100))
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)
    # GB/T 2260 codes change over the years, so the name is stored with the code.
    county_code: Mapped[str] = mapped_column(String(6), index=True)
    county_name: Mapped[str] = mapped_column(String(32))
    township: Mapped[str | None] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(String(200))
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    contact_phone: Mapped[str | None] = mapped_column(String(11))
    # The public number the co-op chooses for shoppers (consumer page); a mobile, a landline
    # such as 0558-6123456 or a 400 number. Never a member's personal mobile by default.
    service_phone: Mapped[str | None] = mapped_column(String(20))
    is_sample: Mapped[bool] = mapped_column(default=False)
    # The demo content's key for a sample producer (demo/content.py): how re-seeding finds it
    # whatever its managers renamed it to. None for every real producer.
    demo_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Orders placed after this time (China) go to the next dispatch day; dispatch days are
    # ISO weekdays, "1234567" every day.
    order_cutoff: Mapped[dt.time] = mapped_column(default=dt.time(16, 0),
                                                  server_default="16:00:00")
    dispatch_weekdays: Mapped[str] = mapped_column(String(7), default="1234567",
                                                   server_default="1234567")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # When the record last changed: the public showcase's pages are cached per data version
    # (showcase/services/data_version.py). None on rows older than the column.
    updated_at: Mapped[dt.datetime | None] = mapped_column(default=utcnow, onupdate=utcnow)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="producer", cascade="all, delete-orphan"
    )


class Certification(Base):
    __tablename__ = "certifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    kind: Mapped[CertificationKind] = mapped_column(enum_type(CertificationKind))
    number: Mapped[str] = mapped_column(String(64))
    issuer: Mapped[str] = mapped_column(String(100))
    valid_from: Mapped[dt.date]
    valid_to: Mapped[dt.date]
    file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"))
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime | None] = mapped_column(default=utcnow, onupdate=utcnow)

    producer: Mapped[Producer] = relationship()
    product: Mapped[Product | None] = relationship()

    def is_expired(self, today: dt.date) -> bool:
        return self.valid_to < today

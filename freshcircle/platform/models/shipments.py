"""Shipments, their lines (batch and quantity) and temperature readings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import BigInteger, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from freshcircle.platform.models.base import Base, utcnow
from freshcircle.platform.models.batches import Batch
from freshcircle.platform.models.enums import (
    ShipmentStatus,
    TemperatureClass,
    TransportMode,
    enum_type,
)
from freshcircle.platform.models.places import Place
from freshcircle.platform.models.users import User


class Shipment(Base):
    __tablename__ = "shipments"

    id: Mapped[int] = mapped_column(primary_key=True)
    from_place_id: Mapped[int] = mapped_column(ForeignKey("places.id"))
    to_place_id: Mapped[int] = mapped_column(ForeignKey("places.id"))
    carrier_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    vehicle_plate: Mapped[str | None] = mapped_column(String(10))
    mode: Mapped[TransportMode] = mapped_column(enum_type(TransportMode))
    temp_class: Mapped[TemperatureClass] = mapped_column(enum_type(TemperatureClass))
    set_point_c: Mapped[Decimal | None] = mapped_column(Numeric(4, 1))
    planned_departure: Mapped[dt.datetime]
    planned_arrival: Mapped[dt.datetime]
    actual_departure: Mapped[dt.datetime | None]
    actual_arrival: Mapped[dt.datetime | None]
    status: Mapped[ShipmentStatus] = mapped_column(
        enum_type(ShipmentStatus), default=ShipmentStatus.PLANNED, index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Set when an accepted dispatch plan made it: which run (route) and which stop on it.
    dispatch_plan_id: Mapped[int | None] = mapped_column(ForeignKey("dispatch_plans.id"),
                                                         index=True)
    route_no: Mapped[int | None]
    stop_no: Mapped[int | None]

    from_place: Mapped[Place] = relationship(foreign_keys=[from_place_id])
    to_place: Mapped[Place] = relationship(foreign_keys=[to_place_id])
    carrier: Mapped[User | None] = relationship(foreign_keys=[carrier_id])
    lines: Mapped[list[ShipmentLine]] = relationship(
        back_populates="shipment", cascade="all, delete-orphan", order_by="ShipmentLine.id"
    )


class ShipmentLine(Base):
    __tablename__ = "shipment_lines"
    __table_args__ = (UniqueConstraint("shipment_id", "batch_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"), index=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"), index=True)
    quantity_g: Mapped[int] = mapped_column(BigInteger)
    # Set when the line carries an order's goods: those grams were already set aside by the
    # listing they were sold from, so the batch's stock counts them there, not twice.
    order_line_id: Mapped[int | None] = mapped_column(ForeignKey("order_lines.id"), index=True)

    shipment: Mapped[Shipment] = relationship(back_populates="lines")
    batch: Mapped[Batch] = relationship()


class TemperatureReading(Base):
    __tablename__ = "temperature_readings"
    # Idempotent ingest: a logger that resends a reading for the same instant adds nothing.
    # A logger id counts on its own shipment only: another carrier's logger with the same id
    # never collides with this one (a different value for the same key is refused).
    __table_args__ = (UniqueConstraint("shipment_id", "sensor_id", "recorded_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"), index=True)
    sensor_id: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime]
    celsius: Mapped[Decimal] = mapped_column(Numeric(5, 2))


class ShipmentAlert(Base):
    """A temperature excursion on a shipment (outside its class's band for longer than the
    allowed time), raised from its readings and acknowledged by a person with a comment."""

    __tablename__ = "shipment_alerts"
    __table_args__ = (UniqueConstraint("shipment_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"), index=True)
    side: Mapped[str] = mapped_column(String(8))  # above or below the band
    started_at: Mapped[dt.datetime]
    ended_at: Mapped[dt.datetime]
    extreme_c: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    acknowledged_at: Mapped[dt.datetime | None]
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    comment: Mapped[str | None] = mapped_column(String(500))

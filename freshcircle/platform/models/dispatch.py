"""Reefer fleet and dispatch plans.

A vehicle belongs to a producer (a cooperative's own or contracted truck), is based at one of
its cold stores and has compartments, each a kind (the planner's stowage unit, e.g.
"chilled-veg"), a temperature class and range, and a capacity in kg and pallet places.

A dispatch plan is one planning run for a cold store's dispatch day: queued, running (with
progress), done (the plan as JSON: routes, stops, loads, unassigned orders with reasons), or
failed; a done plan can be accepted once, which creates the shipments.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from freshcircle.platform.models.base import Base, utcnow
from freshcircle.platform.models.enums import TemperatureClass, enum_type
from freshcircle.platform.models.places import Place
from freshcircle.platform.models.users import User


class Vehicle(Base):
    __tablename__ = "vehicles"
    __table_args__ = (UniqueConstraint("producer_id", "plate"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    depot_id: Mapped[int] = mapped_column(ForeignKey("places.id"))
    plate: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(60))
    driver_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    fixed_cost_fen: Mapped[int] = mapped_column(Integer)
    fen_per_km: Mapped[int] = mapped_column(Integer)
    shift_hours: Mapped[int] = mapped_column(Integer, default=14)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    depot: Mapped[Place] = relationship()
    driver: Mapped[User | None] = relationship()
    compartments: Mapped[list[VehicleCompartment]] = relationship(
        back_populates="vehicle", cascade="all, delete-orphan",
        order_by="VehicleCompartment.position")


class VehicleCompartment(Base):
    __tablename__ = "vehicle_compartments"

    id: Mapped[int] = mapped_column(primary_key=True)
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicles.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    temp_class: Mapped[TemperatureClass] = mapped_column(enum_type(TemperatureClass))
    min_c: Mapped[Decimal] = mapped_column(Numeric(4, 1))
    max_c: Mapped[Decimal] = mapped_column(Numeric(4, 1))
    capacity_kg: Mapped[int] = mapped_column(Integer)
    capacity_pallets: Mapped[int] = mapped_column(Integer)

    vehicle: Mapped[Vehicle] = relationship(back_populates="compartments")


class DispatchPlan(Base):
    __tablename__ = "dispatch_plans"
    # One plan queued or running per cold store at a time (planning is shared by everyone).
    __table_args__ = (
        Index("ix_dispatch_plans_one_active_per_depot", "depot_id", unique=True,
              sqlite_where=text("status IN ('queued', 'running')"),
              postgresql_where=text("status IN ('queued', 'running')")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    depot_id: Mapped[int] = mapped_column(ForeignKey("places.id"))
    dispatch_date: Mapped[dt.date] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(12), default="queued")
    progress: Mapped[Decimal] = mapped_column(Numeric(4, 3), default=Decimal(0))
    time_limit_s: Mapped[int] = mapped_column(Integer, default=20)
    seed: Mapped[int] = mapped_column(Integer, default=0)
    result: Mapped[str | None] = mapped_column(Text)  # the plan as JSON once done
    error: Mapped[str | None] = mapped_column(String(500))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
    accepted_at: Mapped[dt.datetime | None]
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    depot: Mapped[Place] = relationship()

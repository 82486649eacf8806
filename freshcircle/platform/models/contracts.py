"""Forward contracts (订单农业): a buyer and a producer agree product, grade, weekly quantities,
price, delivery site and quality terms ahead of the harvest, grown on named plantings.

Each delivery week is a row (`ContractWeek`) with the quantity agreed for it (lowered when the
buyer accepts a shortfall; `original_g` keeps what was first agreed). Orders made for the
contract are ordinary market orders; `ContractOrder` says which week each one serves.
Shortfalls (a lost planting, or declared by the producer) are kept with the buyer's answer.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import BigInteger, Column, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from freshcircle.platform.models.base import Base, utcnow
from freshcircle.platform.models.catalog import Product
from freshcircle.platform.models.enums import enum_type
from freshcircle.platform.models.orders import Order
from freshcircle.platform.models.places import Place
from freshcircle.platform.models.plantings import Planting
from freshcircle.platform.models.producers import Producer
from freshcircle.platform.models.users import User


class ContractStatus(enum.StrEnum):
    PROPOSED = "proposed"  # waiting for the other side's confirmation
    CONFIRMED = "confirmed"  # both confirmed, nothing ordered yet
    ACTIVE = "active"  # at least one order made for it
    FULFILLED = "fulfilled"  # every week delivered in full
    RELEASED = "released"  # the buyer let it go (after a shortfall, say)


class PriceKind(enum.StrEnum):
    FIXED = "fixed"  # price_fen_per_jin
    REFERENCE = "reference"  # the market's going price of the product, kept inside the band


class ShortfallStatus(enum.StrEnum):
    OPEN = "open"  # the buyer has not answered yet
    ACCEPTED = "accepted"  # partial delivery: the weeks' quantities are lowered
    RELEASED = "released"  # the buyer released the contract


contract_plantings = Table(
    "forward_contract_plantings", Base.metadata,
    Column("contract_id", ForeignKey("forward_contracts.id", ondelete="CASCADE"),
           primary_key=True),
    Column("planting_id", ForeignKey("plantings.id"), primary_key=True, index=True),
)


class ForwardContract(Base):
    __tablename__ = "forward_contracts"

    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    grade: Mapped[str | None] = mapped_column(String(32))
    site_id: Mapped[int] = mapped_column(ForeignKey("places.id"))
    price_kind: Mapped[PriceKind] = mapped_column(enum_type(PriceKind))
    price_fen_per_jin: Mapped[int | None] = mapped_column(Integer)
    band_min_fen: Mapped[int | None] = mapped_column(Integer)
    band_max_fen: Mapped[int | None] = mapped_column(Integer)
    residue_test_required: Mapped[bool] = mapped_column(default=False)
    notes: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[ContractStatus] = mapped_column(
        enum_type(ContractStatus), default=ContractStatus.PROPOSED, index=True)
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # Each side's confirmation of the terms as they stand; a change clears the other side's.
    buyer_confirmed_at: Mapped[dt.datetime | None]
    producer_confirmed_at: Mapped[dt.datetime | None]
    producer_confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    released_at: Mapped[dt.datetime | None]
    release_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    buyer: Mapped[User] = relationship(foreign_keys=[buyer_id])
    producer: Mapped[Producer] = relationship()
    product: Mapped[Product] = relationship()
    site: Mapped[Place] = relationship()
    plantings: Mapped[list[Planting]] = relationship(secondary=contract_plantings,
                                                     order_by="Planting.id")
    weeks: Mapped[list[ContractWeek]] = relationship(
        back_populates="contract", cascade="all, delete-orphan",
        order_by="ContractWeek.week_start")
    shortfalls: Mapped[list[ContractShortfall]] = relationship(
        back_populates="contract", cascade="all, delete-orphan",
        order_by="ContractShortfall.id")
    orders: Mapped[list[ContractOrder]] = relationship(
        back_populates="contract", cascade="all, delete-orphan", order_by="ContractOrder.order_id")


class ContractWeek(Base):
    """One delivery week (Monday to Sunday) and the grams agreed for it."""

    __tablename__ = "forward_contract_weeks"

    contract_id: Mapped[int] = mapped_column(
        ForeignKey("forward_contracts.id", ondelete="CASCADE"), primary_key=True)
    week_start: Mapped[dt.date] = mapped_column(primary_key=True)
    quantity_g: Mapped[int] = mapped_column(BigInteger)
    original_g: Mapped[int] = mapped_column(BigInteger)

    contract: Mapped[ForwardContract] = relationship(back_populates="weeks")

    @property
    def week_end(self) -> dt.date:
        return self.week_start + dt.timedelta(days=6)


class ContractOrder(Base):
    """An order made for the contract, and the delivery week it serves."""

    __tablename__ = "forward_contract_orders"

    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), primary_key=True)
    contract_id: Mapped[int] = mapped_column(
        ForeignKey("forward_contracts.id", ondelete="CASCADE"), index=True)
    week_start: Mapped[dt.date]

    contract: Mapped[ForwardContract] = relationship(back_populates="orders")
    order: Mapped[Order] = relationship()


class ContractShortfall(Base):
    """What will not be delivered, in which weeks and why; with the buyer's answer."""

    __tablename__ = "forward_contract_shortfalls"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(
        ForeignKey("forward_contracts.id", ondelete="CASCADE"), index=True)
    planting_id: Mapped[int | None] = mapped_column(ForeignKey("plantings.id"))
    quantity_g: Mapped[int] = mapped_column(BigInteger)
    week_from: Mapped[dt.date]
    week_to: Mapped[dt.date]
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[ShortfallStatus] = mapped_column(
        enum_type(ShortfallStatus), default=ShortfallStatus.OPEN)
    declared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    declared_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[dt.datetime | None]

    contract: Mapped[ForwardContract] = relationship(back_populates="shortfalls")
    planting: Mapped[Planting | None] = relationship()

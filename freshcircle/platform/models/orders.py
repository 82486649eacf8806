"""Orders, their lines (bound to batches), quotes, ratings and disputes.

An order is one buyer's purchase from one producer for one delivery site and dispatch day.
While it is `placed` and before the producer's cut-off the buyer may change it; a second
checkout for the same producer, site and day adds to it (a partial unique index keeps it to
one open order). Lines keep the price they were bought at (fen per 斤) and, once delivered,
the weight actually delivered (catch-weight): the invoice is recalculated from that.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, SmallInteger, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from freshcircle.platform.models.base import Base, utcnow
from freshcircle.platform.models.batches import Batch
from freshcircle.platform.models.enums import DisputeStatus, OrderStatus, QuoteStatus, enum_type
from freshcircle.platform.models.files import StoredFile
from freshcircle.platform.models.marketplace import Listing
from freshcircle.platform.models.places import Place
from freshcircle.platform.models.producers import Producer
from freshcircle.platform.models.users import User

_OPEN = text("status = 'placed'")


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (
        Index("uq_orders_one_open", "buyer_id", "producer_id", "site_id", "dispatch_date",
              unique=True, postgresql_where=_OPEN, sqlite_where=_OPEN),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("places.id"))
    status: Mapped[OrderStatus] = mapped_column(
        enum_type(OrderStatus), default=OrderStatus.PLACED, index=True
    )
    dispatch_date: Mapped[dt.date] = mapped_column(index=True)
    freight_fen: Mapped[int] = mapped_column(Integer, default=0)
    notes: Mapped[str | None] = mapped_column(String(500))
    quote_id: Mapped[int | None] = mapped_column(ForeignKey("quotes.id"))
    shipment_id: Mapped[int | None] = mapped_column(ForeignKey("shipments.id"))
    placed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[dt.datetime | None]
    packed_at: Mapped[dt.datetime | None]
    shipped_at: Mapped[dt.datetime | None]
    delivered_at: Mapped[dt.datetime | None]
    completed_at: Mapped[dt.datetime | None]
    cancelled_at: Mapped[dt.datetime | None]
    declined_at: Mapped[dt.datetime | None]
    decline_reason: Mapped[str | None] = mapped_column(String(500))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    buyer: Mapped[User] = relationship()
    producer: Mapped[Producer] = relationship()
    site: Mapped[Place] = relationship()
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.id"
    )


class OrderLine(Base):
    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), index=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"), index=True)
    quantity_g: Mapped[int] = mapped_column(BigInteger)
    price_fen_per_jin: Mapped[int] = mapped_column(Integer)
    delivered_g: Mapped[int | None] = mapped_column(BigInteger)

    order: Mapped[Order] = relationship(back_populates="lines")
    listing: Mapped[Listing] = relationship()
    batch: Mapped[Batch] = relationship()


class CartLine(Base):
    """A buyer's cart, kept on the server so it survives a dropped connection."""

    __tablename__ = "cart_lines"

    buyer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), primary_key=True)
    quantity_g: Mapped[int] = mapped_column(BigInteger)
    added_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    listing: Mapped[Listing] = relationship()


class QuoteRequest(Base):
    """询价: a buyer asks for a quantity of a product delivered to a site by a date."""

    __tablename__ = "quote_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("places.id"))
    quantity_g: Mapped[int] = mapped_column(BigInteger)
    delivery_date: Mapped[dt.date]
    notes: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    quotes: Mapped[list[Quote]] = relationship(back_populates="request", order_by="Quote.id")


class Quote(Base):
    """报价: a producer's answer, from one of its listings, valid until a moment."""

    __tablename__ = "quotes"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("quote_requests.id"), index=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"))
    price_fen_per_jin: Mapped[int] = mapped_column(Integer)
    freight_fen: Mapped[int] = mapped_column(Integer, default=0)
    valid_until: Mapped[dt.datetime]
    status: Mapped[QuoteStatus] = mapped_column(
        enum_type(QuoteStatus), default=QuoteStatus.OFFERED
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    request: Mapped[QuoteRequest] = relationship(back_populates="quotes")
    listing: Mapped[Listing] = relationship()


class Rating(Base):
    """The buyer's quality rating of a delivered order (one per order)."""

    __tablename__ = "ratings"

    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    stars: Mapped[int] = mapped_column(SmallInteger)
    comment: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Dispute(Base):
    __tablename__ = "disputes"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    photo_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"))
    status: Mapped[DisputeStatus] = mapped_column(
        enum_type(DisputeStatus), default=DisputeStatus.OPEN
    )
    reply: Mapped[str | None] = mapped_column(Text)
    replied_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    replied_at: Mapped[dt.datetime | None]

    photo: Mapped[StoredFile | None] = relationship()

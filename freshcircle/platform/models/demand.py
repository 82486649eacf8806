"""Standing demand (求购): a buyer's weekly need of one product, and the producers matched to it.

A demand names a product (and optionally a grade), a quantity per week in grams, the weeks
(ISO weeks, stored as their Mondays, both inclusive), one of the buyer's delivery sites, the
price the buyer expects in fen per 斤 (None: 待报价, to be quoted) and the least shelf life the
produce must still have when it arrives.

Matches are computed when the demand is posted and again on 重新匹配: each keeps its rank,
score and the reasons (JSON, facts in both languages, worded by the page) and when its
producer's people were told. Producers answer through the 询价/报价 flow: the demand's
`quote_request` is the 询价 they quote on (made when the first matched producer asks to quote).
"""

from __future__ import annotations

import datetime as dt
import enum
import json

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from freshcircle.platform.models.base import Base, utcnow
from freshcircle.platform.models.catalog import Product
from freshcircle.platform.models.enums import enum_type
from freshcircle.platform.models.orders import QuoteRequest
from freshcircle.platform.models.places import Place
from freshcircle.platform.models.producers import Producer
from freshcircle.platform.models.users import User


class DemandStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class StandingDemand(Base):
    __tablename__ = "standing_demands"
    __table_args__ = (
        CheckConstraint("quantity_g_per_week > 0", name="quantity_positive"),
        CheckConstraint("last_week >= first_week", name="weeks_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    grade: Mapped[str | None] = mapped_column(String(32))
    quantity_g_per_week: Mapped[int] = mapped_column(BigInteger)
    first_week: Mapped[dt.date]  # a Monday
    last_week: Mapped[dt.date]  # a Monday, inclusive
    site_id: Mapped[int] = mapped_column(ForeignKey("places.id"))
    price_fen_per_jin: Mapped[int | None] = mapped_column(Integer)  # None: 待报价
    min_shelf_life_days: Mapped[int] = mapped_column(Integer)
    status: Mapped[DemandStatus] = mapped_column(enum_type(DemandStatus),
                                                 default=DemandStatus.OPEN, index=True)
    quote_request_id: Mapped[int | None] = mapped_column(ForeignKey("quote_requests.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    matched_at: Mapped[dt.datetime | None]

    buyer: Mapped[User] = relationship()
    product: Mapped[Product] = relationship()
    site: Mapped[Place] = relationship()
    quote_request: Mapped[QuoteRequest | None] = relationship()
    matches: Mapped[list[StandingDemandMatch]] = relationship(
        back_populates="demand", cascade="all, delete-orphan",
        order_by="StandingDemandMatch.rank")

    @property
    def weeks(self) -> list[dt.date]:
        count = (self.last_week - self.first_week).days // 7 + 1
        return [self.first_week + dt.timedelta(weeks=i) for i in range(count)]


class StandingDemandMatch(Base):
    __tablename__ = "standing_demand_matches"
    __table_args__ = (UniqueConstraint("demand_id", "producer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    demand_id: Mapped[int] = mapped_column(
        ForeignKey("standing_demands.id", ondelete="CASCADE"), index=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    rank: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)  # a ranking weight, not money
    # [{"kind": "planting" | "listings" | "transit", ...facts}], see demand.services.matching
    reasons: Mapped[str] = mapped_column(Text)
    notified_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    demand: Mapped[StandingDemand] = relationship(back_populates="matches")
    producer: Mapped[Producer] = relationship()

    @property
    def reason_list(self) -> list[dict]:
        return json.loads(self.reasons)

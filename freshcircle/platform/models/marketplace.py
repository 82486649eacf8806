"""Selling: buyer accounts, listings made from batches, price tiers and contract prices.

Money is integer fen (1 元 = 100 fen) and prices are fen per 斤 (the way Chinese wholesale
quotes them); a 斤 is exactly 500 g, so the price per kg is exactly twice that. Weights are
integer grams like everywhere else.

A listing sets aside `offered_g` of its batch for the marketplace (counted as committed, so a
shipment or a split cannot take it); orders take from it with one conditional UPDATE of
`sold_g` (`market.services.listings.reserve`), which is what keeps two buyers from both getting the
last 500 斤. Closing a listing gives back what was not sold.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from freshcircle.platform.models.base import Base, utcnow
from freshcircle.platform.models.batches import Batch
from freshcircle.platform.models.catalog import Product
from freshcircle.platform.models.enums import ListingStatus, enum_type
from freshcircle.platform.models.places import Place
from freshcircle.platform.models.producers import Producer
from freshcircle.platform.models.users import User


class BuyerProfile(Base):
    """A buyer's company and default delivery site (its sites are places with `buyer_id`)."""

    __tablename__ = "buyer_profiles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    company: Mapped[str] = mapped_column(String(100))
    default_site_id: Mapped[int | None] = mapped_column(ForeignKey("places.id"))
    # The least shelf life, in hours, a delivery must still have when it arrives.
    min_remaining_life_h: Mapped[int] = mapped_column(default=24, server_default="24")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()
    default_site: Mapped[Place | None] = relationship()


class Listing(Base):
    __tablename__ = "listings"
    __table_args__ = (
        CheckConstraint("sold_g >= 0 AND sold_g <= offered_g", name="sold_within_offer"),
        CheckConstraint("price_fen_per_jin > 0", name="price_positive"),
        Index("ix_listings_status_harvest", "status", "harvest_date", "id"),
        Index("ix_listings_status_price", "status", "price_fen_per_jin", "id"),
        Index("ix_listings_status_min_order", "status", "min_order_g", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"), unique=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    listed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    price_fen_per_jin: Mapped[int] = mapped_column(Integer)
    min_order_g: Mapped[int] = mapped_column(BigInteger)
    offered_g: Mapped[int] = mapped_column(BigInteger)
    sold_g: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    available_from: Mapped[dt.date]
    available_to: Mapped[dt.date]
    specification: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[ListingStatus] = mapped_column(
        enum_type(ListingStatus), default=ListingStatus.ACTIVE, index=True
    )
    # Set while an inspector holds the listing (status paused): the status to go back to when
    # the inspector releases it. Only an inspector lifts a hold.
    status_before_hold: Mapped[ListingStatus | None] = mapped_column(enum_type(ListingStatus))
    # Copies of what buyers filter and sort on, so search reads one table (kept by the service).
    category: Mapped[str] = mapped_column(String(32), index=True)
    county_code: Mapped[str] = mapped_column(String(6), index=True)
    grade: Mapped[str | None] = mapped_column(String(32))
    harvest_date: Mapped[dt.date]
    certified: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    batch: Mapped[Batch] = relationship()
    producer: Mapped[Producer] = relationship()
    product: Mapped[Product] = relationship()
    tiers: Mapped[list[ListingTier]] = relationship(
        cascade="all, delete-orphan", order_by="ListingTier.min_g"
    )

    @property
    def left_g(self) -> int:
        return self.offered_g - self.sold_g


class ListingTier(Base):
    """From `min_g` ordered, the price is `price_fen_per_jin` (a quantity discount)."""

    __tablename__ = "listing_tiers"

    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), primary_key=True)
    min_g: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    price_fen_per_jin: Mapped[int] = mapped_column(Integer)


class ContractPrice(Base):
    """A price agreed with one named buyer for one listing."""

    __tablename__ = "contract_prices"

    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), primary_key=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    price_fen_per_jin: Mapped[int] = mapped_column(Integer)


class ListingTerm(Base):
    """Search index: each Chinese character and character pair, and each lower-cased word, of
    a listing's product names, variety, producer and county (`market.services.listing_search`).
    A query matches a listing when all its terms do: an indexed lookup per term on both
    databases, with no full scan of 100,000 listings' text."""

    __tablename__ = "listing_terms"
    __table_args__ = (UniqueConstraint("term", "listing_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    term: Mapped[str] = mapped_column(String(40))
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), index=True)


class CutoffNotice(Base):
    """The packing-list notice a producer got at an order cut-off (sent once per day)."""

    __tablename__ = "cutoff_notices"
    __table_args__ = (UniqueConstraint("producer_id", "dispatch_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"))
    dispatch_date: Mapped[dt.date]
    orders: Mapped[int]
    sent_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    emailed: Mapped[bool] = mapped_column(default=False)
    detail: Mapped[str | None] = mapped_column(Text)


class SearchSynonym(Base):
    """Another name buyers use for something on sale: a search for `name` also finds what
    `means` finds, and the other way round (蒜头 = 大蒜, 土豆 = 马铃薯). Seeded with local names
    of the catalogue's produce, kept by admins (market/pages/search_synonyms.py)."""

    __tablename__ = "search_synonyms"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    means: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ArrivalSite(Base):
    """A delivery site whose arrivals are kept in `listing_arrivals` (from its first
    arrival-sorted or arrive-by search on; `market.services.arrival_index`)."""

    __tablename__ = "arrival_sites"

    site_id: Mapped[int] = mapped_column(ForeignKey("places.id", ondelete="CASCADE"),
                                         primary_key=True)
    built_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ListingArrival(Base):
    """When a listing ordered now would arrive at a site: the delivery estimate of its
    producer (`market.services.delivery.estimate`), kept per site and listing so that search
    sorts and filters by arrival with one index range (`market.services.arrival_index`).

    Times are integer microseconds since 1970 UTC: exact, and the same arithmetic on SQLite
    and PostgreSQL. `arrival_minute` is what the arrival sort orders by (then the listing id);
    `expires_us` is the cut-off of the dispatch day the arrival is for: from then on the row
    is out of date and is written again before it is read."""

    __tablename__ = "listing_arrivals"
    __table_args__ = (
        Index("ix_listing_arrivals_site_arrival", "site_id", "arrival_minute", "listing_id"),
        Index("ix_listing_arrivals_site_expiry", "site_id", "expires_us"),
    )

    site_id: Mapped[int] = mapped_column(ForeignKey("arrival_sites.site_id",
                                                    ondelete="CASCADE"), primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"),
                                            primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    arrival_minute: Mapped[int] = mapped_column(Integer)
    arrival_us: Mapped[int] = mapped_column(BigInteger)
    expires_us: Mapped[int] = mapped_column(BigInteger)


class ProducerArrival(Base):
    """A producer's delivery estimate to a site in the arrival index: what every one of its
    listings' `listing_arrivals` rows holds, once (the facet counts of can-arrive-by count
    listings per producer, and expired estimates are found in this small table)."""

    __tablename__ = "producer_arrivals"
    __table_args__ = (Index("ix_producer_arrivals_site_expiry", "site_id", "expires_us"),)

    site_id: Mapped[int] = mapped_column(ForeignKey("arrival_sites.site_id",
                                                    ondelete="CASCADE"), primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), primary_key=True)
    arrival_minute: Mapped[int] = mapped_column(Integer)
    arrival_us: Mapped[int] = mapped_column(BigInteger)
    expires_us: Mapped[int] = mapped_column(BigInteger)

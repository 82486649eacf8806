"""EPCIS 2.0 named queries and their subscriptions (REST binding `/queries`).

A named query belongs to the user who created it (`owner_id`); its name is unique per owner.
Its `params` are the query's parameters as `GET /events` reads them (JSON: name -> list of
strings). A subscription is a webhook (`dest`) fed either on every new matching event
(`stream`) or on a cron-like `schedule` (JSON); `position_time`/`position_id` is the latest
event delivered (recordTime, id), moved only after the webhook answered 2xx.
`epcis_delivered_events` remembers which events were delivered within the look-back window
before that position, so an event whose transaction committed after a later one's was
delivered (its recordTime below the position) is still sent, once.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from freshcircle.platform.models.base import Base, utcnow


class EpcisNamedQuery(Base):
    __tablename__ = "epcis_named_queries"
    __table_args__ = (UniqueConstraint("owner_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    params: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    subscriptions: Mapped[list[EpcisSubscription]] = relationship(
        back_populates="query", cascade="all, delete-orphan", order_by="EpcisSubscription.id")


class EpcisSubscription(Base):
    __tablename__ = "epcis_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[str] = mapped_column(String(36), unique=True)
    query_id: Mapped[int] = mapped_column(
        ForeignKey("epcis_named_queries.id", ondelete="CASCADE"), index=True)
    dest: Mapped[str] = mapped_column(String(2000))
    signature_token: Mapped[str | None] = mapped_column(String(500))
    report_if_empty: Mapped[bool] = mapped_column(default=False)
    stream: Mapped[bool] = mapped_column(default=False, index=True)
    schedule: Mapped[str | None] = mapped_column(Text)
    initial_record_time: Mapped[dt.datetime]
    position_time: Mapped[dt.datetime]  # recordTime of the last event delivered
    position_id: Mapped[int] = mapped_column(default=0)  # its id (0: none yet)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_notified_at: Mapped[dt.datetime | None]
    next_run_at: Mapped[dt.datetime | None] = mapped_column(index=True)  # scheduled runs
    report_due: Mapped[bool] = mapped_column(default=False)  # a scheduled run not yet sent
    # A failed delivery: retried (from the same position) at retry_at, back-off doubling.
    failures: Mapped[int] = mapped_column(default=0)
    retry_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    last_error: Mapped[str | None] = mapped_column(String(500))
    query: Mapped[EpcisNamedQuery] = relationship(back_populates="subscriptions")


class EpcisDeliveredEvent(Base):
    """An event a subscription delivered (2xx), kept while its recordTime lies within the
    look-back window before the subscription's position."""

    __tablename__ = "epcis_delivered_events"

    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("epcis_subscriptions.id", ondelete="CASCADE"), primary_key=True)
    event_record_id: Mapped[int] = mapped_column(
        ForeignKey("epcis_events.id", ondelete="CASCADE"), primary_key=True)
    recorded_at: Mapped[dt.datetime]

"""Enumerations stored as short strings (no native database enum, so migrations stay simple)."""

from __future__ import annotations

import enum

from sqlalchemy import Enum


def enum_type(enum_cls: type[enum.Enum]) -> Enum:
    """A VARCHAR column holding the enum's values, identical on SQLite and PostgreSQL."""
    return Enum(
        enum_cls,
        native_enum=False,
        length=24,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class Role(enum.StrEnum):
    FARMER = "farmer"
    COOP_ADMIN = "coop_admin"
    BUYER = "buyer"
    CARRIER = "carrier"
    INSPECTOR = "inspector"
    ADMIN = "admin"


class ProducerKind(enum.StrEnum):
    FAMILY_FARM = "family_farm"
    COOPERATIVE = "cooperative"


class MemberRole(enum.StrEnum):
    MEMBER = "member"
    MANAGER = "manager"


class BatchStatus(enum.StrEnum):
    REGISTERED = "registered"
    LISTED = "listed"
    SOLD_OUT = "sold_out"
    USED_UP = "used_up"  # all of it went into other lots (split, merge, repack)
    HELD = "held"
    RECALLED = "recalled"


class InputKind(enum.StrEnum):
    PESTICIDE = "pesticide"
    FERTILISER = "fertiliser"


class TestMethod(enum.StrEnum):
    RAPID = "rapid"
    LAB = "lab"


class TestResult(enum.StrEnum):
    PASS = "pass"
    FAIL = "fail"


class CertificationKind(enum.StrEnum):
    GREEN_FOOD = "green_food"
    ORGANIC = "organic"
    GEO_INDICATION = "geo_indication"
    OTHER = "other"


class PlaceKind(enum.StrEnum):
    FARM = "farm"
    COLD_STORE = "cold_store"
    HUB = "hub"
    BUYER_SITE = "buyer_site"
    WHOLESALE_MARKET = "wholesale_market"
    CITY = "city"


class TransportMode(enum.StrEnum):
    REEFER_TRUCK = "reefer_truck"
    RAIL = "rail"
    WATERWAY = "waterway"
    VAN = "van"


class TemperatureClass(enum.StrEnum):
    FROZEN = "frozen"
    CHILLED = "chilled"
    COOL = "cool"
    AMBIENT = "ambient"


class ShipmentStatus(enum.StrEnum):
    PLANNED = "planned"
    IN_TRANSIT = "in_transit"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


class LabelRunStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ListingStatus(enum.StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    CLOSED = "closed"


class OrderStatus(enum.StrEnum):
    PLACED = "placed"
    CONFIRMED = "confirmed"
    PACKED = "packed"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    DECLINED = "declined"  # by the producer, with a reason; the stock goes back


class QuoteStatus(enum.StrEnum):
    OFFERED = "offered"
    ACCEPTED = "accepted"
    WITHDRAWN = "withdrawn"


class DisputeStatus(enum.StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    CLOSED = "closed"


class SeasonStatus(enum.StrEnum):
    """A planting's season update: how the crop is doing, as its producer reports it."""

    GOOD = "good"
    POOR = "poor"
    LOST = "lost"

"""Temperature readings of shipments: idempotent bulk ingest from loggers, and reading back.

A logger on a weak network resends what it is not sure arrived. A reading is identified by
(sensor_id, recorded_at), unique in the table: the insert skips rows that exist
(ON CONFLICT DO NOTHING) and counts, with RETURNING, only the rows it really wrote.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from freshcircle.platform.core.services.errors import Conflict, InvalidInput
from freshcircle.platform.dispatch.services import shipment_alerts
from freshcircle.platform.dispatch.services.shipment_access import require_view
from freshcircle.platform.models import Shipment, ShipmentStatus, TemperatureReading, User, utcnow

MAX_READINGS = 5000
CHUNK = 1000  # rows per INSERT: well under SQLite's and PostgreSQL's bound-parameter limits
CLOCK_SKEW = dt.timedelta(minutes=5)
DIALECT_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


@dataclass(frozen=True)
class IngestResult:
    received: int
    inserted: int
    duplicates: int


def _check(readings: list[dict]) -> None:
    """Per-item rules the schema cannot know; errors name the index, as the schema's do."""
    latest = utcnow() + CLOCK_SKEW
    errors = {}
    for index, reading in enumerate(readings):
        if reading["recorded_at"].tzinfo is None:
            errors[str(index)] = {
                "recorded_at": [_l("Not a valid datetime: a time zone is required.")]
            }
        elif reading["recorded_at"] > latest:
            errors[str(index)] = {"recorded_at": [_l("The time cannot be in the future.")]}
    if errors:
        raise InvalidInput(errors={"readings": errors})
    if len(readings) > MAX_READINGS:
        raise InvalidInput.field("readings", _l("At most 5000 readings per request."))


def record_readings(
    session: Session, actor: User, shipment: Shipment, readings: list[dict]
) -> IngestResult:
    """Store readings for a shipment; readings already stored (or repeated) are skipped.

    The carrier, the shipper's members and staff may post, with a session or a bearer token.
    Either every reading is valid and the new ones are written, or nothing is.
    """
    require_view(session, actor, shipment)
    if shipment.status == ShipmentStatus.CANCELLED:
        raise Conflict(_l("This shipment was cancelled; it takes no readings."))
    _check(readings)
    rows, seen = [], set()
    for reading in readings:
        at = reading["recorded_at"].astimezone(dt.UTC)
        key = (reading["sensor_id"], at)
        if key in seen:
            continue
        seen.add(key)
        rows.append({"shipment_id": shipment.id, "sensor_id": reading["sensor_id"],
                     "recorded_at": at, "celsius": reading["celsius"]})
    insert = DIALECT_INSERTS[session.get_bind().dialect.name]
    inserted = 0
    for start in range(0, len(rows), CHUNK):
        stmt = (
            insert(TemperatureReading)
            .values(rows[start:start + CHUNK])
            .on_conflict_do_nothing(index_elements=["sensor_id", "recorded_at"])
            .returning(TemperatureReading.id)
        )
        inserted += len(session.execute(stmt).all())
    if inserted:
        shipment_alerts.raise_alerts(session, shipment)
    return IngestResult(received=len(readings), inserted=inserted,
                        duplicates=len(readings) - inserted)


def readings_query(
    session: Session,
    actor: User,
    shipment: Shipment,
    *,
    sensor_id: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> Select:
    """A shipment's readings in time order, optionally for one sensor and a time window."""
    require_view(session, actor, shipment)
    stmt = (
        select(TemperatureReading)
        .where(TemperatureReading.shipment_id == shipment.id)
        .order_by(TemperatureReading.recorded_at, TemperatureReading.sensor_id,
                  TemperatureReading.id)
    )
    if sensor_id:
        stmt = stmt.where(TemperatureReading.sensor_id == sensor_id)
    if since:
        stmt = stmt.where(TemperatureReading.recorded_at >= since)
    if until:
        stmt = stmt.where(TemperatureReading.recorded_at < until)
    return stmt


@dataclass(frozen=True)
class ReadingSummary:
    """What a driver or shipper checks at a glance: how many readings, the range, the last."""

    count: int
    lowest_c: Decimal | None
    highest_c: Decimal | None
    last_at: dt.datetime | None


NO_READINGS = ReadingSummary(0, None, None, None)


def summaries(
    session: Session, actor: User, shipments: list[Shipment]
) -> dict[int, ReadingSummary]:
    """Count, lowest and highest °C and last reading time of each shipment, in one query."""
    for shipment in shipments:
        require_view(session, actor, shipment)
    reading = TemperatureReading
    rows = session.execute(
        select(reading.shipment_id, func.count(reading.id), func.min(reading.celsius),
               func.max(reading.celsius), func.max(reading.recorded_at))
        .where(reading.shipment_id.in_([s.id for s in shipments]))
        .group_by(reading.shipment_id)
    )
    found = {row[0]: ReadingSummary(*row[1:]) for row in rows}
    return {s.id: found.get(s.id, NO_READINGS) for s in shipments}

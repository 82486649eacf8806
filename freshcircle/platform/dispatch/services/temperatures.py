"""Temperature readings of shipments: idempotent bulk ingest from loggers, and reading back.

A logger on a weak network resends what it is not sure arrived. A reading is identified by
(shipment, sensor_id, recorded_at), unique in the table: a logger id means something only on
the shipment it travels with, so one carrier's readings can never stand in for, or hide,
another carrier's readings from a logger that happens to carry the same id. (Registering each
logger id to the first carrier that uses it was the alternative; it would refuse two carriers'
innocently equal ids, and it is not needed once no reading reaches past its own shipment.)

The insert skips rows that exist (ON CONFLICT DO NOTHING) and counts, with RETURNING, only the
rows it really wrote. A skipped row is a duplicate only when the stored value is the same;
a different value for a stored (logger, time) is refused, naming the reading, and the request
writes nothing: a stored reading is never replaced or silently kept over a new one.
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
CENTI = Decimal("0.01")  # the column's scale: values are compared as they are stored
KEY = ("shipment_id", "sensor_id", "recorded_at")


@dataclass(frozen=True)
class IngestResult:
    received: int
    inserted: int
    duplicates: int


@dataclass(frozen=True)
class ReadingConflict:
    """Reading `index` of the input differs from a value already given for its logger and
    time: `stored_c` when stored before, else the earlier reading of the same input."""

    index: int
    other_c: Decimal
    stored: bool


class ConflictingReadings(InvalidInput):
    def __init__(self, conflicts: list[ReadingConflict]):
        self.conflicts = conflicts
        super().__init__()


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


def check_recorder(session: Session, actor: User, shipment: Shipment) -> None:
    """The carrier, the shipper's members and staff record readings, never on a cancelled
    shipment."""
    require_view(session, actor, shipment)
    if shipment.status == ShipmentStatus.CANCELLED:
        raise Conflict(_l("This shipment was cancelled; it takes no readings."))


def conflict_message(conflict: ReadingConflict):
    celsius = str(conflict.other_c.quantize(CENTI))
    if conflict.stored:
        return _l("A different reading is stored for this logger and time (%(celsius)s °C); "
                  "a stored reading is not replaced.", celsius=celsius)
    return _l("This logger and time appear earlier in the upload with %(celsius)s °C.",
              celsius=celsius)


def record_readings(
    session: Session, actor: User, shipment: Shipment, readings: list[dict]
) -> IngestResult:
    """Store readings for a shipment; readings already stored with the same value (or
    repeated) are skipped, one with a different value is refused by its index.

    The carrier, the shipper's members and staff may post, with a session or a bearer token.
    Either every reading is valid and the new ones are written, or nothing is.
    """
    check_recorder(session, actor, shipment)
    _check(readings)
    try:
        return store_readings(session, shipment, readings)
    except ConflictingReadings as error:
        raise InvalidInput(errors={"readings": {
            str(c.index): {"celsius": [conflict_message(c)]} for c in error.conflicts}}) from None


def store_readings(session: Session, shipment: Shipment, readings: list[dict]) -> IngestResult:
    """Insert the readings (dicts of sensor_id, aware recorded_at, celsius) that are new; raise
    ConflictingReadings, writing nothing, when any differs from a stored or earlier one."""
    rows, seen, conflicts = [], {}, []
    for index, reading in enumerate(readings):
        key = (reading["sensor_id"], reading["recorded_at"].astimezone(dt.UTC))
        celsius = Decimal(reading["celsius"]).quantize(CENTI)
        if key in seen:
            if seen[key] != celsius:
                conflicts.append(ReadingConflict(index, seen[key], stored=False))
            continue
        seen[key] = celsius
        rows.append({"shipment_id": shipment.id, "sensor_id": key[0], "recorded_at": key[1],
                     "celsius": celsius, "index": index})
    if conflicts:
        raise ConflictingReadings(conflicts)
    insert = DIALECT_INSERTS[session.get_bind().dialect.name]
    written: set[tuple[str, dt.datetime]] = set()
    with session.begin_nested():  # a conflict found after inserting undoes this call's rows
        for start in range(0, len(rows), CHUNK):
            stmt = (
                insert(TemperatureReading)
                .values([{k: v for k, v in row.items() if k != "index"}
                         for row in rows[start:start + CHUNK]])
                .on_conflict_do_nothing(index_elements=list(KEY))
                .returning(TemperatureReading.sensor_id, TemperatureReading.recorded_at)
            )
            written.update(tuple(r) for r in session.execute(stmt))
        skipped = [row for row in rows if (row["sensor_id"], row["recorded_at"]) not in written]
        conflicts = _differing(session, shipment, skipped)
        if conflicts:
            raise ConflictingReadings(conflicts)
    if written:
        shipment_alerts.raise_alerts(session, shipment)
    return IngestResult(received=len(readings), inserted=len(written),
                        duplicates=len(readings) - len(written))


def _differing(session: Session, shipment: Shipment, skipped: list[dict]) -> list:
    """Of the rows the insert skipped, those whose stored value differs."""
    conflicts = []
    reading = TemperatureReading
    for start in range(0, len(skipped), CHUNK):
        part = skipped[start:start + CHUNK]
        stored = {(sensor, at): celsius for sensor, at, celsius in session.execute(
            select(reading.sensor_id, reading.recorded_at, reading.celsius)
            .where(reading.shipment_id == shipment.id,
                   reading.sensor_id.in_({row["sensor_id"] for row in part}),
                   reading.recorded_at.between(min(row["recorded_at"] for row in part),
                                               max(row["recorded_at"] for row in part)))
        )}
        for row in part:
            value = stored.get((row["sensor_id"], row["recorded_at"]))
            if value is not None and Decimal(value).quantize(CENTI) != row["celsius"]:
                conflicts.append(ReadingConflict(row["index"], Decimal(value), stored=True))
    return conflicts


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

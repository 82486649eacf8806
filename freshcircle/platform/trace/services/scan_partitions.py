"""Consumer scans partitioned by month on PostgreSQL, and how long they are kept.

Scans are the one table that grows with every pack sold (docs/SCALING.md). On PostgreSQL
`scan_events` is partitioned by range of `scanned_at`, one partition per calendar month in UTC
(`scan_events_202612` holds December 2026), so the copied-code rule's queries, which ask for a
serial's last day, read one or two partitions, and old months leave by dropping a table rather
than deleting rows. SQLite keeps one plain table.

- `ensure_ahead` creates this month's partition and the next `ahead` months' (the migration
  does at first; `flask scan-writer` at start and daily, and `flask scan-partitions` from the
  daily timer). `scan_events_default` catches a scan no month partition takes, so a page never
  fails for want of a partition; a month created later takes its rows out of it first (a
  partition cannot be attached while the default holds rows of its range).
- `drop_expired` drops the months wholly older than the retention (SCAN_RETENTION_MONTHS; 0
  keeps everything). On SQLite it deletes the rows older than the retention instead.

The primary key is (id, scanned_at) and the scan id is unique with its time, as PostgreSQL
requires of a partitioned table; a scan the writer is given twice has the same scan id and the
same time, so storing it twice is still refused.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import Connection, text

TABLE = "scan_events"
DEFAULT = "scan_events_default"
MONTH = re.compile(r"^scan_events_(\d{4})(\d{2})$")


def is_partition_name(name: str | None) -> bool:
    """A partition of scan_events (not in the models: the migrations' comparison skips it)."""
    return bool(name) and (name == DEFAULT or MONTH.match(name) is not None)


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's filter: the partitions and their indexes are not in the models."""
    if not reflected:
        return True
    table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
    return not is_partition_name(table)


def month_start(day: dt.date, months_later: int = 0) -> dt.date:
    index = day.year * 12 + day.month - 1 + months_later
    return dt.date(index // 12, index % 12 + 1, 1)


def partition_name(month: dt.date) -> str:
    return f"{TABLE}_{month:%Y%m}"


def _bounds(month: dt.date) -> tuple[str, str]:
    return f"{month:%Y-%m-%d} 00:00:00+00", f"{month_start(month, 1):%Y-%m-%d} 00:00:00+00"


def is_partitioned(connection: Connection) -> bool:
    if connection.dialect.name != "postgresql":
        return False
    return bool(connection.execute(text(
        "SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(:table)"
    ), {"table": TABLE}).scalar())


def partitions(connection: Connection) -> list[str]:
    """The month partitions, oldest first (not the default)."""
    names = connection.execute(text(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = to_regclass(:table)"), {"table": TABLE}).scalars()
    return sorted(name for name in names if MONTH.match(name))


def create_month(connection: Connection, month: dt.date) -> bool:
    """The month's partition, taking its rows out of the default partition; False if it
    exists already."""
    name = partition_name(month)
    if connection.execute(text("SELECT to_regclass(:name)"), {"name": name}).scalar():
        return False
    low, high = _bounds(month)
    connection.execute(text(
        f'CREATE TABLE "{name}" (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)'))
    moved = {"low": low, "high": high}
    connection.execute(text(
        f'INSERT INTO "{name}" SELECT * FROM {DEFAULT} '
        "WHERE scanned_at >= :low AND scanned_at < :high"), moved)
    connection.execute(text(
        f"DELETE FROM {DEFAULT} WHERE scanned_at >= :low AND scanned_at < :high"), moved)
    connection.execute(text(
        f"ALTER TABLE {TABLE} ATTACH PARTITION \"{name}\" FOR VALUES FROM ('{low}') TO ('{high}')"))
    return True


def ensure_ahead(connection: Connection, today: dt.date, ahead: int) -> list[str]:
    """Partitions for this month and the next `ahead` months; the names created."""
    if not is_partitioned(connection):
        return []
    created = []
    for offset in range(ahead + 1):
        month = month_start(today, offset)
        if create_month(connection, month):
            created.append(partition_name(month))
    return created


def retention_cutoff(today: dt.date, months: int) -> dt.date:
    """Scans before this day are past the retention (the first of the month `months` ago)."""
    return month_start(today, -months)


def drop_expired(connection: Connection, today: dt.date, months: int) -> tuple[list[str], int]:
    """Drop (PostgreSQL) the month partitions wholly before the retention cutoff, or delete
    (SQLite, or rows in the default partition) the older rows; (partitions dropped, rows
    deleted). `months` 0 keeps everything."""
    if months <= 0:
        return [], 0
    cutoff = retention_cutoff(today, months)
    dropped = []
    if is_partitioned(connection):
        for name in partitions(connection):
            year, month = MONTH.match(name).groups()
            if month_start(dt.date(int(year), int(month), 1), 1) <= cutoff:
                connection.execute(text(f'DROP TABLE "{name}"'))
                dropped.append(name)
        table = DEFAULT
    else:
        table = TABLE
    deleted = connection.execute(text(f"DELETE FROM {table} WHERE scanned_at < :cutoff"), {
        "cutoff": dt.datetime.combine(cutoff, dt.time(), dt.UTC)
        if connection.dialect.name == "postgresql" else f"{cutoff:%Y-%m-%d} 00:00:00.000000",
    }).rowcount
    return dropped, deleted

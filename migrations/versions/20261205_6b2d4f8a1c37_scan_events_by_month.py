"""Scans partitioned by month on PostgreSQL; the scan id is unique with its time

Revision ID: 6b2d4f8a1c37
Revises: 5d1f7a3c9e26

PostgreSQL: scan_events becomes a table partitioned by range of scanned_at, a partition per
month (trace/services/scan_partitions.py) from the oldest scan's month to three months ahead,
and a default partition. The rows move across in the migration's transaction; ids and their
sequence stay. SQLite keeps one table; there only the unique constraint changes.
"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

from freshcircle.platform.trace.services import scan_partitions

revision = "6b2d4f8a1c37"
down_revision = "5d1f7a3c9e26"
branch_labels = None
depends_on = None

COLUMNS = "id, gtin, lot, serial, batch_id, verdict, network, scanned_at, scan_id"
AHEAD = 3


def _columns_sql() -> str:
    return (
        "id BIGINT NOT NULL DEFAULT nextval('scan_events_id_seq'::regclass), "
        "gtin VARCHAR(14) NOT NULL, lot VARCHAR(20), serial VARCHAR(20), "
        "batch_id INTEGER CONSTRAINT fk_scan_events_batch_id_batches REFERENCES batches (id), "
        "verdict VARCHAR(24) NOT NULL, network VARCHAR(16), "
        "scanned_at TIMESTAMP WITH TIME ZONE NOT NULL, scan_id VARCHAR(32)"
    )


def _swap(create_table: str, unique: str, after_create) -> None:
    """Move scan_events' rows into a new scan_events made by `create_table`."""
    op.execute("ALTER TABLE scan_events RENAME TO scan_events_old")
    for name in ("pk_scan_events", "uq_scan_events_scan_id", "uq_scan_events_scan_id_scanned_at",
                 "fk_scan_events_batch_id_batches"):
        op.execute(f"ALTER TABLE scan_events_old DROP CONSTRAINT IF EXISTS {name}")
    op.execute("DROP INDEX IF EXISTS ix_scan_events_batch_id")
    op.execute("DROP INDEX IF EXISTS ix_scan_events_gtin_serial_time")
    op.execute("ALTER SEQUENCE scan_events_id_seq OWNED BY NONE")
    op.execute(create_table)
    op.execute(f"ALTER TABLE scan_events ADD CONSTRAINT {unique}")
    op.execute("CREATE INDEX ix_scan_events_batch_id ON scan_events (batch_id)")
    op.execute("CREATE INDEX ix_scan_events_gtin_serial_time ON scan_events "
               "(gtin, serial, scanned_at)")
    after_create()
    op.execute(f"INSERT INTO scan_events ({COLUMNS}) SELECT {COLUMNS} FROM scan_events_old")
    op.execute("DROP TABLE scan_events_old")
    op.execute("ALTER SEQUENCE scan_events_id_seq OWNED BY scan_events.id")


def upgrade():
    if op.get_context().dialect.name != "postgresql":
        with op.batch_alter_table("scan_events") as batch:
            batch.drop_constraint(batch.f("uq_scan_events_scan_id"), type_="unique")
            batch.create_unique_constraint(batch.f("uq_scan_events_scan_id_scanned_at"),
                                           ["scan_id", "scanned_at"])
        return
    connection = op.get_bind()
    oldest = connection.execute(sa.text("SELECT min(scanned_at) FROM scan_events")).scalar()
    today = dt.datetime.now(dt.UTC).date()

    def partitions():
        op.execute("CREATE TABLE scan_events_default PARTITION OF scan_events DEFAULT")
        month = scan_partitions.month_start(oldest.astimezone(dt.UTC).date()
                                             if oldest else today)
        last = scan_partitions.month_start(today, AHEAD)
        while month <= last:
            scan_partitions.create_month(connection, month)
            month = scan_partitions.month_start(month, 1)

    _swap(f"CREATE TABLE scan_events ({_columns_sql()}, "
          "CONSTRAINT pk_scan_events PRIMARY KEY (id, scanned_at)) "
          "PARTITION BY RANGE (scanned_at)",
          "uq_scan_events_scan_id_scanned_at UNIQUE (scan_id, scanned_at)", partitions)


def downgrade():
    if op.get_context().dialect.name != "postgresql":
        with op.batch_alter_table("scan_events") as batch:
            batch.drop_constraint(batch.f("uq_scan_events_scan_id_scanned_at"), type_="unique")
            batch.create_unique_constraint(batch.f("uq_scan_events_scan_id"), ["scan_id"])
        return
    _swap(f"CREATE TABLE scan_events ({_columns_sql()}, "
          "CONSTRAINT pk_scan_events PRIMARY KEY (id))",
          "uq_scan_events_scan_id UNIQUE (scan_id)", lambda: None)

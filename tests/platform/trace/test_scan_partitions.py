"""Scans by month (trace/services/scan_partitions.py): on PostgreSQL the migration moves every
scan into monthly partitions, `flask scan-partitions` creates months ahead and drops those past
the retention, a scan no month takes waits in the default partition until its month is made,
and the downgrade puts every scan back in one table. On SQLite the command deletes old rows.
"""

from __future__ import annotations

import datetime as dt
import os

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from freshcircle.platform import create_app
from freshcircle.platform.extensions import db
from freshcircle.platform.trace.services import scan_partitions
from tests.platform.own_database import own_database

pytestmark = pytest.mark.no_db_isolation
ON_POSTGRESQL = (os.environ.get("FRESHCIRCLE_TEST_DATABASE_URL") or "").startswith("postgresql")
BEFORE = "5d1f7a3c9e26"  # the revision before scans were partitioned


def _app(url: str, **config):
    return create_app({"TESTING": True, "SECRET_KEY": "partitions-test",
                       "SQLALCHEMY_DATABASE_URI": url, **config})


def _scan(conn, scan_id: str, at: dt.datetime) -> None:
    conn.execute(text(
        "INSERT INTO scan_events (gtin, verdict, scanned_at, scan_id) "
        "VALUES ('09520000001049', 'genuine', :at, :scan_id)"), {"at": at, "scan_id": scan_id})


def _where(conn, scan_id: str) -> str:
    """The partition (or table) that holds the scan."""
    return conn.execute(text("SELECT tableoid::regclass::text FROM scan_events "
                             "WHERE scan_id = :id"), {"id": scan_id}).scalar_one()


def _months_ago(today: dt.date, months: int) -> dt.datetime:
    first = scan_partitions.month_start(today, -months)
    return dt.datetime.combine(first, dt.time(12), dt.UTC)


@pytest.mark.skipif(not ON_POSTGRESQL, reason="partitions are PostgreSQL's")
def test_scans_move_into_months_and_old_months_are_dropped(tmp_path):
    today = dt.datetime.now(dt.UTC).date()
    with own_database(tmp_path, "partitions") as url:
        app = _app(url, SCAN_RETENTION_MONTHS=24, SCAN_PARTITIONS_AHEAD=3)
        with app.app_context():
            upgrade(revision=BEFORE)
            with db.engine.begin() as conn:
                _scan(conn, "old", _months_ago(today, 30))
                _scan(conn, "recent", _months_ago(today, 2))
                _scan(conn, "now", dt.datetime.now(dt.UTC))
            upgrade()
            with db.engine.begin() as conn:
                assert scan_partitions.is_partitioned(conn)
                assert conn.execute(text("SELECT count(*) FROM scan_events")).scalar() == 3
                this_month = scan_partitions.partition_name(today)
                assert _where(conn, "now") == this_month
                assert _where(conn, "old") == scan_partitions.partition_name(
                    _months_ago(today, 30).date())
                # The writer's idempotent insert still refuses a scan it is given twice.
                again = conn.execute(text(
                    "INSERT INTO scan_events (gtin, verdict, scanned_at, scan_id) "
                    "SELECT gtin, verdict, scanned_at, scan_id FROM scan_events "
                    "WHERE scan_id = 'now' ON CONFLICT (scan_id, scanned_at) DO NOTHING"))
                assert again.rowcount == 0
                # A scan years ahead has no month yet: it waits in the default partition.
                far = dt.datetime.combine(scan_partitions.month_start(today, 40), dt.time(9),
                                          dt.UTC)
                _scan(conn, "far", far)
                assert _where(conn, "far") == scan_partitions.DEFAULT

            result = app.test_cli_runner().invoke(args=["scan-partitions"])
            assert result.exit_code == 0, result.output
            assert "keeping the last 24 months" in result.output
            old_month = scan_partitions.partition_name(_months_ago(today, 30).date())
            assert old_month in result.output.split("Dropped:")[1]
            with db.engine.begin() as conn:
                names = scan_partitions.partitions(conn)
                assert old_month not in names
                for ahead in range(4):
                    assert scan_partitions.partition_name(
                        scan_partitions.month_start(today, ahead)) in names
                ids = set(conn.execute(text("SELECT scan_id FROM scan_events")).scalars())
                assert ids == {"recent", "now", "far"}
                # When the far month is made, its scan moves out of the default partition.
                scan_partitions.ensure_ahead(conn, far.date(), 0)
                assert _where(conn, "far") == scan_partitions.partition_name(far.date())

            downgrade(revision=BEFORE)
            with db.engine.begin() as conn:
                assert not scan_partitions.is_partitioned(conn)
                assert _where(conn, "recent") == "scan_events"
                assert conn.execute(text("SELECT count(*) FROM scan_events")).scalar() == 3
                _scan(conn, "next", dt.datetime.now(dt.UTC))  # ids go on from the sequence
            db.engine.dispose()


def test_on_sqlite_the_command_deletes_scans_past_the_retention(tmp_path):
    today = dt.datetime.now(dt.UTC).date()
    app = _app("sqlite:///" + str(tmp_path / "retention.db"), SCAN_RETENTION_MONTHS=12)
    with app.app_context():
        upgrade()
        with db.engine.begin() as conn:
            _scan(conn, "old", _months_ago(today, 14))
            _scan(conn, "kept", _months_ago(today, 11))
        result = app.test_cli_runner().invoke(args=["scan-partitions"])
        assert result.exit_code == 0, result.output
        assert "one table" in result.output and "Deleted 1 older scan row(s)." in result.output
        with db.engine.begin() as conn:
            assert list(conn.execute(text("SELECT scan_id FROM scan_events")).scalars()) == [
                "kept"]
        db.engine.dispose()

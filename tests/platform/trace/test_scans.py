"""The scan log's cost: one INSERT per view (committed without waiting for the WAL flush on
PostgreSQL), and a copied-code query that reads a bounded number of index rows."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, text

from freshcircle.platform.models import ScanEvent
from freshcircle.platform.trace.services import scan_partitions, scans


def test_a_scan_is_one_row_and_on_postgresql_commits_asynchronously(session):
    now = dt.datetime.now(dt.UTC)
    before = session.scalar(select(func.count(ScanEvent.id)))

    scans.record_scan(session, gtin="09520000001049", lot="L1", serial="S1", batch_id=None,
                      verdict="genuine", network="abcd", now=now)

    row = session.execute(select(ScanEvent).where(ScanEvent.serial == "S1")).scalar_one()
    assert session.scalar(select(func.count(ScanEvent.id))) == before + 1
    assert (row.gtin, row.lot, row.verdict, row.network) == ("09520000001049", "L1", "genuine",
                                                             "abcd")
    if session.get_bind().dialect.name == "postgresql":
        assert session.scalar(text("SHOW synchronous_commit")) == "off"


def test_copy_rule_reads_a_bounded_number_of_rows(session, monkeypatch):
    monkeypatch.setattr(scans, "COPY_READ_LIMIT", 10)
    now = dt.datetime.now(dt.UTC)
    for n in range(25):
        session.add(ScanEvent(gtin="09520000001049", serial="Y", verdict="genuine",
                              network=f"net{n}", scanned_at=now - dt.timedelta(minutes=n)))
    session.flush()

    suspicion = scans.copy_suspicion(session, "09520000001049", "Y", now, scans.CopyRule())

    assert suspicion is not None and suspicion.scans == 10 and suspicion.networks == 10
    assert scans.copy_suspicion(session, "09520000001049", "Y", now,
                                scans.CopyRule(min_scans=11, min_networks=1)) is not None


def test_copy_rule_uses_the_gtin_serial_time_index(session):
    """On PostgreSQL, the plan reads ix_scan_events_gtin_serial_time (seq scans forbidden,
    since a test table is small enough for a seq scan to win): in each month partition the
    window touches, and no other partition (scans are partitioned by month)."""
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL plan")
    now = dt.datetime.now(dt.UTC)
    statement = (
        select(ScanEvent.network)
        .where(ScanEvent.gtin == "09520000001049", ScanEvent.serial == "Z",
               ScanEvent.scanned_at >= now - dt.timedelta(hours=24), ScanEvent.scanned_at <= now)
        .order_by(ScanEvent.scanned_at.desc()).limit(scans.COPY_READ_LIMIT)
    )
    compiled = statement.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
    session.execute(text("SET LOCAL enable_seqscan TO off"))
    plan = "\n".join(session.scalars(text(f"EXPLAIN {compiled}")))

    months = {scan_partitions.partition_name(day.date())
              for day in (now - dt.timedelta(hours=24), now)}
    for month in months:  # this month's (and yesterday's, on the first of a month)
        assert f"{month}_gtin_serial_scanned_at_idx" in plan, plan
    assert plan.count("Index Scan") == len(months), plan  # the other months are not read
    assert "Seq Scan" not in plan and "Sort" not in plan, plan  # newest first from the index

"""Helpers for the PostgreSQL-only tests that race real, committed transactions."""

from __future__ import annotations

import time

from sqlalchemy import text

from freshcircle.platform.extensions import db


def wait_for_lock_waiters(count: int, timeout: float = 10.0) -> None:
    """Wait until `count` sessions wait for a lock (or give up; the assertions then fail)."""
    deadline = time.monotonic() + timeout
    with db.engine.connect() as conn:
        while time.monotonic() < deadline:
            waiting = conn.scalar(text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"))
            conn.rollback()
            if waiting >= count:
                return
            time.sleep(0.05)

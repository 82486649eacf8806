"""A database of a test's own, on the suite's database server: for tests whose rows are
committed by other threads or processes (a served app, a worker), so the per-test rollback
cannot hold them."""

from __future__ import annotations

import os
import secrets
from contextlib import contextmanager

from sqlalchemy import create_engine, make_url, text


@contextmanager
def own_database(tmp_path, tag: str):
    """Yields a URL: a SQLite file under `tmp_path`, or with FRESHCIRCLE_TEST_DATABASE_URL a
    new PostgreSQL database beside the suite's, dropped afterwards."""
    suite_url = os.environ.get("FRESHCIRCLE_TEST_DATABASE_URL") or ""
    if not suite_url.startswith("postgresql"):
        yield "sqlite:///" + str(tmp_path / f"{tag}.db")
        return
    url = make_url(suite_url)
    name = f"{url.database}_{tag}_{secrets.token_hex(4)}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

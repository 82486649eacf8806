"""Migrations: `upgrade head` on an empty database matches the models; `downgrade base` undoes it.

Runs on a fresh SQLite file and, when FRESHCIRCLE_TEST_DATABASE_URL is set, on a throw-away
PostgreSQL database `<name>_migrations` on the same server (the shared test database keeps
the suite's schema).
"""

from __future__ import annotations

import os

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from psycopg import sql
from sqlalchemy import inspect, make_url

from freshcircle.platform import create_app
from freshcircle.platform.extensions import db
from freshcircle.platform.trace.services import scan_partitions

PG_URL = os.environ.get("FRESHCIRCLE_TEST_DATABASE_URL")


@pytest.fixture
def sqlite_url(tmp_path):
    return "sqlite:///" + str(tmp_path / "migrations.db")


@pytest.fixture
def postgresql_url():
    if not PG_URL:
        pytest.skip("FRESHCIRCLE_TEST_DATABASE_URL is not set")
    url = make_url(PG_URL)
    name = f"{url.database}_migrations"
    server = url.set(drivername="postgresql").render_as_string(hide_password=False)

    def run(statement: str) -> None:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(sql.SQL(statement).format(sql.Identifier(name)))

    run("DROP DATABASE IF EXISTS {} WITH (FORCE)")
    run("CREATE DATABASE {}")
    yield url.set(database=name).render_as_string(hide_password=False)
    run("DROP DATABASE IF EXISTS {} WITH (FORCE)")


@pytest.mark.no_db_isolation
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migrations_build_the_models_schema_and_downgrade_to_nothing(backend, request):
    url = request.getfixturevalue(f"{backend}_url")
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        try:
            upgrade()
            tables = set(inspect(db.engine).get_table_names())
            assert set(db.metadata.tables) <= tables

            with db.engine.connect() as conn:
                context = MigrationContext.configure(conn, opts={
                    "compare_type": True, "include_object": scan_partitions.include_object})
                assert compare_metadata(context, db.metadata) == []

            downgrade(revision="base")
            assert set(inspect(db.engine).get_table_names()) - {"alembic_version"} == set()
        finally:
            db.session.remove()
            db.engine.dispose()


@pytest.mark.no_db_isolation
def test_sqlite_connections_enforce_foreign_keys_after_migrating(sqlite_url):
    """Migrations run with foreign keys off on SQLite (to copy tables); the connections the
    app uses afterwards must have them on again (one was left off and let a test's leftover
    rows point at nothing)."""
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": sqlite_url})
    with app.app_context():
        try:
            upgrade()
            for _ in range(3):
                with db.engine.connect() as conn:
                    assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        finally:
            db.engine.dispose()

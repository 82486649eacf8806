"""Database reads for a front (a WSGI layer that answers before the app): autocommit, so a
read is one round trip (no BEGIN, no ROLLBACK when the connection goes back), no ping on
checkout (a connection that fails is dropped and the request goes to the app instead), and
the statement compiled once and run on the driver's own cursor (no result objects, no column
descriptions: on the market page's front that was a third of its time).

The pool is made in the process that first uses it (after gunicorn forks its workers), on the
app's database, and disposed whenever the app's engine is. An in-memory SQLite database is
the app's connection's alone: a front has none there (`connect()` gives None).
"""

from __future__ import annotations

import threading

from flask import Flask
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql import Executable

from freshcircle.platform.extensions import db

_NONE = object()


class FrontDatabase:
    def __init__(self, app: Flask, pool_size: int = 8, max_overflow: int = 8,
                 pool_timeout: float = 1.0) -> None:
        self.app = app
        self.options = {"pool_size": pool_size, "max_overflow": max_overflow,
                        "pool_timeout": pool_timeout}
        self._engine: Engine | object | None = None
        self._compiled: dict[int, tuple[Executable, str, object]] = {}
        self._lock = threading.Lock()

    def _make(self) -> Engine | object:
        with self.app.app_context():
            base = db.engine
        url = base.url
        if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
            return _NONE
        # Autocommit: nothing to roll back when a connection goes back to the pool.
        engine = create_engine(url, isolation_level="AUTOCOMMIT", pool_pre_ping=False,
                               pool_reset_on_return=None,
                               **({} if url.get_backend_name() == "sqlite" else self.options))
        if not event.contains(base, "engine_disposed", self._disposed_with):
            event.listen(base, "engine_disposed", self._disposed_with)
        return engine

    def _disposed_with(self, _engine: Engine) -> None:
        self.dispose()

    def engine(self) -> Engine | None:
        if self._engine is None:
            with self._lock:
                if self._engine is None:
                    self._engine = self._make()
        return None if self._engine is _NONE else self._engine  # type: ignore[return-value]

    def _sql(self, engine: Engine, statement: Executable) -> tuple[str, object]:
        """The driver's SQL for `statement` and its compiled form (kept per statement)."""
        kept = self._compiled.get(id(statement))
        if kept is None or kept[0] is not statement:
            compiled = statement.compile(dialect=engine.dialect)
            kept = (statement, compiled.string, compiled)
            self._compiled[id(statement)] = kept
        return kept[1], kept[2]

    def rows(self, statement: Executable, params: dict) -> list[tuple] | None:
        """The rows of `statement` as the driver gives them (no type processing: what a
        column's type would convert, the caller converts), or None when there is no
        database for a front or the read failed (the caller hands the request to the app)."""
        engine = self.engine()
        if engine is None:
            return None
        sql, compiled = self._sql(engine, statement)
        values = compiled.construct_params(params)  # type: ignore[attr-defined]
        if compiled.positiontup is not None:  # type: ignore[attr-defined]
            values = [values[name] for name in compiled.positiontup]  # type: ignore[attr-defined]
        try:
            connection = engine.raw_connection()
        except SQLAlchemyError:
            return None
        try:
            cursor = connection.cursor()
            cursor.execute(sql, values)
            found = cursor.fetchall()
            cursor.close()
        except engine.dialect.loaded_dbapi.Error:
            connection.invalidate()
            return None
        finally:
            connection.close()
        return found

    def dispose(self) -> None:
        with self._lock:
            engine, self._engine = self._engine, None
        if isinstance(engine, Engine):
            engine.dispose()

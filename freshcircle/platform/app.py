"""The application factory."""

from __future__ import annotations

import secrets
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from freshcircle.platform.config import load_config
from freshcircle.platform.core.services.file_store import DirectoryStore, FileStore
from freshcircle.platform.extensions import (
    api,
    babel,
    compress,
    csrf,
    db,
    login_manager,
    migrate,
)

MIGRATIONS_DIR = str(Path(__file__).resolve().parents[2] / "migrations")


def _instance_secret(instance_path: str) -> str:
    """A secret key kept in the instance folder, so sessions survive a restart of `make run`."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _configure_sqlite(engine: Engine) -> None:
    """Real transactions and savepoints on SQLite, enforced foreign keys, WAL and a busy timeout.

    pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT; the SQLAlchemy
    documentation's recipe takes it over. In WAL mode readers never wait for the writer nor
    it for them; writers queue for up to the busy timeout.
    """
    from freshcircle.platform.transactions import takes_write_lock

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")  # a no-op (reported "memory") in memory
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        # A transaction that reads and then writes cannot wait for another writer under a
        # deferred BEGIN: SQLite fails it at once ("database is locked") instead of letting
        # the busy timeout queue it. So whatever may write takes the write lock up front and
        # queues (transactions.takes_write_lock says which); page and API reads stay deferred
        # and run side by side.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if takes_write_lock() else "BEGIN")


def make_store(config: dict) -> FileStore:
    """The file store the settings name: S3 when FILES_S3_BUCKET is set, else FILES_DIR."""
    if config.get("FILES_S3_BUCKET"):
        from freshcircle.platform.core.services.s3_store import S3Store

        return S3Store(config["FILES_S3_BUCKET"], endpoint_url=config.get("FILES_S3_ENDPOINT_URL"),
                       prefix=config.get("FILES_S3_PREFIX", ""))
    return DirectoryStore(config["FILES_DIR"])


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app. `test_config` overrides settings from the environment."""
    app = Flask(__name__, instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(load_config(app.instance_path, test_config))
    if not (test_config or {}).get("SECRET_KEY") and not _env_secret():
        app.config["SECRET_KEY"] = _instance_secret(app.instance_path)

    app.json.ensure_ascii = False  # API bodies carry Chinese as UTF-8, readable in any client
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            _configure_sqlite(db.engine)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True)
    csrf.init_app(app)
    compress.init_app(app)

    from freshcircle.platform import (
        api_errors,
        auth,
        i18n,
        security,
        sign_in_limits,
        static_assets,
        transactions,
    )

    i18n.init_app(app, babel)
    auth.init_app(app, login_manager)
    transactions.init_app(app)
    api_errors.register_error_handlers(app)
    static_assets.init_app(app)
    security.init_app(app)
    app.extensions["trace_settings"] = _trace_settings(app)
    app.extensions["file_store"] = make_store(app.config)

    from freshcircle.platform.blueprints import register_blueprints
    from freshcircle.platform.web import input_guard
    from freshcircle.platform.web.arguments import BoundedIntegerConverter

    app.url_map.converters["int"] = BoundedIntegerConverter  # before any route is added
    register_blueprints(app, api)
    sign_in_limits.init_app(app)  # wraps the sign-in views the blueprints registered
    input_guard.init_app(app)  # after the API's sign-in check: anonymous callers learn nothing

    from freshcircle.platform.cli import register_cli

    register_cli(app)

    from freshcircle.platform.batches.label_jobs import recover_interrupted_runs

    recover_interrupted_runs(app)
    security.trust_proxies(app)
    return app


def _trace_settings(app: Flask):
    from freshcircle.platform.ledger.services.trace_codes import TraceSettings, load_keyring
    from freshcircle.traceability.gs1_keys import GtinScheme

    return TraceSettings(
        domain=app.config["TRACE_DOMAIN"],
        gtin_scheme=GtinScheme(company_prefix=app.config["GS1_COMPANY_PREFIX"], product_digits=2),
        keyring=load_keyring(
            app.instance_path,
            app.config.get("SIGNING_KEYS"),
            app.config.get("SIGNING_KEY_CURRENT"),
        ),
    )


def _env_secret() -> bool:
    import os

    return bool(os.environ.get("SECRET_KEY"))

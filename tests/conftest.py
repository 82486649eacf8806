"""Shared fixtures: an app on a database built by the real migrations, one rolled-back
transaction per test, and a client per role.

SQLite (a temporary file) always; PostgreSQL when FRESHCIRCLE_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import contextvars
import os

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import MetaData, text

from freshcircle.platform import create_app
from freshcircle.platform.core.services import reference_data
from freshcircle.platform.extensions import db
from freshcircle.platform.market.services import facet_snapshot
from tests import factories

TEST_DATABASE_URL = os.environ.get("FRESHCIRCLE_TEST_DATABASE_URL")
# Tests whose outcome cannot depend on the suite's database: the pure libraries, and (marked
# `database_independent` where they are) benches and browser tests that serve their own SQLite
# file whatever the suite uses. .ci/run runs them once, in the SQLite suite: its PostgreSQL run
# sets FRESHCIRCLE_TEST_SKIP_DATABASE_INDEPENDENT=1 and they are deselected there.
DATABASE_INDEPENDENT_PATHS = ("tests/traceability/", "tests/logistics/", "tests/forecasting/",
                              "tests/test_layers.py")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.nodeid.startswith(DATABASE_INDEPENDENT_PATHS):
            item.add_marker(pytest.mark.database_independent)
    if not (TEST_DATABASE_URL and os.environ.get("FRESHCIRCLE_TEST_SKIP_DATABASE_INDEPENDENT")):
        return
    kept = [i for i in items if i.get_closest_marker("database_independent") is None]
    if len(kept) < len(items):
        config.hook.pytest_deselected(
            items=[i for i in items if i.get_closest_marker("database_independent")])
        items[:] = kept


class ConnectionBoundSession(FlaskSession):
    """Flask-SQLAlchemy's session always picks the engine; tests need the given connection."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return self.bind if self.bind is not None else super().get_bind(mapper, clause, bind)


class FreshContextClient(FlaskClient):
    """A test client whose every request gets its own app context, `g` and session, as in
    production.

    Flask reuses an app context that is already pushed, and the `session` fixture keeps one
    pushed for the whole test; without this, requests would share `g`, where Flask-Login caches
    the user, and a request would run as whoever an earlier request signed in.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


def _reset_database(engine) -> None:
    """Drop every table (a previous run's leftovers) so migrations start from empty."""
    meta = MetaData()
    meta.reflect(bind=engine)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        else:
            meta.drop_all(conn)


@pytest.fixture(scope="session", autouse=True)
def _files_dir(tmp_path_factory):
    """Every app a test builds keeps its files in a temporary store, never in instance/."""
    path = str(tmp_path_factory.mktemp("files"))
    before = os.environ.get("FRESHCIRCLE_FILES_DIR")
    os.environ["FRESHCIRCLE_FILES_DIR"] = path
    yield path
    if before is None:
        os.environ.pop("FRESHCIRCLE_FILES_DIR", None)
    else:
        os.environ["FRESHCIRCLE_FILES_DIR"] = before


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    if TEST_DATABASE_URL:
        return TEST_DATABASE_URL
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory, _files_dir):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "WTF_CSRF_ENABLED": False,
            "SERVER_NAME": "localhost",
            # A fixed test key, so tests never write a key file into the instance folder.
            "SIGNING_KEYS": "t1=dGVzdC1zaWduaW5nLWtleS0zMi1ieXRlcy1sb25nISE",
            # Rolled-back tests reuse ids: a cached market page could belong to another test.
            # tests/platform/test_market_cache.py turns it on where it is the subject.
            "MARKET_RESULTS_CACHE_SECONDS": 0,
            # The showcase's data version is read on every request (not reused for a second),
            # so a change made by a test shows at once.
            "SHOWCASE_VERSION_SECONDS": 0,
            "FILES_DIR": _files_dir,
            # Rolled-back tests reuse phone numbers; tests/platform/security/test_sign_in_limits.py
            # builds apps with the limiter on.
            "RATELIMIT_ENABLED": False,
            # No background thread writing a new buyer site's arrival rows under a test;
            # tests/platform/market/test_arrival_jobs.py turns it on where it is the subject.
            "ARRIVAL_INDEX_PREBUILD": False,
        }
    )
    app.test_client_class = FreshContextClient
    with app.app_context():
        _reset_database(db.engine)
        upgrade()
        reference_data.load_products(db.session)
        reference_data.load_places(db.session)
        db.session.commit()
        db.session.remove()
    yield app
    with app.app_context():
        # Close pooled connections now: left to the garbage collector, psycopg warns
        # (ResourceWarning) and filterwarnings=error turns that into a failed session.
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _isolated(request, app):
    """Every test runs inside one outer transaction that is rolled back afterwards.

    Requests and test code get their own sessions, bound to the same connection; their commits
    release savepoints (join_transaction_mode="create_savepoint"), so nothing reaches the
    database for good.
    """
    if "no_db_isolation" in request.keywords:
        yield
        return
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
    original = db.session
    db.session = db._make_scoped_session(
        {
            "bind": connection,
            "join_transaction_mode": "create_savepoint",
            "class_": ConnectionBoundSession,
        }
    )
    try:
        yield
    finally:
        db.session = original  # each app context removed its own session on teardown
        outer.rollback()
        connection.close()
        facet_snapshot.forget()  # the rollback reuses market versions with other data


@pytest.fixture
def session(app):
    """An app context and its session for arranging data and checking what was written."""
    with app.app_context():
        yield db.session


@pytest.fixture
def make(session):
    return factories.Factory(session)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def login(app):
    """login(user) -> a test client signed in through the real sign-in page."""

    def _login(user, password=factories.PASSWORD):
        client = app.test_client()
        response = client.post("/login", data={"phone": user.phone, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return _login

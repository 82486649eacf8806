"""schemathesis over every API operation: no server error, every response as documented.

Bounded for CI: a fixed seed and a few positive and negative cases per operation, sent as a
cooperative's manager with a bearer token, through the real app in process (WSGI), half of
them naming rows that exist. Every request runs inside the test's rolled-back transaction
(tests/conftest.py), and background work (dispatch plans, label runs) runs inside the request,
so nothing the fuzzer writes reaches other tests. bench/fuzz.py runs the same at tens of
thousands of cases as six identities.
"""

from __future__ import annotations

from sqlalchemy import create_engine, text

from freshcircle.platform.core.services import accounts
from freshcircle.platform.extensions import db
from freshcircle.platform.models import Role
from tests.platform import fuzz_helpers

SEED = 20261204
EXAMPLES = 3  # per operation and generation mode (positive, negative)
TABLES = ("producers", "batches", "plots", "places", "listings", "shipments", "api_tokens")


def committed_rows() -> dict[str, int]:
    """Row counts as another connection sees them: only what was committed for good.

    A plain engine of its own: the app's engine begins SQLite transactions IMMEDIATE, which
    would wait for the test's own write lock."""
    engine = create_engine(db.engine.url.render_as_string(hide_password=False))
    try:
        with engine.connect() as outside:
            return {t: outside.execute(text(f"SELECT count(*) FROM {t}")).scalar()
                    for t in TABLES}
    finally:
        engine.dispose()


def test_no_operation_answers_500_or_off_its_document(app, make, session, monkeypatch):
    for key, value in (("DISPATCH_JOBS_SYNC", True), ("DISPATCH_MAX_ITERATIONS", 200),
                       ("LABEL_JOBS_SYNC", True)):
        monkeypatch.setitem(app.config, key, value)
    before = committed_rows()
    manager = make.user(Role.COOP_ADMIN)
    producer = make.producer(manager)
    make.batch(producer)
    _, token = accounts.issue_token(session, manager, "fuzz")
    session.commit()
    schema = fuzz_helpers.load(app)
    tally = fuzz_helpers.fuzz(schema, {"Authorization": f"Bearer {token}"},
                              examples=EXAMPLES, seed=SEED,
                              ids=fuzz_helpers.existing_ids(session))
    assert tally.cases >= len(fuzz_helpers.operations(schema)) * 2
    assert tally.statuses[200] + tally.statuses[201] > 20, tally.statuses  # it got past 404s
    assert committed_rows() == before  # the fuzzer's writes stay in the test's transaction
    assert (tally.server_errors, tally.schema_violations) == (0, 0), tally.report()

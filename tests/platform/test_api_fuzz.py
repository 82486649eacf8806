"""schemathesis over every API operation: no server error, every response as documented.

Bounded for CI: a fixed seed and a few positive and negative cases per operation, sent as a
farmer of a cooperative with a bearer token, through the real app in process. Every request
runs inside the test's rolled-back transaction (tests/conftest.py), so nothing it writes
reaches other tests. bench/fuzz.py runs the same at tens of thousands of cases.
"""

from __future__ import annotations

from freshcircle.platform.core.services import accounts
from freshcircle.platform.models import Role
from tests.platform import fuzz_helpers

SEED = 20261204
EXAMPLES = 3  # per operation and generation mode (positive, negative)


def test_no_operation_answers_500_or_off_its_document(app, make, session):
    farmer = make.user(Role.COOP_ADMIN)
    producer = make.producer(farmer)
    make.batch(producer)
    _, token = accounts.issue_token(session, farmer, "fuzz")
    session.commit()
    schema = fuzz_helpers.load(app)
    tally = fuzz_helpers.fuzz(schema, {"Authorization": f"Bearer {token}"},
                              examples=EXAMPLES, seed=SEED,
                              ids=fuzz_helpers.existing_ids(session))
    assert tally.cases >= len(fuzz_helpers.operations(schema)) * 2
    assert (tally.server_errors, tally.schema_violations) == (0, 0), tally.report()

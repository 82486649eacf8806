"""Migration d7b3e5f90a12: events stored under the old event-hash rule are re-anchored under
the corrected one, so `flask verify-chain` finds nothing wrong with them."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from freshcircle.platform import create_app
from freshcircle.platform.core.services import reference_data
from freshcircle.platform.extensions import db
from freshcircle.platform.ledger.services import epcis_events, epcis_store
from freshcircle.platform.models import EpcisEventRecord
from freshcircle.traceability.event_chain import link_hash
from tests.factories import Factory
from tests.platform.test_migrations import postgresql_url, sqlite_url  # noqa: F401 (fixtures)

BEFORE = "c4e8a2f61d09"
OLD_RULE_HASH = "ni:///sha-256;" + "0" * 64 + "?ver=CBV2.0"  # what the old rule recorded


def _problems() -> list:
    return [problem for stored in epcis_store.chains(db.session).values()
            for problem in epcis_store.chain_problems(stored)]


@pytest.mark.no_db_isolation
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_events_hashed_under_the_old_rule_verify_after_the_migration(backend, request):
    url = request.getfixturevalue(f"{backend}_url")
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()  # the records made with today's models, then the schema taken back
        reference_data.load_products(db.session)
        make = Factory(db.session)
        farmer = make.user()
        batch = make.batch(make.producer(farmer))
        first = epcis_events.record_batch_registered(db.session, batch, farmer)
        db.session.commit()
        # As stored under the old rule: another hash, and the chain linked from it.
        record = db.session.scalar(select_event(first))
        record.event_hash = OLD_RULE_HASH
        record.link = link_hash(record.previous_link, OLD_RULE_HASH)
        for head in epcis_store.chains(db.session).values():
            head.head.link = record.link
        db.session.commit()
        assert [p.kind for p in _problems()] == ["modified"]
        db.session.remove()
        downgrade(revision=BEFORE)

        upgrade()

        assert _problems() == []
        stored = db.session.scalar(select_event(first))
        assert stored.event_hash != OLD_RULE_HASH and stored.event_id == first
        db.session.remove()
        db.engine.dispose()


def select_event(event_id: str):
    return sa.select(EpcisEventRecord).where(EpcisEventRecord.event_id == event_id)

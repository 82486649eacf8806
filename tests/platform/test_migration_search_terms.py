"""Migration c4e8a2f61d09: listings stored before pinyin search get their pinyin terms, and the
synonyms table comes seeded."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from freshcircle.platform import create_app
from freshcircle.platform.core.services import reference_data
from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.extensions import db
from freshcircle.platform.market.services import listings
from tests.factories import Factory
from tests.platform.test_migrations import postgresql_url, sqlite_url  # noqa: F401 (fixtures)

BEFORE = "c4e9a2f7b183"


@pytest.mark.no_db_isolation
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_listings_stored_before_get_pinyin_terms(backend, request):
    url = request.getfixturevalue(f"{backend}_url")
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()  # the records made with today's models, then the schema taken back
        reference_data.load_products(db.session)
        make = Factory(db.session)
        farmer = make.user()
        batch = make.batch(make.producer(farmer), product=make.product("Garlic (cured bulb)"),
                           quantity_g=500_000)
        listing = listings.create_listing(db.session, farmer, batch, {
            "price": "3.50", "unit": "jin", "min_order": "10", "quantity": "600",
            "available_to": today_in_china() + dt.timedelta(days=10)})
        db.session.commit()
        db.session.remove()
        downgrade(revision=BEFORE)
        with db.engine.begin() as conn:  # as a listing indexed before pinyin terms existed
            conn.execute(sa.text("DELETE FROM listing_terms WHERE term LIKE 'py:%' "
                                 "OR term LIKE 'pi:%'"))

        upgrade()

        with db.engine.connect() as conn:
            terms = set(conn.execute(sa.text(
                "SELECT term FROM listing_terms WHERE listing_id = :id"),
                {"id": listing.id}).scalars())
            seeded = dict(conn.execute(sa.text("SELECT name, means FROM search_synonyms")).all())
        assert {"py:suan", "py:dasuan", "pi:ds", "大蒜"} <= terms
        assert seeded["蒜头"] == "大蒜" and seeded["土豆"] == "马铃薯"
        downgrade(revision=BEFORE)
        with db.engine.connect() as conn:
            left = conn.execute(sa.text("SELECT count(*) FROM listing_terms "
                                        "WHERE term LIKE 'py:%'")).scalar()
        assert left == 0
        db.engine.dispose()

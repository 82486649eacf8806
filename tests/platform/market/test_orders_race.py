"""Buyers racing for the last units of a listing, on the real database (SQLite and
PostgreSQL), each in its own thread, connection and transaction: exactly what is offered is
sold, and every loser is told what is left."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from freshcircle.platform.core.services.clock import CHINA
from freshcircle.platform.core.services.errors import Conflict
from freshcircle.platform.extensions import db
from freshcircle.platform.market.services import orders
from freshcircle.platform.models import User
from tests.factories import Factory
from tests.platform.market_helpers import buyer_with_site, market
from tests.platform.pg_helpers import delete_market_world

BUYERS = 8
MORNING = dt.datetime(2026, 11, 26, 10, 0, tzinfo=CHINA)


@pytest.mark.no_db_isolation
def test_racing_buyers_never_oversell(app):
    with app.app_context():
        make = Factory(db.session)  # committed for real: each buyer's thread must see it
        m = market(make, db.session, offered="20", min_order="5")  # 10 kg offered
        buyers = [(m.buyer, m.site)] + [buyer_with_site(make, db.session, f"买家{i}")
                                        for i in range(1, BUYERS)]
        db.session.commit()
        ids = {"listing": m.listing.id, "batch": m.listing.batch_id,
               "producer": m.listing.producer_id, "farmer": m.farmer.id,
               "buyers": [b.id for b, _ in buyers], "sites": [s.id for _, s in buyers]}
        db.session.remove()
    try:
        outcomes = _race(app, ids)
        won = [o for o in outcomes if o == "ok"]
        lost = [o for o in outcomes if o != "ok"]
        assert len(won) == 4 and len(lost) == BUYERS - 4, outcomes  # 4 × 5 斤 of 20 斤
        assert all("left" in o for o in lost), lost
        with app.app_context(), db.engine.connect() as conn:
            sold = conn.scalar(text("SELECT sold_g FROM listings WHERE id = :id"),
                               {"id": ids["listing"]})
            ordered = conn.scalar(text("SELECT sum(quantity_g) FROM order_lines "
                                       "WHERE listing_id = :id"), {"id": ids["listing"]})
        assert sold == ordered == 10_000
    finally:
        with app.app_context():
            _delete(ids)


def _race(app, ids) -> list[str]:
    barrier = threading.Barrier(BUYERS)
    outcomes: list[str] = []

    def buy(buyer_id: int, site_id: int) -> None:
        with app.app_context(), Session(db.engine) as session:
            barrier.wait(timeout=30)  # all start together, before any of them touches the db
            try:
                buyer = session.get(User, buyer_id)
                orders.checkout(session, buyer, site_id, [
                    {"listing_id": ids["listing"], "quantity": "5", "unit": "jin"}], MORNING)
                session.commit()
                outcomes.append("ok")
            except Conflict as refused:
                session.rollback()
                left = (refused.errors or {}).get("lines.0", {}).get("left_g")
                outcomes.append(f"left {left}: {refused.message}")
            except Exception as error:  # reported by the assertions
                session.rollback()
                outcomes.append(f"error {error!r}")

    threads = [threading.Thread(target=buy, args=pair)
               for pair in zip(ids["buyers"], ids["sites"], strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def _delete(ids) -> None:
    with db.engine.begin() as conn:
        delete_market_world(conn, ids)

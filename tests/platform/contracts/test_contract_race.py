"""A forward contract's offer and market buyers racing for the same listing, on the real
database (SQLite and PostgreSQL), each in its own thread, connection and transaction: what is
reserved never exceeds what is offered, and every gram reserved is on an order line."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from freshcircle.platform.contracts.services import offers
from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.core.services.errors import Conflict
from freshcircle.platform.extensions import db
from freshcircle.platform.market.services import listings, orders
from freshcircle.platform.models import ForwardContract, User
from tests.factories import Factory
from tests.platform.contracts.contract_helpers import contract_for, world
from tests.platform.market_helpers import buyer_with_site
from tests.platform.pg_helpers import delete_market_world

BUYERS = 6


@pytest.mark.no_db_isolation
def test_a_contract_offer_racing_market_orders_never_oversells(app):
    with app.app_context():
        make = Factory(db.session)  # committed for real: every thread must see it
        w = world(make, db.session)
        contract = contract_for(db.session, w, per_week="12")  # 12 斤 due this week
        batch = make.batch(w.producer, plot=w.planting.plot, product=w.planting.product,
                           planting=w.planting, quantity_g=50_000)
        listing = listings.create_listing(db.session, w.farmer, batch, {
            "price": "4.00", "unit": "jin", "min_order": "5", "quantity": "20",
            "available_to": today_in_china() + dt.timedelta(days=7)})  # 20 斤 offered
        buyers = [buyer_with_site(make, db.session, f"抢购{i}") for i in range(BUYERS)]
        db.session.commit()
        ids = {"listing": listing.id, "batch": batch.id, "producer": w.producer.id,
               "farmer": w.farmer.id, "contract": contract.id, "planting": w.planting.id,
               "buyers": [w.buyer.id, *(b.id for b, _ in buyers)],
               "sites": [w.site.id, *(s.id for _, s in buyers)]}
        db.session.remove()
    try:
        outcomes = _race(app, ids, buyers=list(zip(ids["buyers"][1:], ids["sites"][1:],
                                                   strict=True)))
        assert not [o for o in outcomes if o.startswith("error")], outcomes
        with app.app_context(), db.engine.connect() as conn:
            sold = conn.scalar(text("SELECT sold_g FROM listings WHERE id = :id"),
                               {"id": ids["listing"]})
            ordered = conn.scalar(text("SELECT sum(l.quantity_g) FROM order_lines l JOIN "
                                       "orders o ON o.id = l.order_id WHERE l.listing_id = :id"),
                                  {"id": ids["listing"]})
            for_contract = conn.scalar(text(
                "SELECT coalesce(sum(l.quantity_g), 0) FROM order_lines l JOIN "
                "forward_contract_orders c ON c.order_id = l.order_id "
                "WHERE c.contract_id = :id"), {"id": ids["contract"]})
        # 20 斤 offered, 12 + 6 × 5 斤 wanted: never more sold than offered, every gram sold
        # on an order line, and less than one market order (5 斤) left over.
        market_won = outcomes.count("market ok")
        assert sold == ordered == market_won * 2_500 + for_contract, outcomes
        assert 10_000 - 2_500 < sold <= 10_000, outcomes
        assert for_contract <= 6_000 and for_contract % 500 == 0
        contract_won = [o for o in outcomes if o.startswith("contract")]
        assert contract_won == [f"contract {for_contract}"]
    finally:
        with app.app_context():
            _delete(ids)


def _race(app, ids, buyers) -> list[str]:
    barrier = threading.Barrier(len(buyers) + 1)
    outcomes: list[str] = []
    morning = dt.datetime.now(dt.UTC)

    def buy(buyer_id: int, site_id: int) -> None:
        with app.app_context(), Session(db.engine) as session:
            barrier.wait(timeout=30)
            try:
                orders.checkout(session, session.get(User, buyer_id), site_id, [
                    {"listing_id": ids["listing"], "quantity": "5", "unit": "jin"}], morning)
                session.commit()
                outcomes.append("market ok")
            except Conflict as refused:
                session.rollback()
                outcomes.append(f"market refused: {refused.message}")
            except Exception as error:  # reported by the assertions
                session.rollback()
                outcomes.append(f"error {error!r}")

    def offer() -> None:
        with app.app_context(), Session(db.engine) as session:
            barrier.wait(timeout=30)
            try:
                contract = session.get(ForwardContract, ids["contract"])
                order = offers.offer_now(session, session.get(User, ids["farmer"]), contract,
                                         morning)
                session.commit()
                outcomes.append(f"contract {order.lines[0].quantity_g if order else 0}")
            except Exception as error:
                session.rollback()
                outcomes.append(f"error {error!r}")

    threads = [threading.Thread(target=buy, args=pair) for pair in buyers]
    threads.insert(len(threads) // 2, threading.Thread(target=offer))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def _delete(ids) -> None:
    with db.engine.begin() as conn:
        p = {"contract": ids["contract"]}
        for table in ("forward_contract_orders", "forward_contract_weeks",
                      "forward_contract_plantings", "forward_contract_shortfalls"):
            conn.execute(text(f"DELETE FROM {table} WHERE contract_id = :contract"), p)
        conn.execute(text("DELETE FROM forward_contracts WHERE id = :contract"), p)
        delete_market_world(conn, ids)

"""A contracted planting's harvest goes to its contract first: registering a batch from it
lists the week's due quantity and orders it for the buyer at the contract price, confirmed;
the order is an ordinary one (the producer's dispatch day has it like any confirmed order);
a batch without a required residue test waits; the contract's listings are offered when it
is confirmed or when the producer asks."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from freshcircle.platform.contracts.services import contracts, offers
from freshcircle.platform.contracts.services.contract_weeks import week_rows
from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.dispatch.services.dispatch_problem import day_orders
from freshcircle.platform.market.services import listings, orders
from freshcircle.platform.models import (
    ContractStatus,
    Listing,
    Notice,
    Order,
    OrderStatus,
)
from tests.platform.contracts.contract_helpers import MONDAY, TODAY, contract_for, world


def _register(client, w, quantity="300", **extra):
    return client.post("/api/v1/batches", json={
        "producer_id": w.producer.id, "product_id": w.planting.product_id,
        "plot_id": w.planting.plot_id, "harvest_date": (TODAY - dt.timedelta(days=1))
        .isoformat(), "quantity": quantity, "unit": "jin", **extra})


def test_a_batch_from_a_contracted_planting_is_ordered_for_the_contract_first(make, login,
                                                                              session):
    w = world(make, session)
    contract = contract_for(session, w, per_week="200")
    session.commit()

    registered = _register(login(w.farmer), w, quantity="300")

    assert registered.status_code == 201, registered.json
    (order,) = session.scalars(select(Order).where(Order.buyer_id == w.buyer.id))
    assert order.status == OrderStatus.CONFIRMED and order.site_id == w.site.id
    (line,) = order.lines
    assert line.batch_id == registered.json["id"]
    assert line.quantity_g == 100_000 and line.price_fen_per_jin == 320  # 200 斤 at 3.20
    # Reserved exactly as the market reserves: the batch's listing holds the 200 斤, all sold.
    listing = session.scalar(select(Listing).where(Listing.batch_id == line.batch_id))
    assert (listing.offered_g, listing.sold_g) == (100_000, 100_000)
    session.refresh(contract)
    assert contract.status == ContractStatus.ACTIVE
    assert week_rows(session, contract)[0].ordered_g == 100_000
    # The buyer hears of a confirmed order, the producer of a new one.
    kinds = set(session.scalars(select(Notice.kind).where(Notice.subject == f"#{order.id}")))
    assert kinds == {"order_placed", "order_confirmed"}
    # An ordinary order: the producer's dispatch day lists it for planning.
    assert order in day_orders(session, w.producer.id, order.dispatch_date)
    # This week is ordered in full: a second batch goes to next week's quantity, dispatched
    # that week.
    assert _register(login(w.farmer), w, quantity="100").status_code == 201
    _first, second = session.scalars(select(Order).where(Order.buyer_id == w.buyer.id)
                                    .order_by(Order.id))
    assert second.lines[0].quantity_g == 50_000
    assert second.dispatch_date >= MONDAY + dt.timedelta(weeks=1)
    assert [r.ordered_g for r in week_rows(session, contract)] == [100_000, 50_000, 0, 0]


def test_the_order_goes_through_delivery_and_counts_what_was_delivered(make, session):
    w = world(make, session)
    contract = contract_for(session, w, per_week="200")
    batch = make.batch(w.producer, plot=w.planting.plot, product=w.planting.product,
                       planting=w.planting)
    (order,) = offers.offer_registered_batch(session, w.farmer, batch)
    for status in (OrderStatus.PACKED, OrderStatus.SHIPPED):
        orders.advance(session, w.farmer, order, status)
    orders.advance(session, w.farmer, order, OrderStatus.DELIVERED,
                   delivered={order.lines[0].id: 95_000})

    row = week_rows(session, contract)[0]
    assert (row.ordered_g, row.delivered_g, row.on_time_g) == (100_000, 95_000, 95_000)


def test_a_required_residue_test_comes_first_then_the_producer_offers(make, login, session):
    w = world(make, session)
    contract = contract_for(session, w, per_week="200", residue_test_required=True)
    batch = make.batch(w.producer, plot=w.planting.plot, product=w.planting.product,
                       planting=w.planting)

    assert offers.offer_registered_batch(session, w.farmer, batch) == []
    listings.create_listing(session, w.farmer, batch, {
        "price": "4.00", "unit": "jin", "min_order": "10", "quantity": "500",
        "available_to": today_in_china() + dt.timedelta(days=7)})
    assert offers.offer_now(session, w.farmer, contract) is None  # still no test
    make.residue_test(batch)
    session.commit()

    response = login(w.farmer).post(f"/api/v1/contracts/{contract.id}/offer")

    assert response.status_code == 200, response.json
    assert response.json["weeks"][0]["ordered_g"] == 100_000
    (order,) = session.scalars(select(Order).where(Order.buyer_id == w.buyer.id))
    assert order.lines[0].price_fen_per_jin == 320  # the contract's price, not the listing's
    assert login(w.buyer).post(f"/api/v1/contracts/{contract.id}/offer").status_code == 403


def test_confirming_offers_what_is_already_listed_at_the_band_price(make, session):
    w = world(make, session)
    batch = make.batch(w.producer, plot=w.planting.plot, product=w.planting.product,
                       planting=w.planting)
    listings.create_listing(session, w.farmer, batch, {
        "price": "4.50", "unit": "jin", "min_order": "10", "quantity": "500",
        "available_to": today_in_china() + dt.timedelta(days=7)})
    contract = contract_for(session, w, per_week="150", confirmed=False,
                            price_kind="reference", band_min="3.00", band_max="4.00")

    contracts.confirm_contract(session, w.farmer, contract)

    (order,) = session.scalars(select(Order).where(Order.buyer_id == w.buyer.id))
    # The going price is 4.50 元/斤, above the band: the band's top.
    assert order.lines[0].price_fen_per_jin == 400 and order.lines[0].quantity_g == 75_000


def test_nothing_is_offered_before_the_week_before_the_first_delivery_week(make, session):
    w = world(make, session)
    contract_for(session, w, per_week="200", first_week=TODAY + dt.timedelta(days=21))
    batch = make.batch(w.producer, plot=w.planting.plot, product=w.planting.product,
                       planting=w.planting)

    assert offers.offer_registered_batch(session, w.farmer, batch) == []
    assert session.scalar(select(Listing).where(Listing.batch_id == batch.id)) is None


def test_a_contract_with_orders_can_no_longer_be_changed_and_a_band_without_market_is_its_middle(
        make, login, session):
    w = world(make, session)
    contract = contract_for(session, w, per_week="100", price_kind="reference",
                            band_min="2.00", band_max="3.00")
    assert offers.contract_price(session, contract) == 250  # nothing listed: the band's middle
    batch = make.batch(w.producer, plot=w.planting.plot, product=w.planting.product,
                       planting=w.planting)
    (order,) = offers.offer_registered_batch(session, w.farmer, batch)
    assert order.lines[0].price_fen_per_jin == 250
    session.commit()

    changed = login(w.buyer).patch(f"/api/v1/contracts/{contract.id}", json={"weeks": 8})

    assert changed.status_code == 409
    assert len(contract.weeks) == 4

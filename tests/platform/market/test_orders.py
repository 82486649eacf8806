"""Orders: server-side minimum and tiers, one open order per day, edits until the cut-off,
cancel gives stock back, catch-weight invoices, and who may do what."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from freshcircle.platform.core.services.clock import CHINA
from freshcircle.platform.core.services.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from freshcircle.platform.core.services.money import amount_fen
from freshcircle.platform.market.services import delivery, orders
from freshcircle.platform.models import Notice, Order, OrderStatus, Role
from tests.platform.market_helpers import market

# 10:00 in Fuyang: before the 16:00 cut-off, so tomorrow's dispatch.
MORNING = dt.datetime(2026, 11, 26, 10, 0, tzinfo=CHINA)


def _line(m, quantity, unit="jin"):
    return [{"listing_id": m.listing.id, "quantity": quantity, "unit": unit}]


def test_checkout_reserves_prices_and_dispatches_tomorrow(make, session):
    m = market(make, session, price="3.50", tiers=[{"min_quantity": "200", "price": "3.20"}])

    (order,) = orders.checkout(session, m.buyer, m.site.id, _line(m, "100"), MORNING)

    assert order.dispatch_date == dt.date(2026, 11, 27)
    (line,) = order.lines
    assert (line.quantity_g, line.price_fen_per_jin) == (50_000, 350)
    assert orders.totals(order).goods_fen == 35_000  # 100 斤 × ¥3.50
    assert order.freight_fen > 8_000  # the drop charge plus distance
    session.refresh(m.listing)
    assert m.listing.sold_g == 50_000
    # a second checkout the same morning adds to the same order and reaches the tier
    again = orders.checkout(session, m.buyer, m.site.id, _line(m, "150"), MORNING)
    assert [o.id for o in again] == [order.id]
    assert (line.quantity_g, line.price_fen_per_jin) == (125_000, 320)
    assert session.scalar(select(func.count()).select_from(Order)) == 1


def test_minimum_order_and_stock_are_enforced_by_the_server(make, session):
    m = market(make, session, offered="100", min_order="20")

    with pytest.raises(InvalidInput) as small:
        orders.checkout(session, m.buyer, m.site.id, _line(m, "10"), MORNING)
    assert "lines.0" in small.value.errors
    with pytest.raises(Conflict) as too_much:
        orders.checkout(session, m.buyer, m.site.id, _line(m, "101"), MORNING)
    assert too_much.value.errors["lines.0"] == {"left_g": 50_000}
    assert "100" in str(too_much.value.message)  # 100 斤 (50 kg) is all there is


def test_after_the_cut_off_the_order_moves_to_the_next_dispatch(make, session):
    m = market(make, session)
    evening = MORNING.replace(hour=16, minute=1)

    (preview,) = orders.preview(session, m.buyer, m.site.id, _line(m, "40"), evening)
    (order,) = orders.checkout(session, m.buyer, m.site.id, _line(m, "40"), evening)

    assert preview.estimate.dispatch_date == order.dispatch_date == dt.date(2026, 11, 28)
    assert preview.estimate.cutoff == dt.datetime(2026, 11, 27, 16, 0, tzinfo=CHINA)
    assert preview.estimate.arrival > preview.estimate.departure
    m.listing.producer.dispatch_weekdays = "1"  # Mondays only
    assert delivery.dispatch_date_for(m.listing.producer, evening) == dt.date(2026, 11, 30)


def test_buyer_edits_until_the_cut_off_then_cannot(make, session):
    m = market(make, session)
    (order,) = orders.checkout(session, m.buyer, m.site.id, _line(m, "100"), MORNING)

    orders.change_line(session, m.buyer, order, m.listing.id, "40", "jin", MORNING)
    session.refresh(m.listing)
    assert (order.lines[0].quantity_g, m.listing.sold_g) == (20_000, 20_000)
    late = MORNING.replace(hour=17)
    with pytest.raises(Conflict):
        orders.change_line(session, m.buyer, order, m.listing.id, "60", "jin", late)
    orders.change_line(session, m.buyer, order, m.listing.id, "0", "jin", MORNING)
    session.refresh(m.listing)
    assert order.status == OrderStatus.CANCELLED and m.listing.sold_g == 0


def test_cancel_before_dispatch_gives_the_stock_back(make, session):
    m = market(make, session)
    (order,) = orders.checkout(session, m.buyer, m.site.id, _line(m, "100"), MORNING)
    orders.advance(session, m.farmer, order, OrderStatus.CONFIRMED)

    orders.advance(session, m.buyer, order, OrderStatus.CANCELLED, now=MORNING)

    session.refresh(m.listing)
    assert m.listing.sold_g == 0 and order.cancelled_at is not None
    with pytest.raises(Conflict):
        orders.advance(session, m.farmer, order, OrderStatus.PACKED)


def test_catch_weight_recalculates_the_invoice_and_tells_the_buyer(make, session):
    m = market(make, session, price="4.00")
    (order,) = orders.checkout(session, m.buyer, m.site.id, _line(m, "100"), MORNING)
    for step in (OrderStatus.CONFIRMED, OrderStatus.PACKED, OrderStatus.SHIPPED):
        orders.advance(session, m.farmer, order, step)
    (line,) = order.lines

    with pytest.raises(InvalidInput):  # 30% over: a typo, not a delivery
        orders.advance(session, m.farmer, order, OrderStatus.DELIVERED, {line.id: 65_000})
    orders.advance(session, m.farmer, order, OrderStatus.DELIVERED, {line.id: 48_700})

    assert orders.ordered_totals(order).goods_fen == 40_000
    assert orders.totals(order).goods_fen == amount_fen(48_700, 400) == 38_960
    notice = session.scalar(select(Notice).where(Notice.user_id == m.buyer.id,
                                                 Notice.kind == "delivered"))
    assert notice.kind == "delivered" and '"invoice_fen"' in notice.payload
    orders.advance(session, m.buyer, order, OrderStatus.COMPLETED)
    assert order.status == OrderStatus.COMPLETED


def test_who_may_do_what(make, session):
    m = market(make, session)
    (order,) = orders.checkout(session, m.buyer, m.site.id, _line(m, "100"), MORNING)
    stranger = make.user()
    other_buyer = make.user(Role.BUYER)

    with pytest.raises(PermissionDenied):
        orders.advance(session, m.buyer, order, OrderStatus.CONFIRMED)
    with pytest.raises(PermissionDenied):
        orders.advance(session, stranger, order, OrderStatus.CONFIRMED)
    with pytest.raises(PermissionDenied):
        orders.checkout(session, m.farmer, m.site.id, _line(m, "40"), MORNING)
    with pytest.raises(InvalidInput):  # not their site
        orders.checkout(session, other_buyer, m.site.id, _line(m, "40"), MORNING)
    assert orders.get_order(session, m.farmer, order.id) is order
    with pytest.raises(NotFound):  # another buyer cannot even tell the order exists
        orders.get_order(session, other_buyer, order.id)
    assert [o.id for o in session.scalars(orders.orders_query(other_buyer))] == []

"""Issue 13: cancelling follows the cut-off, the producer declines with a reason, and each
step of an order tells the other side in the inbox."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from freshcircle.platform.core.services.clock import CHINA, today_in_china
from freshcircle.platform.core.services.errors import Conflict, InvalidInput, PermissionDenied
from freshcircle.platform.market.services import orders
from freshcircle.platform.models import Notice, OrderStatus
from tests.platform.market_helpers import market
from tests.platform.page_helpers import text

MORNING = dt.datetime(2026, 11, 26, 10, 0, tzinfo=CHINA)  # before the 16:00 cut-off
EVENING = MORNING.replace(hour=17)  # after it


def _line(m, quantity="100"):
    return [{"listing_id": m.listing.id, "quantity": quantity, "unit": "jin"}]


def _kinds(session, user):
    return [n.kind for n in session.scalars(select(Notice).where(Notice.user_id == user.id)
                                            .order_by(Notice.id))]


def test_cancel_after_the_cut_off_is_refused_and_keeps_the_stock(make, session):
    m = market(make, session)
    (order,) = orders.checkout(session, m.buyer, m.site.id, _line(m), MORNING)
    orders.advance(session, m.farmer, order, OrderStatus.CONFIRMED, now=MORNING)

    assert not orders.may_cancel(order, EVENING)
    with pytest.raises(Conflict):
        orders.advance(session, m.buyer, order, OrderStatus.CANCELLED, now=EVENING)

    session.refresh(m.listing)
    assert order.status == OrderStatus.CONFIRMED and m.listing.sold_g == 50_000


def test_the_order_page_offers_cancel_only_before_the_cut_off(make, login, session):
    m = market(make, session)
    (order,) = orders.checkout(session, m.buyer, m.site.id, _line(m))
    session.commit()
    client = login(m.buyer)
    assert "取消订单" in text(client.get(f"/orders/{order.id}"))

    m.listing.producer.order_cutoff = dt.time(0, 0)
    order.dispatch_date = today_in_china()  # its cut-off has passed
    session.commit()

    assert "取消订单" not in text(client.get(f"/orders/{order.id}"))
    refused = client.post(f"/orders/{order.id}/cancel")
    assert refused.status_code == 302
    session.refresh(order)
    assert order.status == OrderStatus.PLACED


def test_producer_declines_with_a_reason_and_the_buyer_is_told(make, login, session):
    m = market(make, session)
    (order,) = orders.checkout(session, m.buyer, m.site.id, _line(m))
    session.commit()
    client = login(m.farmer)

    empty = client.post(f"/sales/{order.id}/decline", data={"reason": "  "})
    assert empty.status_code == 422
    assert "为什么" in text(empty) or "原因" in text(empty)
    session.refresh(order)
    assert order.status == OrderStatus.PLACED

    done = client.post(f"/sales/{order.id}/decline", data={"reason": "冷库故障，无法发货"},
                       follow_redirects=True)
    assert done.status_code == 200
    session.refresh(order)
    session.refresh(m.listing)
    assert order.status == OrderStatus.DECLINED and order.declined_at is not None
    assert m.listing.sold_g == 0  # the stock is back on sale
    buyer = login(m.buyer)
    page = text(buyer.get(f"/orders/{order.id}"))
    assert "已拒绝" in page and "冷库故障，无法发货" in page
    inbox = text(buyer.get("/notices"))
    assert f"订单 #{order.id}" in inbox and "冷库故障，无法发货" in inbox


def test_decline_api_needs_the_producer_and_a_reason(make, login, session):
    m = market(make, session)
    (order,) = orders.checkout(session, m.buyer, m.site.id, _line(m))
    session.commit()

    buyer = login(m.buyer)
    assert buyer.post(f"/api/v1/orders/{order.id}/decline",
                      json={"reason": "x"}).status_code == 403
    farmer = login(m.farmer)
    missing = farmer.post(f"/api/v1/orders/{order.id}/decline", json={"reason": ""})
    assert missing.status_code == 422 and "reason" in missing.get_json()["errors"]
    done = farmer.post(f"/api/v1/orders/{order.id}/decline", json={"reason": "断货"})
    assert done.status_code == 200
    assert (done.get_json()["status"], done.get_json()["decline_reason"]) == ("declined", "断货")
    again = farmer.post(f"/api/v1/orders/{order.id}/decline", json={"reason": "断货"})
    assert again.status_code == 409


def test_only_a_member_of_the_producer_declines(make, session):
    m = market(make, session)
    (order,) = orders.checkout(session, m.buyer, m.site.id, _line(m), MORNING)
    with pytest.raises(PermissionDenied):
        orders.decline(session, make.user(), order, "不想卖")
    with pytest.raises(InvalidInput):
        orders.decline(session, m.farmer, order, "")


def test_each_step_tells_the_other_side(make, login, session):
    m = market(make, session)
    (order,) = orders.checkout(session, m.buyer, m.site.id, _line(m), MORNING)
    orders.checkout(session, m.buyer, m.site.id, _line(m, "20"), MORNING)  # adds to it
    orders.change_line(session, m.buyer, order, m.listing.id, "60", "jin", MORNING)
    for step in (OrderStatus.CONFIRMED, OrderStatus.PACKED, OrderStatus.SHIPPED):
        orders.advance(session, m.farmer, order, step, now=MORNING)
    (second,) = orders.checkout(session, m.buyer, m.site.id, _line(m, "40"), MORNING)
    orders.advance(session, m.buyer, second, OrderStatus.CANCELLED, now=MORNING)
    session.commit()

    assert _kinds(session, m.farmer) == ["order_placed", "order_changed", "order_changed",
                                         "order_placed", "order_cancelled"]
    assert _kinds(session, m.buyer) == ["order_confirmed", "order_dispatched"]
    placed = session.scalar(select(Notice).where(Notice.user_id == m.farmer.id)
                            .order_by(Notice.id))
    assert json.loads(placed.payload)["lines"][0]["grams"] == 50_000
    farmer_inbox = text(login(m.farmer).get("/notices"))
    assert f"新订单 #{order.id}" in farmer_inbox
    buyer_inbox = text(login(m.buyer).get("/notices"))
    assert f"订单 #{order.id} 已发货" in buyer_inbox

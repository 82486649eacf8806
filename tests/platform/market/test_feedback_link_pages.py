"""A delivered order's page leads the buyer to rating it or reporting a problem."""

from __future__ import annotations

import datetime as dt

from freshcircle.platform.core.services.clock import CHINA
from freshcircle.platform.market.services import orders
from freshcircle.platform.models import OrderStatus
from tests.platform.market_helpers import market
from tests.platform.page_helpers import element_html


def test_feedback_link_appears_once_delivered(make, login, session):
    m = market(make, session)
    (order,) = orders.checkout(session, m.buyer, m.site.id, [
        {"listing_id": m.listing.id, "quantity": "100", "unit": "jin"}],
        dt.datetime(2026, 11, 26, 10, 0, tzinfo=CHINA))
    session.commit()
    client = login(m.buyer)
    assert 'id="feedback"' not in client.get(f"/orders/{order.id}").get_data(as_text=True)
    for step in (OrderStatus.CONFIRMED, OrderStatus.PACKED, OrderStatus.SHIPPED,
                 OrderStatus.DELIVERED):
        orders.advance(session, m.farmer, order, step)
    session.commit()

    link = element_html(client.get(f"/orders/{order.id}"), "feedback")

    assert f"/feedback/orders/{order.id}" in link and "评价或反映问题" in link
    assert client.get(f"/feedback/orders/{order.id}").status_code == 200

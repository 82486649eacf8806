"""My orders (buyer): list, detail with ordered and delivered weight, catch-weight total beside
the ordered one, timeline, edits before the cut-off, cancel, confirm received; only one's own."""

from __future__ import annotations

import datetime as dt

from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.market.services import orders
from freshcircle.platform.models import OrderStatus
from tests.platform.market_helpers import buyer_with_site, market
from tests.platform.page_helpers import text


def _order(session, m, quantity="100"):
    (order,) = orders.checkout(session, m.buyer, m.site.id, [
        {"listing_id": m.listing.id, "quantity": quantity, "unit": "jin"}])
    session.commit()
    return order


def test_list_and_detail_show_status_producer_dispatch_and_total(make, login, session):
    m = market(make, session, price="3.50")
    order = _order(session, m)
    client = login(m.buyer)

    shown = text(client.get("/orders"))
    assert f"#{order.id}" in shown and m.listing.producer.name in shown
    assert "已下单" in shown
    total = orders.totals(order).total_fen
    assert f"¥{total / 100:,.2f}" in shown
    detail = text(client.get(f"/orders/{order.id}"))
    assert "100 斤（50 kg）" in detail and "¥3.50/斤" in detail and "¥7.00/kg" in detail
    assert "¥350.00" in detail  # goods
    assert "截单前可以修改或取消订单" in detail


def test_edit_before_the_cut_off_then_cancel_gives_stock_back(make, login, session):
    m = market(make, session)
    order = _order(session, m)
    client = login(m.buyer)

    done = client.post(f"/orders/{order.id}/lines/{m.listing.id}",
                       data={"quantity": "30", "unit": "kg"})
    assert done.status_code == 302
    session.refresh(order)
    assert order.lines[0].quantity_g == 30_000
    refused = client.post(f"/orders/{order.id}/lines/{m.listing.id}",
                          data={"quantity": "5", "unit": "jin"})  # under the minimum
    assert refused.status_code == 302
    assert "起订量" in text(client.get(f"/orders/{order.id}"))
    session.refresh(order)
    assert order.lines[0].quantity_g == 30_000
    client.post(f"/orders/{order.id}/cancel")
    session.refresh(order)
    session.refresh(m.listing)
    assert order.status == OrderStatus.CANCELLED and m.listing.sold_g == 0
    assert "取消订单" not in text(client.get(f"/orders/{order.id}"))


def test_after_the_cut_off_there_is_no_edit_form(make, login, session):
    m = market(make, session)
    order = _order(session, m)
    m.listing.producer.order_cutoff = dt.time(0, 0)
    order.dispatch_date = today_in_china()  # its cut-off was yesterday
    session.commit()
    client = login(m.buyer)
    body = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert "修改数量" not in body
    refused = client.post(f"/orders/{order.id}/lines/{m.listing.id}",
                          data={"quantity": "60", "unit": "jin"})
    assert refused.status_code == 302
    session.refresh(order)
    assert order.lines[0].quantity_g == 50_000


def test_delivered_shows_catch_weight_and_buyer_confirms(make, login, session):
    m = market(make, session, price="4.00")
    order = _order(session, m)
    for status in ("confirmed", "packed", "shipped"):
        orders.advance(session, m.farmer, order, status)
    orders.advance(session, m.farmer, order, "delivered", {order.lines[0].id: 48_500})
    session.commit()
    client = login(m.buyer)

    shown = text(client.get(f"/orders/{order.id}"))
    assert "97 斤（48.5 kg）" in shown  # delivered beside the ordered 100 斤
    assert "¥388.00" in shown  # 97 斤 × ¥4.00
    ordered = orders.ordered_totals(order).total_fen
    assert f"下单金额：¥{ordered / 100:,.2f}" in shown
    assert "按实际送达重量结算" in shown
    assert "已送达" in shown
    client.post(f"/orders/{order.id}/received")
    session.refresh(order)
    assert order.status == OrderStatus.COMPLETED
    assert "已确认收货" in text(client.get(f"/orders/{order.id}"))


def test_a_buyer_sees_only_their_own_orders(make, login, session):
    m = market(make, session)
    order = _order(session, m)
    stranger, _ = buyer_with_site(make, session, name="张买家")
    client = login(stranger)
    assert client.get(f"/orders/{order.id}").status_code == 404
    assert client.post(f"/orders/{order.id}/cancel").status_code == 404
    assert f"#{order.id}" not in text(client.get("/orders"))
    assert login(m.farmer).get("/orders").status_code == 403

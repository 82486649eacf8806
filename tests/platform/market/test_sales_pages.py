"""The producer's order pages: orders by dispatch day, an order's page, its steps to delivery
with the weight per line (catch-weight), refusals and who may see what."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from freshcircle.platform.core.services.clock import CHINA
from freshcircle.platform.core.services.money import format_money
from freshcircle.platform.market.services import orders
from freshcircle.platform.models import Notice, OrderStatus, Role
from tests.platform.market_helpers import market
from tests.platform.page_helpers import element, field_errors, input_value, text

MORNING = dt.datetime(2026, 11, 26, 10, 0, tzinfo=CHINA)


def ordered(make, session, jin="100", price="4.00"):
    m = market(make, session, price=price)
    (order,) = orders.checkout(session, m.buyer, m.site.id,
                               [{"listing_id": m.listing.id, "quantity": jin, "unit": "jin"}],
                               MORNING)
    session.commit()
    return m, order


def test_producer_sees_orders_by_dispatch_day_with_buyer_and_totals(make, session, login):
    m, order = ordered(make, session)
    farmer = login(m.farmer)

    page = farmer.get("/sales")

    assert page.status_code == 200
    assert 'id="nav-sales"' in page.get_data(as_text=True)
    day = element(page, "day-2026-11-27")
    assert "2026年11月27日 发货" in day and f"#{order.id}" in day
    assert "王买家生鲜" in day and "王买家配送中心" in day
    assert "100 斤（50 kg）" in day
    filtered = farmer.get("/sales?day=2026-11-28")
    assert f"#{order.id}" not in text(filtered) and "没有符合条件的订单" in text(filtered)
    assert f"#{order.id}" in text(farmer.get("/sales?status=placed"))
    assert f"#{order.id}" not in text(farmer.get("/sales?status=shipped"))


def test_order_page_shows_lines_in_jin_and_kg_and_prices_both_ways(make, session, login):
    m, order = ordered(make, session, jin="100", price="4.00")
    page = login(m.farmer).get(f"/sales/{order.id}")

    assert page.status_code == 200
    line = element(page, f"line-{order.lines[0].id}")
    assert m.listing.batch.lot_code in line
    assert "订购 100 斤（50 kg）" in line
    assert "¥4.00/斤" in line and "¥8.00/kg" in line
    assert "金额 ¥400.00" in line
    assert "王买家生鲜" in element(page, "buyer")
    assert "王买家配送中心" in element(page, "site")
    assert element(page, "next-step") == "确认订单"
    english = login(m.farmer).get(f"/sales/{order.id}?lang=en")
    assert "CN¥4.00/jin" in text(english) and "CN¥8.00/kg" in text(english)


def test_steps_to_delivery_with_catch_weight_recalculate_the_invoice(make, session, login):
    m, order = ordered(make, session, jin="100", price="4.00")
    farmer = login(m.farmer)
    for step in ("confirmed", "packed", "shipped"):
        response = farmer.post(f"/sales/{order.id}/status", data={"status": step})
        assert response.status_code == 302, text(response)
    page = farmer.get(f"/sales/{order.id}")
    line_id = order.lines[0].id
    assert element(page, "status") == str(orders.order_status_label(OrderStatus.SHIPPED))
    assert input_value(page, f"weight_{line_id}") == "100"  # the ordered weight, in 斤

    done = farmer.post(f"/sales/{order.id}/status", data={
        "status": "delivered", "unit": "kg", f"weight_{line_id}": "48.7"}, follow_redirects=True)

    assert done.status_code == 200
    assert element(done, "status") == str(orders.order_status_label(OrderStatus.DELIVERED))
    assert "实收 97.4 斤（48.7 kg）" in text(done)
    assert element(done, "goods") == "¥389.60"  # 48.7 kg × ¥8.00/kg
    freight = order.freight_fen
    assert element(done, "ordered-total") == format_money(40_000 + freight, "zh")
    assert element(done, "total") == format_money(38_960 + freight, "zh")
    session.expire_all()
    assert order.lines[0].delivered_g == 48_700
    notice = session.scalar(select(Notice).where(Notice.user_id == m.buyer.id,
                                                 Notice.kind == "delivered"))
    assert notice is not None


def test_refusals_say_why_and_change_nothing(make, session, login):
    m, order = ordered(make, session)
    farmer = login(m.farmer)

    twice = farmer.post(f"/sales/{order.id}/status", data={"status": "packed"})

    assert twice.status_code == 409
    assert "不能从" in element(twice, "refusal") or element(twice, "refusal")
    session.expire_all()
    assert order.status == OrderStatus.PLACED
    for step in ("confirmed", "packed", "shipped"):
        farmer.post(f"/sales/{order.id}/status", data={"status": step})
    line_id = order.lines[0].id
    bad = farmer.post(f"/sales/{order.id}/status", data={
        "status": "delivered", "unit": "jin", f"weight_{line_id}": "abc"})
    assert bad.status_code == 422
    assert field_errors(bad, f"weight_{line_id}")
    too_much = farmer.post(f"/sales/{order.id}/status", data={
        "status": "delivered", "unit": "jin", f"weight_{line_id}": "130"})
    assert too_much.status_code == 422
    assert field_errors(too_much, f"weight_{line_id}")  # more than 20% over: a typo
    assert input_value(too_much, f"weight_{line_id}") == "130"
    session.expire_all()
    assert order.status == OrderStatus.SHIPPED and order.lines[0].delivered_g is None


def test_only_the_producers_members_and_admins_see_sales(make, session, login):
    m, order = ordered(make, session)
    other_farmer = make.user()
    make.producer(other_farmer, name="别的合作社")
    admin = make.user(Role.ADMIN)

    assert login(m.buyer).get("/sales").status_code == 403
    assert login(m.buyer).get(f"/sales/{order.id}").status_code == 403
    stranger = login(other_farmer)
    assert stranger.get(f"/sales/{order.id}").status_code == 404
    assert f"#{order.id}" not in text(stranger.get("/sales"))
    assert stranger.post(f"/sales/{order.id}/status",
                         data={"status": "confirmed"}).status_code == 404
    assert stranger.get(f"/sales/{order.id}/invoice.pdf").status_code == 404
    assert login(admin).get(f"/sales/{order.id}").status_code == 200


def test_inbox_words_delivered_and_cutoff_notices(make, session, login):
    m, order = ordered(make, session, jin="100", price="4.00")
    for step in (OrderStatus.CONFIRMED, OrderStatus.PACKED, OrderStatus.SHIPPED):
        orders.advance(session, m.farmer, order, step)
    orders.advance(session, m.farmer, order, OrderStatus.DELIVERED,
                   {order.lines[0].id: 48_700})
    from freshcircle.platform.market.services import cutoffs

    cutoffs.send_due(session, dt.datetime(2026, 11, 26, 16, 5, tzinfo=CHINA))
    session.commit()

    buyer_inbox = text(login(m.buyer).get("/notices"))
    assert f"订单 #{order.id} 已送达" in buyer_inbox
    final, before = orders.totals(order).total_fen, orders.ordered_totals(order).total_fen
    assert final == before - 1_040  # 1.3 kg less at ¥8.00/kg; freight stays
    assert format_money(final, "zh") in buyer_inbox and format_money(before, "zh") in buyer_inbox
    assert "订购 100 斤（50 kg），实收 97.4 斤（48.7 kg）" in buyer_inbox
    english = text(login(m.buyer).get("/notices?lang=en"))
    assert format_money(final, "en") in english and format_money(final, "en").startswith("CN¥")
    farmer_inbox = login(m.farmer).get("/notices")
    assert "已截单：请为 2026年11月27日 发货备货" in text(farmer_inbox)
    assert m.listing.batch.lot_code in text(farmer_inbox)
    assert "/sales?day=2026-11-27" in farmer_inbox.get_data(as_text=True)

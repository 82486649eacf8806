"""Every role lands on a real page: the buyer's home shows open orders, unread notices and the
market; every navigation link of every role opens; 通知 shows the unread count."""

from __future__ import annotations

import datetime as dt
import json
import re

from freshcircle.platform.core.services.clock import CHINA
from freshcircle.platform.market.services import orders
from freshcircle.platform.models import MemberRole, Membership, Notice, OrderStatus, Role
from tests.platform.market_helpers import buyer_with_site, market
from tests.platform.page_helpers import text

PLACEHOLDER = ("还在建设中", "not ready yet")
NAV = re.compile(r'<nav class="mainnav"[^>]*>(.*?)</nav>', re.S)


def _nav_hrefs(response) -> list[str]:
    (nav,) = NAV.findall(response.get_data(as_text=True))
    return re.findall(r'href="([^"]+)"', nav)


def _notice(session, user, lot="FY260101-341222-001"):
    payload = {"lot": lot, "product_zh": "菠菜", "product_en": "Spinach", "producer": "测试合作社",
               "reason": "农残超标", "lots": [lot], "shipments": [], "orders": []}
    session.add(Notice(user_id=user.id, kind="recalled", subject=lot,
                       payload=json.dumps(payload, ensure_ascii=False)))
    session.commit()


def test_buyer_home_shows_open_orders_unread_notices_and_the_market(make, login, session):
    m = market(make, session)
    (order,) = orders.checkout(session, m.buyer, m.site.id, [
        {"listing_id": m.listing.id, "quantity": "100", "unit": "jin"}],
        dt.datetime(2026, 11, 26, 10, 0, tzinfo=CHINA))
    session.commit()
    _notice(session, m.buyer)
    client = login(m.buyer)

    response = client.get("/")

    assert response.status_code == 200
    page = text(response)
    assert not any(p in page for p in PLACEHOLDER), page
    body = response.get_data(as_text=True)
    assert f'href="/orders/{order.id}"' in body, "each open order links to its page"
    assert "1 条未读通知" in page and "召回" in page
    assert 'action="/market"' in body and m.listing.batch.product.name_zh in page


def test_buyer_home_names_each_order_notice(make, login, session):
    """An order's confirmation was listed on the buyer's home as a bare 新通知."""
    m = market(make, session)
    (order,) = orders.checkout(session, m.buyer, m.site.id, [
        {"listing_id": m.listing.id, "quantity": "100", "unit": "jin"}],
        dt.datetime(2026, 11, 26, 10, 0, tzinfo=CHINA))
    orders.advance(session, m.farmer, order, OrderStatus.CONFIRMED)
    session.commit()

    page = text(login(m.buyer).get("/"))

    assert f"订单 #{order.id} 已由" in page and "确认" in page
    assert "新通知" not in page


def test_every_role_follows_every_nav_link_without_a_placeholder(make, login, session):
    farmer = make.user(Role.FARMER, name="农户")
    coop_admin = make.user(Role.COOP_ADMIN, name="社长")
    manager = make.user(Role.FARMER, name="合作社管理员")
    producer = make.producer(coop_admin, farmer)
    session.add(Membership(user=manager, producer=producer, role=MemberRole.MANAGER))
    session.commit()
    make.new_place(producer=producer)  # the co-op's cold store: its fleet and dispatch pages
    buyer, _site = buyer_with_site(make, session)
    session.commit()
    users = [farmer, coop_admin, manager, buyer, make.user(Role.CARRIER, name="司机"),
             make.user(Role.INSPECTOR, name="检查员"), make.user(Role.ADMIN, name="管理员")]
    for user in users:
        client = login(user)
        home = client.get("/", follow_redirects=True)
        assert home.status_code == 200, user.role
        hrefs = _nav_hrefs(home)
        assert hrefs, user.role
        for href in hrefs:
            response = client.get(href, follow_redirects=True)
            assert response.status_code == 200, (user.role, href, response.status_code)
            page = text(response)
            assert not any(p in page for p in PLACEHOLDER), (user.role, href)


def test_nav_shows_the_unread_notice_count(make, login, session):
    buyer = make.user(Role.BUYER)
    _notice(session, buyer)
    _notice(session, buyer, "FY260101-341222-002")
    client = login(buyer)

    body = client.get("/notices").get_data(as_text=True)
    (link,) = re.findall(r'<a id="nav-notices"[^>]*>.*?</a>', body, re.S)
    assert 'aria-label="通知（2 条未读）"' in link and "2" in re.sub(r"<[^>]+>", "", link)

    client.post("/notices/read")
    body = client.get("/notices").get_data(as_text=True)
    (link,) = re.findall(r'<a id="nav-notices"[^>]*>.*?</a>', body, re.S)
    assert "未读" not in link

"""The buyer's market pages: search, cards with 元/斤 and 元/kg, the listing page, languages."""

from __future__ import annotations

import re

from freshcircle.platform.core.services.money import format_money
from freshcircle.platform.models import BuyerProfile, ListingStatus, PlaceKind, Role
from freshcircle.platform.models import TestResult as Result
from tests.platform.market.test_listing_search import listed
from tests.platform.page_helpers import text


def buyer_client(make, login, session, with_site=False):
    buyer = make.user(Role.BUYER)
    if with_site:
        site = make.new_place(name_zh="上海浦东门店", kind=PlaceKind.BUYER_SITE,
                              latitude="31.22", longitude="121.54")
        site.buyer_id = buyer.id
        session.add(BuyerProfile(user_id=buyer.id, company="上海鲜菜", default_site_id=site.id))
        session.commit()
    return login(buyer)


def test_money_formats():
    assert format_money(123_450, "zh") == "¥1,234.50"
    assert format_money(123_450, "en") == "CN¥1,234.50"


def test_buyer_searches_garlic_and_sees_both_prices(make, login, session):
    garlic = listed(make, session, price="3.50", specification="10斤/箱", certified=True)
    listed(make, session, "Spinach")
    client = buyer_client(make, login, session)
    page = client.get("/market?q=大蒜")
    assert page.status_code == 200
    shown = text(page)
    assert "¥3.50/" in shown and "¥7.00/kg" in shown
    assert "10斤/箱" in shown and "一级" in shown and "太和县" in shown
    assert f'/market/listings/{garlic.id}?back=q%3D' in page.get_data(as_text=True)
    assert page.get_data(as_text=True).count('class="listing"') == 1
    assert 'id="nav-market"' in page.get_data(as_text=True)


def test_english_switch(make, login, session):
    listed(make, session, price="1234.50")
    client = buyer_client(make, login, session)
    client.get("/lang/en")
    shown = text(client.get("/market"))
    assert "CN¥1,234.50/jin" in shown and "CN¥2,469.00/kg" in shown
    assert "Minimum order" in shown


def test_next_page_link_walks_every_listing_once(make, login, session):
    made = {listed(make, session, price=f"{2 + i}.00").id for i in range(25)}
    client = buyer_client(make, login, session)
    seen, url = [], "/market?sort=price"
    while url:
        body = client.get(url).get_data(as_text=True)
        seen += [int(i) for i in re.findall(r'href="/market/listings/(\d+)[?"]', body)]
        found = re.search(r'href="([^"]+)" id="next-page"', body)
        url = found.group(1).replace("&amp;", "&") if found else None
    assert sorted(seen) == sorted(made)


def test_bad_filter_is_422_with_message(make, login, session):
    client = buyer_client(make, login, session)
    response = client.get("/market?price_min=abc")
    assert response.status_code == 422
    response = client.get("/market?cursor=garbage")
    assert response.status_code == 422


def test_listing_page_has_tests_certificate_trace_and_cart(make, login, session):
    garlic = listed(make, session)
    make.residue_test(garlic.batch, result=Result.PASS, measured_values="抑制率 12%")
    client = buyer_client(make, login, session, with_site=True)
    page = client.get(f"/market/listings/{garlic.id}")
    assert page.status_code == 200, text(page)
    body = page.get_data(as_text=True)
    assert "抑制率 12%" in text(page)
    assert 'id="certificate-link"' in body and 'id="trace-link"' in body
    assert re.search(r'id="trace-link" href="/01/\d{14}/10/', body)  # example domain: local
    assert 'id="add-to-cart"' in body and 'name="listing_id"' in body
    assert "上海浦东门店" in text(page)
    pdf = client.get(f"/market/listings/{garlic.id}/certificate.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_paused_listing_is_not_found_for_buyers_but_shown_to_its_producer(make, login,
                                                                           session):
    garlic = listed(make, session)
    garlic.status = ListingStatus.PAUSED
    session.commit()
    client = buyer_client(make, login, session)
    assert client.get(f"/market/listings/{garlic.id}").status_code == 404
    assert str(garlic.id) not in re.findall(r"/market/listings/(\d+)",
                                            client.get("/market").get_data(as_text=True))


def test_carrier_cannot_browse(make, login):
    assert login(make.user(Role.CARRIER)).get("/market").status_code == 403

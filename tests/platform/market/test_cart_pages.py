"""The buyer's cart on the pages and the API: add (adds up), change in 斤 or kg, remove, prices
per 斤 and per kg, the checkout preview per producer, checkout, and a lost race."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from freshcircle.platform.market.services import listings
from freshcircle.platform.models import CartLine, Order, Role
from tests.platform.market_helpers import buyer_with_site, market
from tests.platform.page_helpers import text


def _add(client, m, quantity="100", unit="jin"):
    return client.post("/cart/add", data={"listing_id": m.listing.id, "quantity": quantity,
                                          "unit": unit},
                       headers={"Referer": f"http://localhost/market/listings/{m.listing.id}"})


def _lines(session, buyer):
    return {line.listing_id: line.quantity_g for line in
            session.scalars(select(CartLine).where(CartLine.buyer_id == buyer.id))}


def test_add_from_a_listing_adds_up_and_goes_back_with_a_note(make, login, session):
    m = market(make, session, price="3.50")
    client = login(m.buyer)

    first = _add(client, m, "100")
    assert first.status_code == 302
    assert first.headers["Location"].endswith(f"/market/listings/{m.listing.id}")
    _add(client, m, "10", "kg")
    assert _lines(session, m.buyer) == {m.listing.id: 60_000}  # 100 斤 + 10 kg
    page = client.get("/cart")
    shown = text(page)
    assert "120 斤（60 kg）" in shown
    assert "¥3.50/斤" in shown and "¥7.00/kg" in shown
    assert "¥420.00" in shown  # 120 斤 × ¥3.50


def test_bad_quantities_and_listings_write_nothing(make, login, session):
    m = market(make, session)
    client = login(m.buyer)
    for quantity in ("", "-5", "abc", "0.0001"):
        assert _add(client, m, quantity).status_code == 302
    assert client.post("/cart/add", data={"listing_id": 999_999, "quantity": "5",
                                           "unit": "jin"}).status_code == 302
    assert _lines(session, m.buyer) == {}
    farmer_client = login(m.farmer)
    assert _add(farmer_client, m).status_code == 403


def test_change_in_kg_remove_and_warnings(make, login, session):
    m = market(make, session, offered="100", min_order="20")
    client = login(m.buyer)
    _add(client, m, "30")

    client.post(f"/cart/lines/{m.listing.id}", data={"quantity": "１５", "unit": "kg"})
    assert _lines(session, m.buyer) == {m.listing.id: 15_000}
    client.post(f"/cart/lines/{m.listing.id}", data={"quantity": "５", "unit": "kg"})
    assert _lines(session, m.buyer) == {m.listing.id: 15_000}  # under the minimum: refused
    assert "起订量为 20 斤" in text(client.get("/cart"))
    # Others order after it was put in the cart: the line warns before checkout.
    m.listing.offered_g = 0
    session.commit()
    assert "只剩 0 斤" in text(client.get("/cart"))
    client.post(f"/cart/lines/{m.listing.id}/remove")
    assert _lines(session, m.buyer) == {}
    assert client.post("/cart/lines/999999/remove").status_code == 404


def test_preview_per_producer_and_checkout_clears_the_cart(make, login, session):
    m = market(make, session, price="3.50")
    other = market(make, session, price="2.00")
    client = login(m.buyer)
    _add(client, m, "100")
    client.post("/cart/add", data={"listing_id": other.listing.id, "quantity": "50",
                                   "unit": "kg"})

    page = client.get("/cart")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'id="preview-{m.listing.producer_id}"' in body
    assert f'id="preview-{other.listing.producer_id}"' in body
    shown = text(page)
    assert "发货" in shown and "运费" in shown and "截单" in shown
    assert "¥350.00" in shown and "¥200.00" in shown  # goods per producer

    done = client.post("/cart/checkout", data={"site_id": m.site.id})
    assert done.status_code == 302 and done.headers["Location"].endswith("/orders")
    placed = session.scalars(select(Order).where(Order.buyer_id == m.buyer.id)).all()
    assert sorted(o.producer_id for o in placed) == sorted(
        [m.listing.producer_id, other.listing.producer_id])
    assert _lines(session, m.buyer) == {}
    session.refresh(m.listing)
    assert m.listing.sold_g == 50_000


def test_after_the_cut_off_the_cart_says_when_it_ships(make, login, session):
    m = market(make, session)
    m.listing.producer.order_cutoff = dt.time(0, 0)  # today's cut-off has passed
    session.commit()
    client = login(m.buyer)
    _add(client, m, "100")
    shown = text(client.get("/cart"))
    assert "已过截单时间" in shown
    m.listing.producer.order_cutoff = dt.time(23, 59, 59)
    session.commit()
    assert "已过截单时间" not in text(client.get("/cart"))


def test_a_lost_race_keeps_the_cart_and_writes_nothing(make, login, session):
    m = market(make, session, offered="100", min_order="20")
    client = login(m.buyer)
    _add(client, m, "80")
    rival, rival_site = buyer_with_site(make, session, name="李买家")
    from freshcircle.platform.market.services import orders

    orders.checkout(session, rival, rival_site.id,
                    [{"listing_id": m.listing.id, "quantity": "50", "unit": "jin"}])
    session.commit()

    lost = client.post("/cart/checkout", data={"site_id": m.site.id})
    assert lost.status_code == 409
    shown = text(lost)
    assert "25 kg" in shown  # what is left, in the message
    assert "50 斤（25 kg）" in shown  # and on the line
    assert _lines(session, m.buyer) == {m.listing.id: 40_000}
    assert session.scalar(select(func.count()).select_from(Order)
                          .where(Order.buyer_id == m.buyer.id)) == 0
    session.refresh(m.listing)
    assert m.listing.sold_g == 25_000


def test_checkout_needs_one_of_the_buyers_own_sites(make, login, session):
    m = market(make, session)
    _, stranger_site = buyer_with_site(make, session, name="别人")
    client = login(m.buyer)
    _add(client, m, "100")
    refused = client.post("/cart/checkout", data={"site_id": stranger_site.id})
    assert refused.status_code == 422
    assert _lines(session, m.buyer) == {m.listing.id: 50_000}


def test_cart_api(make, login, session):
    m = market(make, session, price="3.50", tiers=[{"min_quantity": "200", "price": "3.20"}])
    client = login(m.buyer)

    added = client.post("/api/v1/cart/lines", json={"listing_id": m.listing.id,
                                                    "quantity": "100", "unit": "jin"})
    assert added.status_code == 201, added.get_json()
    client.post("/api/v1/cart/lines", json={"listing_id": m.listing.id, "quantity": "50",
                                            "unit": "kg"})
    (line,) = client.get("/api/v1/cart").get_json()["lines"]
    assert line["quantity_g"] == 100_000
    assert (line["price_fen_per_jin"], line["price_fen_per_kg"]) == (320, 640)  # the tier
    assert line["amount_fen"] == 64_000
    changed = client.put(f"/api/v1/cart/lines/{m.listing.id}",
                         json={"quantity": "10", "unit": "jin"})
    assert changed.status_code == 422  # under the 20 斤 minimum
    assert "quantity" in changed.get_json()["errors"]
    bad = client.post("/api/v1/cart/lines", json={"listing_id": m.listing.id,
                                                  "quantity": "-1", "unit": "jin"})
    assert bad.status_code == 422 and "quantity" in bad.get_json()["errors"]
    assert client.delete(f"/api/v1/cart/lines/{m.listing.id}").status_code == 204
    assert client.get("/api/v1/cart").get_json()["lines"] == []
    assert client.delete(f"/api/v1/cart/lines/{m.listing.id}").status_code == 404
    farmer = login(m.farmer)
    assert farmer.get("/api/v1/cart").status_code == 403


def test_a_paused_listing_stays_in_the_cart_but_is_not_ordered(make, login, session):
    m = market(make, session)
    other = market(make, session)
    client = login(m.buyer)
    _add(client, m, "100")
    _add(client, other, "100")
    listings.set_status(session, other.farmer, other.listing, "paused")
    session.commit()
    assert "不在售" in text(client.get("/cart")) or "not on sale" in text(
        client.get("/cart")).lower()
    assert client.post("/cart/checkout", data={"site_id": m.site.id}).status_code == 302
    assert _lines(session, m.buyer) == {other.listing.id: 50_000}
    assert make.user(Role.BUYER)  # a fresh buyer's empty cart renders


def test_the_cart_in_english(make, login, session):
    m = market(make, session, price="3.50")
    client = login(m.buyer)
    _add(client, m, "100")
    client.get("/lang/en")
    shown = text(client.get("/cart"))
    assert "CN¥3.50/jin" in shown and "CN¥7.00/kg" in shown
    assert "100 jin (50 kg)" in shown and "Freight cost" in shown


# --- issue 13: the cart checks minimum, step and stock when a quantity is added or changed ---

def _flashes(client):
    page = client.get("/cart")
    return text(page), page


def test_below_the_minimum_is_refused_when_added_in_jin(make, login, session):
    m = market(make, session, offered="100", min_order="20")
    client = login(m.buyer)

    _add(client, m, "10")

    assert _lines(session, m.buyer) == {}
    shown, _ = _flashes(client)
    assert "起订量为 20 斤" in shown and "10 斤" in shown


def test_more_than_in_stock_is_refused_without_blaming_others(make, login, session):
    m = market(make, session, quantity_g=5_000_000, offered="6400", min_order="20")
    client = login(m.buyer)

    _add(client, m, "10000")

    assert _lines(session, m.buyer) == {}
    shown, page = _flashes(client)
    assert "只剩 6,400 斤" in shown
    assert "其他买家" not in shown and "他人" not in shown
    assert 'class="flash flash-error"' in page.get_data(as_text=True)


def test_others_are_named_only_when_their_order_took_the_stock(make, login, session):
    m = market(make, session, offered="100", min_order="20")
    rival, rival_site = buyer_with_site(make, session, name="李买家")
    from freshcircle.platform.market.services import orders

    orders.checkout(session, rival, rival_site.id,
                    [{"listing_id": m.listing.id, "quantity": "60", "unit": "jin"}])
    session.commit()
    client = login(m.buyer)

    _add(client, m, "80")

    assert _lines(session, m.buyer) == {}
    shown, _ = _flashes(client)
    assert "只剩 40 斤" in shown and "其他买家已订购其余部分" in shown


def test_changing_a_line_checks_minimum_step_and_stock(make, login, session):
    m = market(make, session, offered="100", min_order="20")
    client = login(m.buyer)
    _add(client, m, "30")

    for quantity, unit in (("5", "kg"), ("30.5", "jin"), ("60", "kg")):
        client.post(f"/cart/lines/{m.listing.id}", data={"quantity": quantity, "unit": unit})
        assert _lines(session, m.buyer) == {m.listing.id: 15_000}, quantity
    shown, _ = _flashes(client)
    assert "只剩 100 斤" in shown


def test_cart_api_refuses_what_cannot_be_ordered(make, login, session):
    m = market(make, session, offered="100", min_order="20")
    client = login(m.buyer)

    small = client.post("/api/v1/cart/lines", json={"listing_id": m.listing.id,
                                                    "quantity": "10", "unit": "jin"})
    big = client.post("/api/v1/cart/lines", json={"listing_id": m.listing.id,
                                                  "quantity": "101", "unit": "jin"})

    assert small.status_code == 422 and "quantity" in small.get_json()["errors"]
    assert big.status_code == 422 and "quantity" in big.get_json()["errors"]
    assert client.get("/api/v1/cart").get_json()["lines"] == []


def test_checkout_short_of_an_offer_cut_by_its_producer_does_not_blame_others(
        make, login, session):
    m = market(make, session, offered="100", min_order="20")
    client = login(m.buyer)
    _add(client, m, "80")
    m.listing.offered_g = 30_000  # the producer took the offer down to 60 斤
    session.commit()

    lost = client.post("/cart/checkout", data={"site_id": m.site.id})

    assert lost.status_code == 409
    shown = text(lost)
    assert "只剩 60 斤" in shown
    assert "其他买家" not in shown and "他人" not in shown


def test_a_later_dispatch_day_is_information_not_an_error(make, login, session):
    m = market(make, session)
    m.listing.producer.order_cutoff = dt.time(0, 0)
    session.commit()
    client = login(m.buyer)
    _add(client, m, "100")
    html = client.get("/cart").get_data(as_text=True)
    assert 'class="info-note cutoff-passed"' in html

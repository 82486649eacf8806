"""The orders API: preview, checkout, a lost race's 409, edits, status with catch-weight, and
who sees which orders."""

from __future__ import annotations

from freshcircle.platform.models import Role
from tests.platform.market_helpers import buyer_with_site, market


def _body(m, quantity, unit="jin"):
    return {"site_id": m.site.id,
            "lines": [{"listing_id": m.listing.id, "quantity": quantity, "unit": unit}]}


def test_buyer_previews_then_orders_and_sees_the_order(make, login, session):
    m = market(make, session, price="3.50")
    client = login(m.buyer)

    (preview,) = client.post("/api/v1/orders/preview", json=_body(m, "100")).json
    response = client.post("/api/v1/orders", json=_body(m, "100"))

    assert response.status_code == 201, response.json
    (order,) = response.json
    assert order["dispatch_date"] == preview["dispatch_date"]
    assert order["goods_fen"] == preview["goods_fen"] == 35_000
    assert order["freight_fen"] == preview["freight_fen"]
    assert order["lines"][0]["price_fen_per_kg"] == 700
    assert order["total"].startswith("¥")
    assert [o["id"] for o in client.get("/api/v1/orders").json] == [order["id"]]


def test_a_lost_race_is_a_409_naming_what_is_left_and_writes_nothing(make, login, session):
    m = market(make, session, offered="30", min_order="10")
    client = login(m.buyer)

    response = client.post("/api/v1/orders", json=_body(m, "40"),
                           headers={"Accept-Language": "en"})

    assert response.status_code == 409
    assert response.json["errors"]["lines.0"] == {"left_g": 15_000}
    assert "30\u00a0jin left" in response.json["message"]  # in the listing's unit, 斤
    assert client.get("/api/v1/orders").json == []
    bad = client.post("/api/v1/orders", json={"site_id": m.site.id, "lines": []})
    assert bad.status_code == 422 and "lines" in bad.json["errors"]


def test_producer_delivers_with_catch_weight_and_buyer_sees_the_new_total(make, login, session):
    m = market(make, session, price="4.00")
    buyer, farmer = login(m.buyer), login(m.farmer)
    (order,) = buyer.post("/api/v1/orders", json=_body(m, "100")).json
    for status in ("confirmed", "packed", "shipped"):
        assert farmer.post(f"/api/v1/orders/{order['id']}/status",
                           json={"status": status}).status_code == 200
    line = order["lines"][0]["id"]

    delivered = farmer.post(f"/api/v1/orders/{order['id']}/status",
                            json={"status": "delivered", "delivered": {str(line): 48_000}})

    assert delivered.status_code == 200, delivered.json
    seen = buyer.get(f"/api/v1/orders/{order['id']}").json
    assert seen["goods_fen"] == 38_400 and seen["ordered_total_fen"] - seen["freight_fen"] \
        == 40_000
    assert buyer.post(f"/api/v1/orders/{order['id']}/status",
                      json={"status": "confirmed"}).status_code == 403


def test_other_buyers_and_producers_cannot_see_an_order(make, login, session):
    m = market(make, session)
    (order,) = login(m.buyer).post("/api/v1/orders", json=_body(m, "100")).json
    other_buyer, _ = buyer_with_site(make, session, "李买家")
    other_farmer = make.user()
    make.producer(other_farmer)

    for user in (other_buyer, other_farmer):
        client = login(user)
        assert client.get(f"/api/v1/orders/{order['id']}").status_code == 404
        assert client.get("/api/v1/orders").json == []
    carrier = login(make.user(Role.CARRIER))
    assert carrier.get("/api/v1/orders").status_code == 403
    assert login(m.farmer).post("/api/v1/orders", json=_body(m, "40")).status_code == 403

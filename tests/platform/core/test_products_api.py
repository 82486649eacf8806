"""The product catalog through the API: every signed-in user may browse it."""

from __future__ import annotations

import json

from freshcircle.platform.models import Role


def test_any_signed_in_user_lists_the_catalog_with_pagination(make, login):
    buyer = make.user(Role.BUYER)

    response = login(buyer).get("/api/v1/products?page_size=5")

    assert response.status_code == 200
    assert len(response.json) == 5
    pagination = json.loads(response.headers["X-Pagination"])
    assert pagination["total"] > 20
    assert pagination["page"] == 1
    assert pagination["next_page"] == 2
    names = [p["name_en"] for p in response.json]
    assert names == sorted(names)


def test_filters_by_category_class_and_name(make, login):
    client = login(make.user(Role.CARRIER))

    leafy = client.get("/api/v1/products?category=leafy_vegetable&page_size=100").json
    assert leafy and {p["category"] for p in leafy} == {"leafy_vegetable"}

    chilled = client.get("/api/v1/products?temp_class=chilled&page_size=100").json
    assert chilled and all(p["temp_class"].startswith("chilled_") for p in chilled)
    exact = client.get("/api/v1/products?temp_class=chilled_0_2&page_size=100").json
    assert exact and {p["temp_class"] for p in exact} == {"chilled_0_2"}

    spinach_zh = client.get("/api/v1/products?q=菠菜").json
    spinach_en = client.get("/api/v1/products?q=spinach").json
    assert [p["name_en"] for p in spinach_zh] == ["Spinach"]
    assert spinach_en == spinach_zh
    assert client.get("/api/v1/products?q=%25").json == []  # a LIKE wildcard is just a character


def test_one_product_with_storage_data(make, login):
    spinach = make.product("Spinach")

    body = login(make.user()).get(f"/api/v1/products/{spinach.id}").json

    assert body["name_zh"] == "菠菜"
    assert body["temp_min_c"] == "0.0"
    assert body["ethylene_sensitive"] is True
    assert body["storage_life_days"] == 10


def test_unknown_product_is_404_and_anonymous_401(make, login, client):
    assert login(make.user()).get("/api/v1/products/999999").status_code == 404
    response = client.get("/api/v1/products")
    assert response.status_code == 401
    assert response.json["message"]

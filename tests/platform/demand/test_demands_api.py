"""Standing demand (求购) API: a buyer posts, producers who can supply are matched, told and
quote through 询价/报价; bad input writes nothing; strangers are refused."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from freshcircle.platform.models import Notice, StandingDemand, StandingDemandMatch
from tests.platform.demand.helpers import (
    HEFEI,
    NEXT_MONDAY,
    URUMQI,
    body,
    buyer,
    grower,
    lister,
)

ZH = {"Accept-Language": "zh-CN"}
EN = {"Accept-Language": "en"}


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def _notices(session, user) -> list[Notice]:
    return list(session.scalars(select(Notice).where(Notice.user_id == user.id)))


def test_bad_fields_are_named_in_both_languages_and_nothing_is_written(make, session, login):
    customer, site = buyer(make, session)
    _, other_site = buyer(make, session, name="李买家")
    grower(make, "近郊合作社")
    client = login(customer)
    bad = body(make.product(), other_site, quantity="0",
               first_week=(NEXT_MONDAY - dt.timedelta(weeks=2)).isoformat(),
               last_week=(NEXT_MONDAY - dt.timedelta(weeks=3)).isoformat(),
               min_shelf_life_days=99, price="-1")

    zh = client.post("/api/v1/demands", json=bad, headers=ZH)
    en = client.post("/api/v1/demands", json=bad, headers=EN)

    assert zh.status_code == en.status_code == 422
    fields = zh.json["errors"]
    assert set(fields) == {"quantity", "first_week", "last_week", "site_id", "price",
                           "min_shelf_life_days"}
    assert fields["site_id"] == ["请选择您的一个收货地点。"]
    assert "past" in en.json["errors"]["first_week"][0]
    assert "10 days" in en.json["errors"]["min_shelf_life_days"][0]  # spinach's life
    unknown = client.post("/api/v1/demands", json=body(make.product(), site, product_id=99999))
    assert unknown.status_code == 422 and "product_id" in unknown.json["errors"]
    assert _count(session, StandingDemand) == 0 and _count(session, StandingDemandMatch) == 0
    assert _count(session, Notice) == 0


def test_matches_growers_in_reach_ranked_and_tells_only_them(make, session, login):
    customer, site = buyer(make, session)
    _big, big_people = grower(make, "大户合作社", area_mu="4", members=2)
    _small, small_people = grower(make, "小户农场", area_mu="1")
    _near, near_people = grower(make, "合肥农场", HEFEI, area_mu="1")
    _far, far_people = grower(make, "乌鲁木齐农场", URUMQI, area_mu="10")  # too far for 8 days
    _celery, celery_people = grower(make, "芹菜社", product="Celery", area_mu="10")
    client = login(customer)

    posted = client.post("/api/v1/demands", json=body(make.product(), site,
                                                      quantity="5000"), headers=ZH)

    assert posted.status_code == 201, posted.json
    demand = posted.json
    names = [m["producer"]["name"] for m in demand["matches"]]
    # More supply first; of two with the same supply, the nearer.
    assert names == ["大户合作社", "合肥农场", "小户农场"]
    assert [m["rank"] for m in demand["matches"]] == [1, 2, 3]
    first = demand["matches"][0]["reasons"]
    planting = next(r for r in first if r["kind"] == "planting")
    transit = next(r for r in first if r["kind"] == "transit")
    assert planting["area_mu"] == 4 and planting["jin"] == 12000
    assert transit["life_days"] >= 8 and transit["min_days"] == 8 and 600 < transit["km"] < 900
    assert demand["price_fen_per_jin"] is None and demand["quantity_g_per_week"] == 2_500_000
    for person in (*big_people, *small_people, *near_people):
        (notice,) = _notices(session, person)
        assert notice.kind == "demand_match" and f"#{demand['id']}" == notice.subject
    for person in (*far_people, *celery_people, customer):
        assert _notices(session, person) == []
    # 重新匹配 tells nobody twice.
    again = client.post(f"/api/v1/demands/{demand['id']}/rematch")
    assert again.status_code == 200 and len(again.json["matches"]) == 3
    assert len(_notices(session, big_people[0])) == 1


def test_a_matched_producer_quotes_and_the_buyer_sees_and_accepts(make, session, login):
    customer, site = buyer(make, session)
    producer, (farmer,) = grower(make, "大户合作社")
    listing = lister(make, session, producer, farmer)
    session.commit()
    posted = login(customer).post("/api/v1/demands",
                                  json=body(make.product(), site, price="3.20", grade="一级"))
    demand_id = posted.json["id"]
    assert posted.json["price_fen_per_jin"] == 320 and posted.json["grade"] == "一级"
    seller = login(farmer)

    mine = seller.get("/api/v1/demands").json
    assert [d["id"] for d in mine] == [demand_id]
    request = seller.post(f"/api/v1/demands/{demand_id}/quote-request")
    assert request.status_code == 201, request.json
    assert request.json["quantity_g"] == 500_000
    assert request.json["delivery_date"] == NEXT_MONDAY.isoformat()
    same = seller.post(f"/api/v1/demands/{demand_id}/quote-request")
    assert same.json["id"] == request.json["id"]  # one 询价 per demand while it is open
    quote = seller.post(f"/api/v1/quote-requests/{request.json['id']}/quotes", json={
        "listing_id": listing.id, "price": "3.10", "unit": "jin", "freight": "80",
        "valid_until": (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).isoformat()})
    assert quote.status_code == 201, quote.json

    shown = login(customer).get(f"/api/v1/demands/{demand_id}").json
    assert [q["price_fen_per_jin"] for q in shown["quotes"]] == [310]
    assert shown["quote_request_id"] == request.json["id"]
    accepted = login(customer).post(f"/api/v1/quotes/{quote.json['id']}/accept")
    assert accepted.status_code in (200, 201), accepted.json


def test_strangers_get_404_and_only_the_buyer_rematches(make, session, login):
    customer, site = buyer(make, session)
    other, _ = buyer(make, session, name="李买家")
    _producer, (farmer,) = grower(make, "大户合作社")
    _outsider, (stranger,) = grower(make, "芹菜社", product="Celery")
    demand_id = login(customer).post("/api/v1/demands",
                                     json=body(make.product(), site)).json["id"]
    url = f"/api/v1/demands/{demand_id}"

    assert login(other).get(url).status_code == 404
    assert login(stranger).get(url).status_code == 404
    assert login(stranger).get("/api/v1/demands").json == []
    assert login(other).get("/api/v1/demands").json == []
    seller = login(farmer)
    assert seller.get(url).status_code == 200
    assert seller.post(f"{url}/rematch").status_code == 403
    assert seller.post(f"{url}/close").status_code == 403
    # Matched by its planting, with nothing listed: it cannot quote yet (409), nothing made.
    refused = seller.post(f"{url}/quote-request")
    assert refused.status_code == 409
    assert login(customer).post(f"{url}/quote-request").status_code == 403
    assert login(customer).post(f"{url}/close").json["status"] == "closed"


def test_the_demands_quote_request_is_seen_by_matched_producers_only(make, session, login):
    customer, site = buyer(make, session)
    producer, (farmer,) = grower(make, "大户合作社")
    lister(make, session, producer, farmer)
    far, (far_farmer,) = grower(make, "乌鲁木齐农场", URUMQI)  # sells spinach, too far
    lister(make, session, far, far_farmer)
    session.commit()
    demand_id = login(customer).post("/api/v1/demands",
                                     json=body(make.product(), site)).json["id"]
    request_id = login(farmer).post(f"/api/v1/demands/{demand_id}/quote-request").json["id"]

    assert request_id in [r["id"] for r in login(farmer).get("/api/v1/quote-requests").json]
    stranger = login(far_farmer)
    assert request_id not in [r["id"] for r in stranger.get("/api/v1/quote-requests").json]
    assert stranger.get(f"/api/v1/quote-requests/{request_id}").status_code == 404
    assert stranger.get(f"/api/v1/demands/{demand_id}").status_code == 404
    assert login(customer).get(f"/api/v1/quote-requests/{request_id}").status_code == 200

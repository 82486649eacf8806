"""EPCIS 2.0 named queries and subscriptions (REST binding `/queries`), the API: parameters
checked as /events checks them (400, nothing stored), each user's own queries, paging, a buyer's
query seeing its bought lots only, subscriptions refused field by field (nothing stored), and
schedules. Deliveries to a real webhook: test_epcis_subscription_delivery.py."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from freshcircle.platform.ledger.services.epcis_schedule import next_run
from freshcircle.platform.models import (
    EpcisNamedQuery,
    EpcisSubscription,
    Order,
    OrderLine,
    OrderStatus,
    Role,
)
from tests.platform.epcis_helpers import CST, lot_document
from tests.platform.market_helpers import market

QUERIES = "/api/v1/epcis/queries"


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_a_parameter_events_would_refuse_is_400_and_nothing_is_stored(make, login, session):
    client = login(make.user(Role.INSPECTOR))
    response = client.post(QUERIES, json={"name": "bad", "query": {
        "EQ_bizStep": ["shipping"], "EQ_colour": "red", "GE_eventTime": "yesterday"}})
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    problem = response.json
    assert problem["type"] == "epcisException:QueryParameterException"
    assert set(problem["errors"]) == {"EQ_colour", "GE_eventTime"}
    paging = client.post(QUERIES, json={"name": "paged", "query": {"perPage": "5"}})
    assert paging.status_code == 400 and "perPage" in paging.json["errors"]
    assert _count(session, EpcisNamedQuery) == 0
    assert client.get(QUERIES).json == []


def test_queries_are_their_owners_alone(make, login):
    inspector, other = make.user(Role.INSPECTOR), make.user(Role.ADMIN)
    mine, theirs = login(inspector), login(other)
    created = mine.post(QUERIES, json={"name": "shipped", "query": {
        "EQ_bizStep": ["shipping", "receiving"], "eventType": "ObjectEvent"}})
    assert created.status_code == 201, created.get_data(as_text=True)
    assert created.headers["Location"].endswith("/api/v1/epcis/queries/shipped")
    assert created.json["query"] == {"EQ_bizStep": ["shipping", "receiving"],
                                     "eventType": ["ObjectEvent"]}
    again = mine.post(QUERIES, json={"name": "shipped", "query": {}})
    assert again.status_code == 409
    assert [q["name"] for q in mine.get(QUERIES).json] == ["shipped"]
    # another user, staff too, is told it does not exist, and may use the same name
    assert theirs.get(f"{QUERIES}/shipped").status_code == 404
    assert theirs.get(f"{QUERIES}/shipped/events").status_code == 404
    assert theirs.delete(f"{QUERIES}/shipped").status_code == 404
    assert theirs.get(QUERIES).json == []
    assert theirs.post(QUERIES, json={"name": "shipped", "query": {}}).status_code == 201
    assert mine.delete(f"{QUERIES}/shipped").status_code == 204
    assert mine.get(f"{QUERIES}/shipped").status_code == 404
    assert theirs.get(f"{QUERIES}/shipped").status_code == 200
    bad_name = mine.post(QUERIES, json={"name": "a/b", "query": {}})
    assert bad_name.status_code == 422 and "name" in bad_name.json["errors"]


def _buy(session, buyer, site, batch, status=OrderStatus.CONFIRMED):
    order = Order(buyer_id=buyer.id, producer_id=batch.producer_id, site_id=site.id,
                  status=status, dispatch_date=dt.date(2026, 12, 6))
    order.lines.append(OrderLine(listing_id=_listing_id(session, batch), batch_id=batch.id,
                                 quantity_g=10_000, price_fen_per_jin=350))
    session.add(order)
    session.commit()
    return order


def _listing_id(session, batch):
    from freshcircle.platform.models import Listing

    return session.scalar(select(Listing.id).where(Listing.batch_id == batch.id))


def test_a_named_query_runs_paged_with_the_callers_visibility(app, make, login, session):
    bought = market(make, session)
    other = market(make, session)
    farmer, other_farmer = login(bought.farmer), login(other.farmer)
    for client, batch in ((farmer, bought.listing.batch), (other_farmer, other.listing.batch)):
        response = client.post("/api/v1/epcis/capture",
                               json=lot_document(app, session, batch))
        assert response.status_code == 202, response.get_data(as_text=True)
    _buy(session, bought.buyer, bought.site, bought.listing.batch)
    # the other market's buyer bought nothing of the other lot: a cancelled order does not count
    _buy(session, other.buyer, other.site, other.listing.batch, OrderStatus.CANCELLED)
    buyer = login(bought.buyer)
    assert buyer.get("/api/v1/epcis/events").status_code == 403  # /events is not the buyers'
    assert buyer.post(QUERIES, json={"name": "all", "query": {"eventType": "ObjectEvent"}}) \
        .status_code == 201
    first = buyer.get(f"{QUERIES}/all/events", query_string={"perPage": 2})
    assert first.status_code == 200, first.get_data(as_text=True)
    events = first.json["epcisBody"]["eventList"]
    assert len(events) == 2
    following = first.headers["Link"].split(">")[0].lstrip("<")
    assert "nextPageToken=" in following and "perPage=2" in following
    second = buyer.get(following)
    assert second.status_code == 200, (following, second.get_data(as_text=True))
    rest = second.json["epcisBody"]["eventList"]
    lot = bought.listing.batch.lot_code
    assert len(rest) == 1
    assert all(lot in str(e) for e in events + rest)
    assert buyer.get(f"{QUERIES}/all/events", query_string={"EQ_action": "ADD"}) \
        .status_code == 400  # a run takes paging only: change the query instead
    stranger = login(other.buyer)
    stranger.post(QUERIES, json={"name": "all", "query": {}})
    assert stranger.get(f"{QUERIES}/all/events").json["epcisBody"]["eventList"] == []


def test_subscriptions_refuse_what_cannot_be_delivered_field_by_field(make, login, session):
    client = login(make.user(Role.INSPECTOR))
    client.post(QUERIES, json={"name": "q", "query": {}})
    url = f"{QUERIES}/q/subscriptions"
    for dest in ("ftp://example.com/hook", "file:///etc/passwd", "javascript:alert(1)",
                 "https://"):
        response = client.post(url, json={"dest": dest, "stream": True})
        assert response.status_code == 422, dest
        assert list(response.json["errors"]) == ["dest"]
    both = client.post(url, json={"dest": "https://example.com/h", "stream": True,
                                  "schedule": {"hour": "1"}})
    neither = client.post(url, json={"dest": "https://example.com/h"})
    assert both.status_code == neither.status_code == 422
    assert "stream" in both.json["errors"] and "stream" in neither.json["errors"]
    wrong = client.post(url, json={"dest": "https://example.com/h", "initialRecordTime": "soon",
                                   "schedule": {"hour": "25", "minute": "x", "week": "1"}})
    assert wrong.status_code == 422
    assert set(wrong.json["errors"]) >= {"initialRecordTime", "schedule.week"}
    never = client.post(url, json={"dest": "https://example.com/h",
                                   "schedule": {"month": "2", "dayOfMonth": "30"}})
    assert never.status_code == 422 and "schedule" in never.json["errors"]
    assert _count(session, EpcisSubscription) == 0
    assert client.post(f"{QUERIES}/none/subscriptions",
                       json={"dest": "https://example.com/h", "stream": True}).status_code == 404


def test_a_subscription_is_shown_without_its_token_and_goes_with_its_query(make, login,
                                                                           session):
    owner = make.user(Role.INSPECTOR)
    client, other = login(owner), login(make.user(Role.INSPECTOR))
    client.post(QUERIES, json={"name": "q", "query": {}})
    created = client.post(f"{QUERIES}/q/subscriptions", json={
        "dest": "https://partner.example.com/epcis", "signatureToken": "secret-token",
        "reportIfEmpty": True, "schedule": {"hour": "1", "minute": "5"},
        "initialRecordTime": "2026-12-01T00:00:00+08:00"})
    assert created.status_code == 201, created.get_data(as_text=True)
    body = created.json
    assert "secret-token" not in created.get_data(as_text=True)
    assert body["schedule"] == {"hour": "1", "minute": "5"} and body["reportIfEmpty"]
    assert body["queryName"] == "q" and body["dest"] == "https://partner.example.com/epcis"
    assert body["initialRecordTime"].startswith("2026-11-30T16:00:00")
    location = created.headers["Location"]
    assert location.endswith(f"/queries/q/subscriptions/{body['subscriptionID']}")
    assert client.get(location).json["subscriptionID"] == body["subscriptionID"]
    assert other.get(location).status_code == 404
    assert other.delete(location).status_code == 404
    assert [s["subscriptionID"] for s in client.get(f"{QUERIES}/q/subscriptions").json] == \
        [body["subscriptionID"]]
    assert client.delete(f"{QUERIES}/q").status_code == 204
    assert _count(session, EpcisSubscription) == 0


def test_unsubscribe(make, login, session):
    client = login(make.user(Role.ADMIN))
    client.post(QUERIES, json={"name": "q", "query": {}})
    sid = client.post(f"{QUERIES}/q/subscriptions", json={
        "dest": "http://127.0.0.1:9/hook", "stream": True}).json["subscriptionID"]
    assert client.delete(f"{QUERIES}/q/subscriptions/{sid}").status_code == 204
    assert client.get(f"{QUERIES}/q/subscriptions/{sid}").status_code == 404
    assert _count(session, EpcisSubscription) == 0


def test_schedules_run_at_their_next_matching_minute_china_time():
    start = dt.datetime(2026, 12, 5, 0, 0, tzinfo=CST)
    assert next_run({"hour": "1", "minute": "5"}, start) == dt.datetime(2026, 12, 4, 17, 5,
                                                                        tzinfo=dt.UTC)
    after = dt.datetime(2026, 12, 5, 1, 5, tzinfo=CST)
    assert next_run({"hour": "1", "minute": "5"}, after) == \
        dt.datetime(2026, 12, 6, 1, 5, tzinfo=CST)
    # 2026-12-05 is a Saturday; dayOfWeek 1 is Monday
    assert next_run({"dayOfWeek": "1", "hour": "[8-9]", "minute": "0,30"}, start) == \
        dt.datetime(2026, 12, 7, 8, 0, tzinfo=CST)
    assert next_run({"month": "2", "dayOfMonth": "29", "hour": "0", "minute": "0"}, start) == \
        dt.datetime(2028, 2, 29, 0, 0, tzinfo=CST)


def _next(response) -> str | None:
    link = response.headers.get("Link")
    return link.split(">")[0].lstrip("<") if link else None


def test_the_lists_page_by_per_page_and_next_page_token(make, login):
    client = login(make.user(Role.INSPECTOR))
    for name in ("b", "C", "a"):
        assert client.post(QUERIES, json={"name": name, "query": {}}).status_code == 201
    first = client.get(QUERIES, query_string={"perPage": 2})
    assert [q["name"] for q in first.json] == ["C", "a"]
    second = client.get(_next(first))
    assert [q["name"] for q in second.json] == ["b"] and _next(second) is None
    assert [q["name"] for q in client.get(QUERIES).json] == ["C", "a", "b"]
    for wrong in ({"colour": "red"}, {"perPage": "0"}, {"nextPageToken": "%%%"}):
        response = client.get(QUERIES, query_string=wrong)
        assert response.status_code == 400, wrong
        assert response.json["type"] == "epcisException:QueryParameterException"
    ids = [client.post(f"{QUERIES}/a/subscriptions", json={
        "dest": f"https://partner.example.com/{n}", "stream": True}).json["subscriptionID"]
        for n in range(3)]
    page = client.get(f"{QUERIES}/a/subscriptions", query_string={"perPage": 2})
    assert [s["subscriptionID"] for s in page.json] == ids[:2]
    assert [s["subscriptionID"] for s in client.get(_next(page)).json] == ids[2:]

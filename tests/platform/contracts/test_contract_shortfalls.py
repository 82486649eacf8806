"""Shortfalls: a lost planting or the producer's declaration is recorded with the quantity and
the weeks and the buyer is told; the buyer accepts partial delivery (the weeks are lowered)
or releases the contract; the history stays. Fulfilment per producer and buyer."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select

from freshcircle.platform.contracts.services import fulfilment, offers
from freshcircle.platform.contracts.services.contract_weeks import week_rows
from freshcircle.platform.core.services.clock import CHINA
from freshcircle.platform.market.services import listings, orders
from freshcircle.platform.models import (
    ContractOrder,
    ContractShortfall,
    Notice,
    OrderStatus,
)
from tests.platform.contracts.contract_helpers import MONDAY, TODAY, contract_for, world

ZH = {"Accept-Language": "zh-CN"}


def test_a_lost_planting_tells_the_buyer_the_quantity_and_the_weeks(make, login, session):
    w = world(make, session)
    contract = contract_for(session, w, per_week="200", weeks=3)
    session.commit()

    reported = login(w.farmer).post(f"/api/v1/plantings/{w.planting.id}/updates",
                                    json={"status": "lost", "reason": "冰雹"})

    assert reported.status_code == 201, reported.json
    (shortfall,) = session.scalars(select(ContractShortfall))
    # The only planting of the contract: all that is due in its harvest weeks (3 × 200 斤).
    assert shortfall.quantity_g == 300_000 and shortfall.reason == "冰雹"
    assert (shortfall.week_from, shortfall.week_to) == (MONDAY, MONDAY + dt.timedelta(weeks=2))
    (notice,) = session.scalars(select(Notice).where(Notice.kind == "contract_shortfall"))
    facts = json.loads(notice.payload)
    assert notice.user_id == w.buyer.id and facts["grams"] == 300_000
    assert facts["week_from"] == MONDAY.isoformat()
    inbox = login(w.buyer).get("/notices", headers=ZH).get_data(as_text=True)
    assert f"合同 #{contract.id} 缺货" in inbox and "600\u00a0斤" in inbox
    # A good update records nothing.
    login(w.farmer).post(f"/api/v1/plantings/{w.planting.id}/updates", json={"status": "good"})
    assert len(list(session.scalars(select(ContractShortfall)))) == 1


def test_buyer_accepts_partial_delivery_and_the_weeks_are_lowered(make, login, session):
    w = world(make, session)
    contract = contract_for(session, w, per_week="200", weeks=2)
    session.commit()
    farmer, buyer = login(w.farmer), login(w.buyer)

    declared = farmer.post(f"/api/v1/contracts/{contract.id}/shortfalls", json={
        "quantity": "150", "week_from": TODAY.isoformat(),
        "week_to": (TODAY + dt.timedelta(days=7)).isoformat(), "reason": "干旱减产"})

    assert declared.status_code == 201, declared.json
    assert buyer.post(f"/api/v1/contracts/{contract.id}/shortfalls", json={
        "quantity": "1", "week_from": TODAY.isoformat(), "reason": "x"}).status_code == 403
    accepted = buyer.post(f"/api/v1/contract-shortfalls/{declared.json['id']}/accept")
    assert accepted.status_code == 200 and accepted.json["status"] == "accepted"
    weeks = buyer.get(f"/api/v1/contracts/{contract.id}").json["weeks"]
    # 150 斤 off, the latest week first: 200 + 50 斤 left, as first agreed 200 + 200.
    assert [wk["quantity_g"] for wk in weeks] == [100_000, 25_000]
    assert [wk["original_g"] for wk in weeks] == [100_000, 100_000]
    again = buyer.post(f"/api/v1/contract-shortfalls/{declared.json['id']}/accept")
    assert again.status_code == 409


def test_bad_shortfall_fields_are_named_and_nothing_is_written(make, login, session):
    w = world(make, session)
    contract = contract_for(session, w, per_week="200", weeks=2)
    session.commit()

    refused = login(w.farmer).post(f"/api/v1/contracts/{contract.id}/shortfalls", headers=ZH,
                                   json={"quantity": "0", "reason": " ",
                                         "week_from": (TODAY + dt.timedelta(days=60))
                                         .isoformat()})

    assert refused.status_code == 422
    assert set(refused.json["errors"]) == {"quantity", "week_from", "reason"}
    assert session.scalar(select(ContractShortfall.id)) is None


def test_buyer_releases_the_contract_and_its_history_stays(make, login, session):
    w = world(make, session)
    contract = contract_for(session, w, per_week="200", weeks=2)
    session.commit()
    declared = login(w.farmer).post(f"/api/v1/contracts/{contract.id}/shortfalls", json={
        "quantity": "200", "week_from": TODAY.isoformat(), "reason": "绝收"}).json
    assert login(w.farmer).post(f"/api/v1/contracts/{contract.id}/release",
                                json={}).status_code == 403

    released = login(w.buyer).post(f"/api/v1/contracts/{contract.id}/release",
                                   json={"reason": "改从别处采购"})

    assert released.status_code == 200
    assert released.json["status"] == "released"
    assert released.json["shortfalls"][0]["id"] == declared["id"]
    assert released.json["shortfalls"][0]["status"] == "released"
    assert released.json["release_reason"] == "改从别处采购"
    told = session.scalars(select(Notice.user_id).where(Notice.kind == "contract_released"))
    assert list(told) == [w.farmer.id]
    # Nothing more is offered to a released contract.
    batch = make.batch(w.producer, plot=w.planting.plot, product=w.planting.product,
                       planting=w.planting)
    assert offers.offer_registered_batch(session, w.farmer, batch) == []


def _delivered_order(session, w, listing, week_start, contract, grams_jin, delivered_g,
                     delivered_at):
    """An order of the contract for `week_start`, delivered at `delivered_at`."""
    (order,) = orders.checkout(session, w.buyer, w.site.id, [
        {"listing_id": listing.id, "quantity": grams_jin, "unit": "jin"}])
    session.add(ContractOrder(order_id=order.id, contract_id=contract.id,
                              week_start=week_start))
    for status in (OrderStatus.CONFIRMED, OrderStatus.PACKED, OrderStatus.SHIPPED):
        orders.advance(session, w.farmer, order, status)
    orders.advance(session, w.farmer, order, OrderStatus.DELIVERED,
                   delivered={order.lines[0].id: delivered_g})
    order.delivered_at = delivered_at
    session.flush()
    return order


def test_fulfilment_counts_ended_weeks_delivered_and_on_time(make, login, session):
    w = world(make, session, harvest_from=TODAY - dt.timedelta(days=30))
    contract = contract_for(session, w, per_week="200", weeks=3)
    # Two weeks ago and last week have ended; this week is not counted yet.
    for i, week in enumerate(contract.weeks):
        week.week_start = MONDAY - dt.timedelta(weeks=2 - i)
    batch = make.batch(w.producer, plot=w.planting.plot, product=w.planting.product,
                       planting=w.planting)
    listing = listings.create_listing(session, w.farmer, batch, {
        "price": "3.20", "unit": "jin", "min_order": "10", "quantity": "800",
        "available_to": TODAY + dt.timedelta(days=7)})
    two_weeks_ago, last_week = MONDAY - dt.timedelta(weeks=2), MONDAY - dt.timedelta(weeks=1)
    _delivered_order(session, w, listing, two_weeks_ago, contract, "200", 100_000,
                     dt.datetime.combine(two_weeks_ago + dt.timedelta(days=3), dt.time(8),
                                         CHINA))
    _delivered_order(session, w, listing, last_week, contract, "200", 90_000,
                     dt.datetime.combine(MONDAY, dt.time(8), CHINA))  # a day late

    figures = fulfilment.fulfilment_by_producer(session, [w.producer.id, 999_999])

    assert set(figures) == {w.producer.id}
    f = figures[w.producer.id]
    assert f.contracted_jin == 400 and f.delivered_jin == 380
    assert f.on_time_share == 0.5  # 200 of the 400 斤 contracted came by their week's end
    assert fulfilment.fulfilment_by_buyer(session, [w.buyer.id])[w.buyer.id].contracts == 1
    rows = week_rows(session, contract)
    assert [(r.delivered_g, r.on_time_g) for r in rows] == [(100_000, 100_000), (90_000, 0),
                                                            (0, 0)]
    session.commit()
    page = login(w.farmer).get("/contracts/report", headers=ZH).get_data(as_text=True)
    assert "太和香椿合作社" in page and "50%" in page
    assert "95%" in page  # delivered against contracted

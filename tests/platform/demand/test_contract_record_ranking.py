"""A producer's record of keeping its forward contracts (订单农业) moves it in the matches of a
standing demand, and the buyer sees that record among the reasons."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from freshcircle.platform.contracts.services import contracts
from freshcircle.platform.models import Planting
from tests.platform.demand.helpers import NEXT_MONDAY, body, buyer, grower
from tests.platform.page_helpers import text

ZH = {"Accept-Language": "zh-CN"}


def test_a_producer_that_delivered_nothing_of_its_contract_ranks_below_an_equal_one(
        make, session, login):
    customer, site = buyer(make, session)
    broke, broke_people = grower(make, "违约合作社", area_mu="2")  # the older of the two
    grower(make, "守约合作社", area_mu="2")
    # 违约合作社 contracted 200 斤 a week with another buyer for the two weeks before this one
    # and delivered nothing.
    other, other_site = buyer(make, session, name="杭州买家")
    contract = contracts.create_contract(session, other, {
        "producer_id": broke.id, "product_id": broke_planting(session, broke).product_id,
        "site_id": other_site.id, "first_week": NEXT_MONDAY, "weeks": 2,
        "quantity_per_week": "200", "price_kind": "fixed", "price": "3.20"})
    contracts.confirm_contract(session, broke_people[0], contract)
    for i, week in enumerate(sorted(contract.weeks, key=lambda w: w.week_start)):
        week.week_start = NEXT_MONDAY - dt.timedelta(weeks=3 - i)  # both ended
    session.commit()
    client = login(customer)

    posted = client.post("/api/v1/demands", json=body(make.product(), site), headers=ZH)

    assert posted.status_code == 201, posted.json
    matches = posted.json["matches"]
    # Same planting, same place: without the record they would tie and the older (违约)
    # would come first; its record weighs 0.5.
    assert [m["producer"]["name"] for m in matches] == ["守约合作社", "违约合作社"]
    assert matches[1]["score"] == round(matches[0]["score"] * 0.5, 4)
    record = next(r for r in matches[1]["reasons"] if r["kind"] == "contracts")
    assert record == {"kind": "contracts", "contracts": 1, "delivered_pct": 0,
                      "on_time_pct": 0}
    assert not any(r["kind"] == "contracts" for r in matches[0]["reasons"])
    page = text(client.get(f"/demands/{posted.json['id']}", headers=ZH))
    assert "订单农业" in page and "已交付合同数量的 0%" in page


def broke_planting(session, producer):
    return session.scalar(select(Planting).where(Planting.producer_id == producer.id))

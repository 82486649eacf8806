"""Forward contracts API: either side proposes, the other confirms; a change needs both again;
bad fields are named in Chinese or English and nothing is written; only the two parties
(and staff, reading) see a contract."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from freshcircle.platform.models import ForwardContract, Notice, Role
from tests.platform.contracts.contract_helpers import MONDAY, TODAY, world

ZH = {"Accept-Language": "zh-CN"}
EN = {"Accept-Language": "en"}


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def _proposal(w, **extra) -> dict:
    return {"producer_id": w.producer.id, "product_id": w.planting.product_id,
            "site_id": w.site.id, "first_week": (TODAY + dt.timedelta(days=7)).isoformat(),
            "weeks": 3, "quantity_per_week": "100", "price_kind": "fixed", "price": "3.20",
            "residue_test_required": True, **extra}


def test_buyer_proposes_producer_confirms_and_both_see_its_state(make, login, session):
    w = world(make, session)
    buyer, farmer = login(w.buyer), login(w.farmer)

    created = buyer.post("/api/v1/contracts", json=_proposal(w))

    assert created.status_code == 201, created.json
    contract = created.json
    assert contract["status"] == "proposed" and contract["waiting_for"] == "producer"
    assert [wk["week_start"] for wk in contract["weeks"]] == [
        (MONDAY + dt.timedelta(weeks=i)).isoformat() for i in (1, 2, 3)]
    assert {wk["quantity_g"] for wk in contract["weeks"]} == {50_000}
    assert contract["residue_test_required"] is True
    # The producer's members are told; the buyer (who proposed) is not.
    told = session.scalars(select(Notice.user_id).where(Notice.kind == "contract_proposed"))
    assert list(told) == [w.farmer.id]
    # The proposer cannot confirm for the other side.
    assert buyer.post(f"/api/v1/contracts/{contract['id']}/confirm").status_code == 409
    confirmed = farmer.post(f"/api/v1/contracts/{contract['id']}/confirm")
    assert confirmed.status_code == 200
    assert confirmed.json["status"] == "confirmed" and confirmed.json["waiting_for"] is None
    assert buyer.get(f"/api/v1/contracts/{contract['id']}").json["status"] == "confirmed"
    assert [c["id"] for c in farmer.get("/api/v1/contracts").json] == [contract["id"]]
    # The farmer's inbox no longer asks for the confirmation it gave; the buyer is told.
    asked = session.scalars(select(Notice).where(Notice.kind == "contract_proposed")).one()
    session.refresh(asked)
    assert asked.read_at is not None
    inbox = farmer.get("/notices", headers=ZH).get_data(as_text=True)
    assert "全部标为已读" not in inbox  # nothing unread
    told = session.scalars(select(Notice.user_id).where(Notice.kind == "contract_confirmed"))
    assert list(told) == [w.buyer.id]


def test_producer_proposes_with_plantings_and_a_total_spread_over_the_weeks(make, login,
                                                                            session):
    w = world(make, session)
    response = login(w.farmer).post("/api/v1/contracts", json={
        "producer_id": w.producer.id, "buyer_phone": w.buyer.phone,
        "product_id": w.planting.product_id, "first_week": TODAY.isoformat(), "weeks": 3,
        "total_quantity": "1000", "price_kind": "reference", "band_min": "2.80",
        "band_max": "3.60", "planting_ids": [w.planting.id]})

    assert response.status_code == 201, response.json
    assert response.json["waiting_for"] == "buyer"
    # 1,000 斤 over 3 weeks: 334, 333, 333 斤; the site is the buyer's default one.
    assert [wk["quantity_g"] for wk in response.json["weeks"]] == [167_000, 166_500, 166_500]
    assert response.json["site_id"] == w.site.id
    assert response.json["planting_ids"] == [w.planting.id]
    assert login(w.buyer).post(
        f"/api/v1/contracts/{response.json['id']}/confirm").json["status"] == "confirmed"


def test_a_change_after_one_confirmation_needs_both_again(make, login, session):
    w = world(make, session)
    buyer, farmer = login(w.buyer), login(w.farmer)
    contract = buyer.post("/api/v1/contracts", json=_proposal(w)).json
    assert farmer.post(f"/api/v1/contracts/{contract['id']}/confirm").status_code == 200

    changed = farmer.patch(f"/api/v1/contracts/{contract['id']}", json={"price": "3.50"})

    assert changed.status_code == 200, changed.json
    assert changed.json["status"] == "proposed" and changed.json["waiting_for"] == "buyer"
    assert changed.json["price_fen_per_jin"] == 350
    assert buyer.post(f"/api/v1/contracts/{contract['id']}/confirm").json[
        "status"] == "confirmed"


def test_bad_fields_are_named_in_chinese_or_english_and_nothing_is_written(make, login,
                                                                           session):
    w = world(make, session)
    other = world(make, session)
    buyer = login(w.buyer)

    zh = buyer.post("/api/v1/contracts", headers=ZH, json=_proposal(
        w, first_week=(TODAY - dt.timedelta(days=14)).isoformat(), weeks=0, price="-1",
        quantity_per_week="10", total_quantity="30", site_id=other.site.id))

    assert zh.status_code == 422
    errors = zh.json["errors"]
    assert errors["first_week"] == ["第一个交货周已经结束。"]
    assert errors["weeks"] == ["请输入周数，1 到 52。"]
    assert errors["quantity_per_week"] == ["请填写每周数量或总量，不要两个都填。"]
    assert errors["price"] == ["请输入大于零的每斤价格（元），最多两位小数。"]
    assert errors["site_id"] == ["请选择买家的一个收货点。"]
    en = login(w.farmer).post("/api/v1/contracts", headers=EN, json={
        **_proposal(w), "buyer_phone": "13900000000", "price_kind": "reference",
        "band_min": "4", "band_max": "3", "planting_ids": [other.planting.id]})
    assert en.json["errors"]["buyer_phone"] == ["Give a registered buyer's mobile number."]
    assert en.json["errors"]["band_max"] == ["The band's highest price is below its lowest."]
    assert en.json["errors"]["planting_ids"] == ["Choose plantings of this producer."]
    assert _count(session, ForwardContract) == 0


def test_only_the_two_parties_and_staff_see_a_contract(make, login, session):
    w = world(make, session)
    contract = login(w.buyer).post("/api/v1/contracts", json=_proposal(w)).json
    stranger_farmer = make.user(name="别社社员")
    make.producer(stranger_farmer, name="别的社")

    for user, code in ((make.user(Role.BUYER), 404), (stranger_farmer, 404),
                       (make.user(Role.INSPECTOR), 200), (make.user(Role.ADMIN), 200),
                       (make.user(Role.CARRIER), 404)):
        client = login(user)
        assert client.get(f"/api/v1/contracts/{contract['id']}").status_code == code, user.role
        if code == 404:
            assert client.get("/api/v1/contracts").json == []
    inspector = login(make.user(Role.INSPECTOR))
    assert inspector.post(f"/api/v1/contracts/{contract['id']}/confirm").status_code == 403
    assert login(stranger_farmer).post(
        f"/api/v1/contracts/{contract['id']}/confirm").status_code == 404

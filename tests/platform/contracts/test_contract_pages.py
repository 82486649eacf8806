"""Forward contract pages, Chinese first and in English: a buyer proposes one through the form
(bad fields named under each, nothing written), the producer confirms it on its page, declares
a shortfall, the buyer accepts partial delivery; the list and report per role."""

from __future__ import annotations

import datetime as dt

from freshcircle.platform.models import ContractShortfall, ForwardContract, Role
from tests.platform.contracts.contract_helpers import TODAY, contract_for, world
from tests.platform.page_helpers import count, element, field_errors, text


def _form(w, **overrides) -> dict:
    return {"producer_id": w.producer.id, "product_id": w.planting.product_id,
            "site_id": w.site.id, "grade": "一级", "first_week": TODAY.isoformat(),
            "weeks": "4", "quantity_per_week": "200", "total_quantity": "",
            "price_kind": "fixed", "price": "3.20", "band_min": "", "band_max": "",
            "notes": "", **overrides}


def test_a_buyer_proposes_and_the_producer_confirms_in_chinese(make, login, session):
    w = world(make, session)
    buyer, farmer = login(w.buyer), login(w.farmer)

    form = buyer.get("/contracts/new")
    assert form.status_code == 200 and "提出合同" in text(form)
    proposed = buyer.post("/contracts/new", data=_form(w), follow_redirects=True)

    assert proposed.status_code == 200
    assert "合同已提出" in text(proposed) and "等待生产者确认" in text(proposed)
    contract = session.query(ForwardContract).one()
    page = farmer.get(f"/contracts/{contract.id}")
    assert "确认合同" in text(page) and "¥3.20" in element(page, "contract-price")
    confirmed = farmer.post(f"/contracts/{contract.id}/confirm", follow_redirects=True)
    assert "您已确认合同" in text(confirmed) and element(confirmed, "contract-status") == "已确认"
    listing = farmer.get("/contracts")
    assert "太和香椿合作社 → 上海鲜到家" in text(listing)
    assert "4 周" in element(listing, f"contract-{contract.id}")


def test_bad_fields_are_named_under_each_and_nothing_is_written(make, login, session):
    w = world(make, session)
    buyer = login(w.buyer)
    bad = _form(w, weeks="0", price="abc", total_quantity="100",
                first_week=(TODAY - dt.timedelta(days=30)).isoformat())

    answer = buyer.post("/contracts/new", data=bad)

    assert answer.status_code == 422
    assert field_errors(answer, "first_week") == ["第一个交货周已经结束。"]
    assert field_errors(answer, "quantity_per_week") == ["请填写每周数量或总量，不要两个都填。"]
    assert field_errors(answer, "price") == ["请输入大于零的每斤价格（元），最多两位小数。"]
    buyer.get("/lang/en")
    english = buyer.post("/contracts/new", data=bad)
    assert field_errors(english, "first_week") == ["The first delivery week has already ended."]
    assert "Propose a contract" in text(english)
    assert count(session, ForwardContract) == 0


def test_shortfall_declared_then_partial_delivery_accepted_on_the_page(make, login, session):
    w = world(make, session)
    contract = contract_for(session, w, per_week="200", weeks=2)
    session.commit()
    farmer, buyer = login(w.farmer), login(w.buyer)

    refused = farmer.post(f"/contracts/{contract.id}/shortfalls", data={
        "quantity": "0", "week_from": contract.weeks[0].week_start.isoformat(),
        "week_to": "", "reason": "冰雹"})
    assert refused.status_code == 422
    assert field_errors(refused, "quantity") == ["请输入大于零的整斤数。"]
    assert count(session, ContractShortfall) == 0
    declared = farmer.post(f"/contracts/{contract.id}/shortfalls", data={
        "quantity": "100", "week_from": contract.weeks[0].week_start.isoformat(),
        "week_to": "", "reason": "冰雹"}, follow_redirects=True)
    assert "缺货已申报" in text(declared)

    shortfall = session.query(ContractShortfall).one()
    accepted = buyer.post(f"/contracts/shortfalls/{shortfall.id}/accept",
                          follow_redirects=True)

    assert "已接受部分交货" in text(accepted)
    weeks = element(accepted, "contract-weeks")
    assert "100 斤 200" in weeks  # lowered; what was first agreed struck through
    assert farmer.post(f"/contracts/shortfalls/{shortfall.id}/accept").status_code == 403
    released = buyer.post(f"/contracts/{contract.id}/release", data={"reason": "改从别处采购"},
                          follow_redirects=True)
    assert element(released, "contract-status") == "已解除"
    assert "冰雹" in element(released, "shortfalls")  # the history stays


def test_report_and_list_per_role_in_both_languages(make, login, session):
    w = world(make, session)
    contract = contract_for(session, w)
    session.commit()
    for user in (w.farmer, w.buyer, make.user(Role.ADMIN), make.user(Role.INSPECTOR)):
        client = login(user)
        assert client.get("/contracts").status_code == 200
        assert "合同履约" in text(client.get("/contracts/report"))
        assert "交货周" in text(client.get(f"/contracts/{contract.id}"))
        client.get("/lang/en")
        assert "Contract fulfilment" in text(client.get("/contracts/report"))
        english = client.get(f"/contracts/{contract.id}")
        assert "Delivery weeks" in text(english) and "200 jin" in element(english,
                                                                           "contract-weeks")
        assert element(english, "contract-status") == "Confirmed"
    assert login(make.user(Role.CARRIER)).get("/contracts").status_code == 403
    stranger = login(make.user(Role.BUYER))
    assert "No forward contracts yet." not in text(stranger.get("/contracts"))
    assert "还没有订单农业合同" in text(stranger.get("/contracts"))

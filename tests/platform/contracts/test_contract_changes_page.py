"""Changing a forward contract's terms on its page (before anything is ordered): the form
comes filled with the terms as they stand, the other side is asked to confirm again, a bad
field is named under it and nothing changes, and a contract with orders offers no change."""

from __future__ import annotations

import re

from freshcircle.platform.contracts.services import offers
from freshcircle.platform.models import ContractStatus, ForwardContract
from tests.platform.contracts.contract_helpers import contract_for, world
from tests.platform.page_helpers import field_errors, text

ZH = {"Accept-Language": "zh-CN"}


def _filled(html: str) -> dict[str, str]:
    """The text inputs of the form as they were filled."""
    return {m.group(1): m.group(2) for m in re.finditer(
        r'<input[^>]*name="([a-z_]+)"[^>]*value="([^"]*)"', html)}


def test_the_producer_changes_the_weekly_quantity_and_the_buyer_confirms_again(make, login,
                                                                              session):
    w = world(make, session)
    contract = contract_for(session, w, per_week="200", weeks=4)  # confirmed by both
    session.commit()
    farmer, buyer = login(w.farmer), login(w.buyer)

    page = farmer.get(f"/contracts/{contract.id}", headers=ZH)
    assert "修改条款" in text(page)
    form = farmer.get(f"/contracts/{contract.id}/edit", headers=ZH)
    filled = _filled(form.get_data(as_text=True))
    assert filled["quantity_per_week"] == "200" and filled["weeks"] == "4"
    assert filled["price"] == "3.20" and "修改条款" in text(form)

    sent = farmer.post(f"/contracts/{contract.id}/edit", data={
        **filled, "product_id": w.planting.product_id, "price_kind": "fixed",
        "planting_ids": [w.planting.id], "quantity_per_week": "250"}, follow_redirects=True)

    assert sent.status_code == 200, text(sent)
    assert "修改后的条款已发送" in text(sent) and "等待买家确认" in text(sent)
    session.expire_all()
    changed = session.get(ForwardContract, contract.id)
    assert changed.status == ContractStatus.PROPOSED
    assert {week.quantity_g for week in changed.weeks} == {125_000}
    confirmed = buyer.post(f"/contracts/{contract.id}/confirm", follow_redirects=True)
    assert "您已确认合同" in text(confirmed)


def test_a_bad_change_is_named_under_its_field_and_nothing_changes(make, login, session):
    w = world(make, session)
    contract = contract_for(session, w, per_week="200", weeks=4)
    session.commit()
    buyer = login(w.buyer)
    filled = _filled(buyer.get(f"/contracts/{contract.id}/edit").get_data(as_text=True))

    answer = buyer.post(f"/contracts/{contract.id}/edit", data={
        **filled, "product_id": w.planting.product_id, "site_id": w.site.id,
        "price_kind": "fixed", "price": "abc"}, headers=ZH)

    assert answer.status_code == 422
    assert field_errors(answer, "price") == ["请输入大于零的每斤价格（元），最多两位小数。"]
    session.expire_all()
    kept = session.get(ForwardContract, contract.id)
    assert kept.status == ContractStatus.CONFIRMED and kept.price_fen_per_jin == 320
    buyer.get("/lang/en")
    assert "Change the terms" in text(buyer.get(f"/contracts/{contract.id}/edit"))


def test_a_contract_with_orders_offers_no_change(make, login, session):
    w = world(make, session)
    contract = contract_for(session, w, per_week="200")
    batch = make.batch(w.producer, plot=w.planting.plot, product=w.planting.product,
                       planting=w.planting)
    assert offers.offer_registered_batch(session, w.farmer, batch)  # an order for the week
    session.commit()
    farmer = login(w.farmer)

    assert "修改条款" not in text(farmer.get(f"/contracts/{contract.id}", headers=ZH))
    refused = farmer.post(f"/contracts/{contract.id}/edit", data={
        "product_id": w.planting.product_id, "first_week": contract.weeks[0].week_start,
        "weeks": "4", "quantity_per_week": "300", "price_kind": "fixed", "price": "3.20"},
        headers=ZH)
    assert refused.status_code == 409 and "这个合同不能再修改：已经生成订单" in text(refused)
    session.expire_all()
    assert {w.quantity_g for w in session.get(ForwardContract, contract.id).weeks} == {100_000}
    # Opening the form says so at once, rather than a form that cannot be sent.
    opened = farmer.get(f"/contracts/{contract.id}/edit", headers=ZH, follow_redirects=True)
    assert "这个合同不能再修改" in text(opened) and 'id="send-changes"' not in \
        opened.get_data(as_text=True)

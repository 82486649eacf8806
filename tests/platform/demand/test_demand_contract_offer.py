"""A producer matched to a standing demand by a planting not harvested yet answers it with a
forward contract (订单农业): the proposal starts from the demand's terms and goes to its buyer
and site; a producer not matched to the demand cannot use it."""

from __future__ import annotations

import re

from sqlalchemy import select

from freshcircle.platform.models import ForwardContract, Notice, Planting, StandingDemand
from tests.platform.demand.helpers import URUMQI, buyer, grower
from tests.platform.demand.test_demand_pages import _form
from tests.platform.page_helpers import text

ZH = {"Accept-Language": "zh-CN"}


def _inputs(html: str) -> dict[str, str]:
    return {m.group(1): m.group(2) for m in re.finditer(
        r'<input[^>]*name="([a-z_]+)"[^>]*value="([^"]*)"', html)}


def test_a_grower_offers_the_demands_buyer_a_forward_contract(make, session, login):
    customer, site = buyer(make, session)
    producer, (farmer,) = grower(make, "大户合作社", area_mu="4")  # planted, nothing listed
    _far, (far_farmer,) = grower(make, "乌鲁木齐农场", URUMQI)
    client = login(customer)
    client.post("/demands/new", data=_form(make.product(), site, price="3.50"))
    demand = session.query(StandingDemand).one()
    seller = login(farmer)

    page = seller.get(f"/demands/{demand.id}", headers=ZH).get_data(as_text=True)
    assert 'id="quote-demand"' not in page and 'id="offer-contract"' in page  # nothing listed
    assert "提出订单农业合同" in page
    form = seller.get(f"/contracts/new?demand={demand.id}", headers=ZH)
    html = form.get_data(as_text=True)
    filled = _inputs(html)
    assert filled["quantity_per_week"] == "1000" and filled["weeks"] == "3"
    assert filled["price"] == "3.50" and filled["demand_id"] == str(demand.id)
    assert "王买家" in text(form) and 'name="buyer_phone"' not in html

    planting = session.scalar(select(Planting).where(Planting.producer_id == producer.id))
    sent = seller.post("/contracts/new", data={
        **filled, "producer_id": producer.id, "product_id": demand.product_id,
        "price_kind": "fixed", "planting_ids": [planting.id]}, follow_redirects=True)

    assert sent.status_code == 200, text(sent)
    contract = session.scalars(select(ForwardContract)).one()
    assert (contract.buyer_id, contract.site_id) == (customer.id, site.id)
    assert contract.price_fen_per_jin == 350 and len(contract.weeks) == 3
    assert "等待买家确认" in text(sent)
    told = session.scalars(select(Notice.user_id).where(Notice.kind == "contract_proposed"))
    assert list(told) == [customer.id]
    # A producer the demand did not match (too far for its shelf life) cannot answer it.
    assert login(far_farmer).get(f"/contracts/new?demand={demand.id}").status_code == 404

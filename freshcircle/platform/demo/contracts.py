"""Demo step, forward contracts (订单农业): the Shanghai buyer (13900000003) and the Taihe toon
co-op agree 菠菜 grown on a late spinach planting of the co-op's spinach plot (李营南湖地块…) being
harvested now (added here: the season's other plantings are weeks from harvest): 300 斤 a
week for four weeks from this week, ¥3.00/斤 fixed. The buyer proposes it and the farmer
(13900000001) confirms it, so both find it under 订单农业; when the farmer registers a spinach
batch from that plot harvested these days, the week's quantity is listed and ordered for the
buyer first, at the contract price, and the order is in 订单 like any other.
Run again, the buyer's contract with the co-op for spinach is found and nothing is added.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import select

from freshcircle.platform.contracts.services import contracts
from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.demo import content as c
from freshcircle.platform.farms.services.safety import harvest_status
from freshcircle.platform.models import ForwardContract, Planting, Plot, Product
from freshcircle.platform.plantings.services import plantings

if TYPE_CHECKING:
    from freshcircle.platform.demo.seed import _Seeder

PRODUCER_KEY = "taihe-lvxiang"


def seed_contracts(seeder: _Seeder, today: dt.date) -> None:
    session = seeder.session
    producer = seeder.producers.get(PRODUCER_KEY)
    spinach = session.scalar(select(Product).where(Product.name_en == c.SPINACH))
    buyer, farmer = seeder.users.get(c.BUYER.phone), seeder.users.get(c.FARMER.phone)
    if None in (producer, spinach, buyer, farmer):
        return
    if session.scalar(select(ForwardContract.id).where(
            ForwardContract.buyer_id == buyer.id, ForwardContract.producer_id == producer.id,
            ForwardContract.product_id == spinach.id)):
        return
    # The co-op's spinach plot (李营南湖地块…) whose harvest may be sold today: the other one
    # is the demo's sprayed plot, inside its pre-harvest interval.
    plots = session.scalars(select(Plot).join(Planting, Planting.plot_id == Plot.id).where(
        Planting.producer_id == producer.id, Planting.product_id == spinach.id)
        .distinct().order_by(Plot.name))
    plot = next((p for p in plots if harvest_status(session, p.id, today).ok), None)
    if plot is None:
        return
    planting = plantings.create_planting(session, farmer, producer.id, {
        "plot_id": plot.id, "product_id": spinach.id, "variety": "圆叶菠菜",
        "area_mu": str(min(plot.area_mu or 3, 3)), "planted_on": today - dt.timedelta(days=60),
        "harvest_from": today - dt.timedelta(days=5),
        "harvest_to": today + dt.timedelta(days=30), "expected_yield_jin_per_mu": 2500})
    seeder.result.created["plantings"] += 1
    site = seeder.places[next(b.site.name_en for b in c.BUYERS if b.person == c.BUYER)]
    contract = contracts.create_contract(session, buyer, {
        "producer_id": producer.id, "product_id": spinach.id, "site_id": site.id,
        "first_week": max(today, today_in_china()), "weeks": 4, "quantity_per_week": "300",
        "price_kind": "fixed", "price": "3.00", "notes": "示例：采收前约定每周供货"})
    contract.plantings = [planting]
    session.flush()
    contracts.confirm_contract(session, farmer, contract)
    seeder.result.created["forward contracts"] += 1

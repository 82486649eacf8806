"""A producer with a planting harvesting now, a buyer with a site, and a contract between
them, for the forward contract tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from freshcircle.platform.contracts.services import contracts
from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.models import ForwardContract, Planting, Producer, User
from tests.platform.market_helpers import buyer_with_site

TODAY = today_in_china()
MONDAY = TODAY - dt.timedelta(days=TODAY.weekday())


@dataclass
class World:
    farmer: User
    producer: Producer
    planting: Planting
    buyer: User
    site: object


def world(make, session, *, harvest_from: dt.date | None = None) -> World:
    farmer = make.user(name="张农户")
    producer = make.producer(farmer, name="太和香椿合作社")
    producer.latitude, producer.longitude = 33.16, 115.62
    planting = make.planting(producer, harvest_from=harvest_from or TODAY - dt.timedelta(days=3),
                             days=60, area_mu="10", yield_jin=3000)
    buyer, site = buyer_with_site(make, session, "上海鲜到家")
    session.flush()
    return World(farmer, producer, planting, buyer, site)


def contract_for(session, w: World, *, per_week="200", weeks=4, confirmed=True,
                 first_week: dt.date | None = None, **extra) -> ForwardContract:
    """A contract the buyer proposes (fixed 3.20 元/斤) on the world's planting; confirmed
    by the producer unless `confirmed` is False."""
    data = {"producer_id": w.producer.id, "product_id": w.planting.product_id,
            "site_id": w.site.id, "first_week": first_week or TODAY, "weeks": weeks,
            "quantity_per_week": per_week, "price_kind": "fixed", "price": "3.20", **extra}
    contract = contracts.create_contract(session, w.buyer, data)
    contract.plantings = [w.planting]
    session.flush()
    if confirmed:
        contracts.confirm_contract(session, w.farmer, contract)
    return contract

"""Demo step 12, standing demand (求购): two demo buyers' weekly needs, matched to the sample
producers whose plantings and listings can supply them, who find them in 通知 and 求购匹配.

- the Shanghai buyer (13900000003): 菠菜, 1,000 斤 a week for four weeks from the first week
  the Taihe toon co-op's spinach is harvested, 待报价, at least 5 days' shelf life on arrival;
- the Hangzhou buyer (13900002002): 大蒜, 一级, 2,000 斤 a week for four weeks from the week
  after next, expecting ¥4.80/斤, at least 30 days on arrival.
Run again, a buyer who already has a demand of the product gets no second one.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import select

from freshcircle.forecasting.weekly_supply import week_start
from freshcircle.platform.demand.services import demands
from freshcircle.platform.demo import content as c
from freshcircle.platform.models import Planting, Product, StandingDemand

if TYPE_CHECKING:
    from freshcircle.platform.demo.seed import _Seeder



def _first_harvest_week(seeder: _Seeder, product: Product, producer_key: str,
                        today: dt.date) -> dt.date:
    """The week the producer's coming planting of the product starts giving (else next week)."""
    producer = seeder.producers.get(producer_key)
    start = seeder.session.scalar(select(Planting.harvest_from).where(
        Planting.product_id == product.id, Planting.harvest_from > today,
        Planting.producer_id == (producer.id if producer else 0))
        .order_by(Planting.harvest_from).limit(1))
    return week_start(start or today + dt.timedelta(weeks=1))


def _demand(seeder: _Seeder, phone: str, product: Product, first_week: dt.date,
            data: dict, now: dt.datetime) -> None:
    buyer = seeder.users[phone]
    if seeder.session.scalar(select(StandingDemand.id).where(
            StandingDemand.buyer_id == buyer.id, StandingDemand.product_id == product.id)):
        return
    site = next(seeder.places[b.site.name_en] for b in c.BUYERS if b.person.phone == phone)
    demands.create_demand(seeder.session, buyer, {
        "product_id": product.id, "unit": "jin", "first_week": first_week,
        "last_week": first_week + dt.timedelta(weeks=3), "site_id": site.id, **data}, now)
    seeder.result.created["standing demands"] += 1


def seed_standing_demand(seeder: _Seeder, today: dt.date, now: dt.datetime) -> None:
    products = {p.name_en: p for p in seeder.session.scalars(select(Product).where(
        Product.name_en.in_((c.SPINACH, c.GARLIC))))}
    spinach, garlic = products[c.SPINACH], products[c.GARLIC]
    _demand(seeder, c.BUYER.phone, spinach,
            _first_harvest_week(seeder, spinach, "taihe-lvxiang", today),
            {"quantity": "1000", "min_shelf_life_days": 5}, now)
    _demand(seeder, c.HANGZHOU_BUYER.phone, garlic, week_start(today) + dt.timedelta(weeks=2),
            {"quantity": "2000", "grade": "一级", "price": "4.80", "min_shelf_life_days": 30},
            now)
    seeder.session.flush()

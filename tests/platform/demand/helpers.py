"""A small world for standing demand tests: a buyer in Shanghai and producers around."""

from __future__ import annotations

import datetime as dt

from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.market.services import listings
from freshcircle.platform.models import Role
from tests.platform.market_helpers import buyer_with_site

TODAY = today_in_china()
NEXT_MONDAY = TODAY - dt.timedelta(days=TODAY.weekday()) + dt.timedelta(weeks=1)
TAIHE = (33.16, 115.62)  # about 12 hours' drive from the buyer's site in Shanghai
HEFEI = (31.82, 117.23)  # nearer
URUMQI = (43.80, 87.60)  # nearly three days


def grower(make, name, where=TAIHE, *, product="Spinach", area_mu="2", members=1):
    """A producer with `members` farmers and a planting harvested in the next two weeks."""
    farmers = [make.user(Role.FARMER, name=f"{name}{i}") for i in range(members)]
    producer = make.producer(*farmers, name=name)
    producer.latitude, producer.longitude = where
    make.planting(producer, product=make.product(product), area_mu=area_mu,
                  harvest_from=NEXT_MONDAY, days=14)
    return producer, farmers


def lister(make, session, producer, farmer):
    """List a batch of spinach from `producer` (what a producer quotes from)."""
    batch = make.batch(producer, quantity_g=5_000_000)
    return listings.create_listing(session, farmer, batch, {
        "price": "3.50", "unit": "jin", "min_order": "10", "quantity": "5000",
        "available_to": TODAY + dt.timedelta(days=20), "tiers": []})


def buyer(make, session, name="王买家"):
    return buyer_with_site(make, session, name=name)


def body(product, site, **extra) -> dict:
    return {"product_id": product.id, "quantity": "1000", "unit": "jin",
            "first_week": NEXT_MONDAY.isoformat(),
            "last_week": (NEXT_MONDAY + dt.timedelta(weeks=1)).isoformat(),
            "site_id": site.id, "min_shelf_life_days": 8, **extra}

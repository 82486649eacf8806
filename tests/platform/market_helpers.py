"""A listed batch and a buyer with a delivery site, for marketplace tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.market.services import listings
from freshcircle.platform.models import BuyerProfile, Listing, PlaceKind, Role, User


@dataclass
class Market:
    farmer: User
    buyer: User
    listing: Listing
    site: object


def buyer_with_site(make, session, name="王买家"):
    buyer = make.user(Role.BUYER, name=name)
    site = make.new_place(name_zh=f"{name}配送中心", kind=PlaceKind.BUYER_SITE,
                          latitude="31.112", longitude="121.381")
    site.buyer_id = buyer.id
    session.add(BuyerProfile(user_id=buyer.id, company=f"{name}生鲜", default_site_id=site.id))
    session.flush()
    return buyer, site


def market(make, session, *, quantity_g=500_000, offered="1000", min_order="20",
           price="3.50", tiers=(), **batch_extra) -> Market:
    """A farmer's batch listed at `price` 元/斤 (offered and minimum in 斤)."""
    farmer = make.user()
    producer = make.producer(farmer)
    producer.latitude, producer.longitude = 33.16, 115.62
    batch = make.batch(producer, quantity_g=quantity_g, **batch_extra)
    listing = listings.create_listing(session, farmer, batch, {
        "price": price, "unit": "jin", "min_order": min_order, "quantity": offered,
        "available_to": today_in_china() + dt.timedelta(days=7), "tiers": list(tiers)})
    buyer, site = buyer_with_site(make, session)
    session.commit()
    return Market(farmer, buyer, listing, site)

"""Demo step 10, a dispatch day: the Jieshou co-op's reefer trucks, further buyers' distribution
centres, and their orders for tomorrow, confirmed: what a dispatcher plans routes for."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import select

from freshcircle.platform.core.services import clock, places
from freshcircle.platform.demo import content as c
from freshcircle.platform.demo.lookup import find_place
from freshcircle.platform.dispatch.services import fleet
from freshcircle.platform.market.services import orders
from freshcircle.platform.models import (
    BuyerProfile,
    Listing,
    Order,
    OrderStatus,
    Place,
    Producer,
    Product,
    Vehicle,
)

if TYPE_CHECKING:
    from freshcircle.platform.demo.seed import _Seeder


def _buyer_site(seeder: _Seeder, buyer: c.BuyerSpec) -> Place:
    """A further demo buyer with its distribution centre, receiving 04:00-10:00."""
    user = seeder.user(buyer.person)
    site = find_place(seeder.session, buyer.site)
    if site is None:
        spec = buyer.site
        site = places.create_place(seeder.session, seeder.users[c.ADMIN.phone], {
            "name_zh": spec.name_zh, "name_en": spec.name_en, "kind": spec.kind,
            "latitude": Decimal(spec.latitude), "longitude": Decimal(spec.longitude),
            "admin_code": spec.admin_code, "admin_name": spec.admin_name, "producer_id": None})
        opens, closes = (dt.time.fromisoformat(t) for t in c.DISPATCH_RECEIVING)
        site.buyer_id, site.receiving_from, site.receiving_to = user.id, opens, closes
        site.demo_key = spec.name_en
        seeder.result.created["places"] += 1
    seeder.places[buyer.site.name_en] = site
    if seeder.session.get(BuyerProfile, user.id) is None:
        seeder.session.add(BuyerProfile(user_id=user.id, default_site_id=site.id,
                                        company=c.DISPATCH_COMPANIES[buyer.person.phone]))
        seeder.result.created["buyer accounts"] += 1
    return site


def _vehicles(seeder: _Seeder, producer: Producer) -> None:
    manager = seeder.users[c.PRODUCERS_BY_KEY[c.DISPATCH_PRODUCER].manager.phone]
    depot = seeder.places[c.JIESHOU_STORE.name_en]
    for spec in c.FLEET:
        if seeder.session.scalar(select(Vehicle.id).where(
                Vehicle.producer_id == producer.id, Vehicle.plate == spec.plate)):
            continue
        fleet.create_vehicle(seeder.session, manager, producer.id, {
            "plate": spec.plate, "name": spec.name, "depot_id": depot.id,
            "driver_id": seeder.user(spec.driver).id if spec.driver else None,
            "fixed_cost_fen": spec.fixed_yuan * 100,
            "fen_per_km": spec.yuan_per_km * 100, "shift_hours": spec.shift_hours,
            "compartments": [vars(part) for part in spec.compartments]})
        seeder.result.created["vehicles"] += 1


def dispatch_day(seeder: _Seeder, today: dt.date, now: dt.datetime | None = None) -> None:
    """The Jieshou co-op's reefer fleet, and buyers' orders for tomorrow that its manager has
    confirmed: what a dispatcher plans routes for. Orders go through checkout (placed this
    morning, before the 16:00 cut-off), so the listings' stock stays right."""
    session = seeder.session
    producer = seeder.producers[c.DISPATCH_PRODUCER]
    manager = seeder.users[c.PRODUCERS_BY_KEY[c.DISPATCH_PRODUCER].manager.phone]
    _vehicles(seeder, producer)
    sites = {b.person.phone: seeder.places[b.site.name_en] for b in c.BUYERS}
    sites |= {b.person.phone: _buyer_site(seeder, b) for b in c.DISPATCH_BUYERS}
    # Placed at 09:00, or two hours before seeding if that is earlier: in the past, before
    # today's cut-off or after yesterday's, so for tomorrow's dispatch; confirmed an hour on.
    now = now or dt.datetime.now(dt.UTC)
    morning = min(dt.datetime.combine(today, dt.time(9), clock.CHINA),
                  now - dt.timedelta(hours=2))
    tomorrow = today + dt.timedelta(days=1)
    products = {p.name_en: p.id for p in session.scalars(select(Product))}
    for phone, lines in c.DISPATCH_ORDERS:
        buyer, site = seeder.users[phone], sites[phone]
        if session.scalar(select(Order.id).where(
                Order.buyer_id == buyer.id, Order.producer_id == producer.id,
                Order.site_id == site.id, Order.dispatch_date == tomorrow)):
            continue  # ordered by an earlier run today
        wanted = []
        for product_en, jin in lines:
            on_sale = session.scalars(select(Listing).where(  # reserve() updates in SQL
                Listing.producer_id == producer.id, Listing.product_id == products[product_en])
                .execution_options(populate_existing=True))
            listing = max(on_sale, key=lambda item: item.offered_g - item.sold_g, default=None)
            if listing is not None and listing.offered_g - listing.sold_g >= jin * 500:
                wanted.append({"listing_id": listing.id, "quantity": jin, "unit": "jin"})
        if not wanted:
            continue  # sold out (the demo re-run on a later day): no order rather than an error
        for order in orders.checkout(session, buyer, site.id, wanted, now=morning):
            if order.dispatch_date == tomorrow and order.status == OrderStatus.PLACED:
                orders.advance(session, manager, order, OrderStatus.CONFIRMED,
                               now=morning + dt.timedelta(hours=1))
                seeder.result.created["confirmed orders"] += 1

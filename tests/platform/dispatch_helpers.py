"""A cooperative's cold store in Taihe, its reefer fleet, and confirmed orders for tomorrow."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from freshcircle.platform.core.services.clock import CHINA, today_in_china
from freshcircle.platform.market.services import listings, orders
from freshcircle.platform.models import (
    BuyerProfile,
    Order,
    OrderStatus,
    PlaceKind,
    Role,
    TemperatureClass,
    User,
    Vehicle,
    VehicleCompartment,
)

SITES = {  # city: (lat, lon)
    "上海": ("31.38", "121.27"),
    "杭州": ("30.42", "120.30"),
    "南京": ("32.07", "118.78"),
    "合肥": ("31.80", "117.30"),
}


@dataclass
class Day:
    manager: User
    driver: User
    producer: object
    store: object
    day: dt.date
    orders: list[Order] = field(default_factory=list)
    vehicles: list[Vehicle] = field(default_factory=list)
    listings: dict = field(default_factory=dict)
    make: object = None


def vehicle(session, day: Day, plate: str, compartments, **extra) -> Vehicle:
    """A truck at the day's cold store: the first is the day's driver's, each next one has
    a driver of its own (one person drives one truck at a time)."""
    if "driver_id" not in extra:
        driver = day.driver if not day.vehicles else day.make.user(
            Role.CARRIER, name=f"司机{len(day.vehicles) + 1}")
        extra["driver_id"] = driver.id
    v = Vehicle(producer_id=day.producer.id, depot_id=day.store.id, plate=plate,
                name=extra.pop("name", "9.6米冷藏车"),
                fixed_cost_fen=extra.pop("fixed_cost_fen", 100_000), fen_per_km=500,
                shift_hours=extra.pop("shift_hours", 16), **extra)
    for n, (kind, temp_class, low, high, kg, pallets) in enumerate(compartments):
        v.compartments.append(VehicleCompartment(
            position=n, kind=kind, temp_class=temp_class, min_c=Decimal(low),
            max_c=Decimal(high), capacity_kg=kg, capacity_pallets=pallets))
    session.add(v)
    session.flush()
    day.vehicles.append(v)
    return v


THREE_TEMP = [("chilled-veg", TemperatureClass.CHILLED, 0, 4, 8000, 12),
              ("chilled-fruit", TemperatureClass.CHILLED, 0, 4, 4000, 6),
              ("cool", TemperatureClass.COOL, 8, 15, 4000, 6)]


def dispatch_day(make, session, products=("Spinach", "Cucumber"), cities=("上海", "杭州", "南京"),
                 kg=300) -> Day:
    """A manager, a driver, a cold store, one listed batch per product, one confirmed order
    per city (every product in each), and a three-compartment truck."""
    manager = make.user(Role.COOP_ADMIN, name="调度员")
    driver = make.user(Role.CARRIER, name="司机老张")
    producer = make.producer(manager)
    producer.latitude, producer.longitude = 33.16, 115.62
    store = make.new_place(name_zh="太和冷库", producer=producer)
    listed = {}
    for name in products:
        batch = make.batch(producer, product=make.product(name), quantity_g=12_000_000)
        listed[name] = listings.create_listing(session, manager, batch, {
            "price": "3.00", "unit": "jin", "min_order": "10", "quantity": "20000",
            "available_to": today_in_china() + dt.timedelta(days=7)})
    morning = dt.datetime.now(CHINA).replace(hour=9, minute=0, second=0, microsecond=0)
    day = Day(manager, driver, producer, store, (morning + dt.timedelta(days=1)).date(),
              listings=listed, make=make)
    for city in cities:
        buyer = make.user(Role.BUYER, name=f"{city}买家")
        lat, lon = SITES[city]
        site = make.new_place(name_zh=f"{city}配送中心", kind=PlaceKind.BUYER_SITE,
                              latitude=lat, longitude=lon)
        site.buyer_id = buyer.id
        site.receiving_from, site.receiving_to = dt.time(4, 0), dt.time(14, 0)
        session.add(BuyerProfile(user_id=buyer.id, company=f"{city}生鲜", default_site_id=site.id,
                                 min_remaining_life_h=24))
        session.flush()
        lines = [{"listing_id": listing.id, "quantity": str(kg), "unit": "kg"}
                 for listing in listed.values()]
        (order,) = orders.checkout(session, buyer, site.id, lines, morning)
        orders.advance(session, manager, order, OrderStatus.CONFIRMED)
        day.orders.append(order)
    vehicle(session, day, "皖K12345", THREE_TEMP)
    session.commit()
    assert all(o.dispatch_date == day.day for o in day.orders)
    return day

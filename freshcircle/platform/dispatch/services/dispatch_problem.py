"""A cold store's dispatch day as a `logistics.planning.Problem`.

What goes in: the producer's confirmed orders for the day not yet on a shipment, the active
vehicles based at the cold store, travel from the configured provider (`FRESHCIRCLE_OSRM_URL`,
else the road estimate). Times are seconds from midnight (China time) of the dispatch day:
trucks leave between DEPART_FROM and DEPART_TO, and an order is received within its site's
receiving hours on the next day (any time from departure to the day after when none are set).

Each order line's lot comes from FEFO allocation by predicted life (`logistics.allocation`):
among the lots set aside for the day's orders of one product, the shortest-lived goes to the
nearest buyer. A lot's expiry is now plus its predicted remaining life at the recommended
temperature (`shelf_life_view.predicted_life`); the buyer's minimum remaining life comes from
the buyer's profile (24 h when unset).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from fractions import Fraction

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from freshcircle.logistics import allocation
from freshcircle.logistics import planning as p
from freshcircle.logistics.produce import Produce
from freshcircle.logistics.produce import by_name as produce_by_name
from freshcircle.logistics.travel import Point, TravelProvider
from freshcircle.platform.core.services.clock import CHINA
from freshcircle.platform.dispatch.services.shelf_life_view import predicted_life
from freshcircle.platform.models import (
    Batch,
    BuyerProfile,
    Order,
    OrderLine,
    OrderStatus,
    Place,
    Vehicle,
)

DEPART_FROM = dt.time(16, 0)
DEPART_TO = dt.time(23, 0)
KG_PER_PALLET = 500  # a pallet of produce crates; pallet places = kg / 500, exactly
DEFAULT_MIN_LIFE_H = 24


@dataclass
class DayInput:
    """The problem plus what the platform needs to turn a plan back into its records."""

    problem: p.Problem
    epoch: dt.datetime
    orders: dict[str, Order]
    vehicles: list[Vehicle]
    sites: dict[str, Place]
    lot_batches: dict[str, Batch]
    pieces: dict[str, list[allocation.Piece]]  # order key -> its lines' lots and grams
    moved_lines: int = 0
    kept_products: tuple[str, ...] = ()
    unplannable: list[p.Unassigned] = field(default_factory=list)


def order_key(order: Order) -> str:
    return str(order.id)


def _seconds(epoch: dt.datetime, moment: dt.datetime) -> int:
    return math.floor((moment - epoch).total_seconds())


def day_orders(session: Session, producer_id: int, day: dt.date) -> list[Order]:
    return list(session.scalars(
        select(Order).where(Order.producer_id == producer_id, Order.dispatch_date == day,
                            Order.status == OrderStatus.CONFIRMED, Order.shipment_id.is_(None))
        .options(selectinload(Order.lines).selectinload(OrderLine.batch),
                 selectinload(Order.site), selectinload(Order.buyer))
        .order_by(Order.id)))


def fleet(session: Session, producer_id: int, depot_id: int) -> list[Vehicle]:
    return list(session.scalars(
        select(Vehicle).where(Vehicle.producer_id == producer_id, Vehicle.depot_id == depot_id,
                              Vehicle.active.is_(True))
        .options(selectinload(Vehicle.compartments), selectinload(Vehicle.driver))
        .order_by(Vehicle.id)))


def _window(site: Place, epoch: dt.datetime) -> tuple[int, int]:
    day_after = epoch.date() + dt.timedelta(days=1)
    if site.receiving_from is None or site.receiving_to is None:
        return _seconds(epoch, dt.datetime.combine(epoch.date(), DEPART_FROM, CHINA)), 3 * p.DAY
    opens = dt.datetime.combine(day_after, site.receiving_from, CHINA)
    closes = dt.datetime.combine(day_after, site.receiving_to, CHINA)
    return _seconds(epoch, opens), _seconds(epoch, closes)


def vehicle_type(vehicle: Vehicle) -> p.VehicleType:
    return p.VehicleType(
        key=f"v{vehicle.id}",
        compartments=tuple(p.Compartment(c.kind, float(c.min_c), float(c.max_c), c.capacity_kg,
                                         c.capacity_pallets) for c in vehicle.compartments),
        fixed_cost_fen=vehicle.fixed_cost_fen, fen_per_km=vehicle.fen_per_km,
        shift_s=vehicle.shift_hours * p.HOUR, name=vehicle.plate,
        driver=None if vehicle.driver_id is None else f"user{vehicle.driver_id}")


def produce_record(name_en: str) -> Produce | None:
    """The produce table's row for a catalog product (any temperature class), or None."""
    try:
        return produce_by_name(name_en)
    except KeyError:
        return None


def build(session: Session, producer_id: int, depot: Place, day: dt.date,
          provider: TravelProvider, now: dt.datetime) -> DayInput:
    epoch = dt.datetime.combine(day, dt.time(), CHINA)
    orders = day_orders(session, producer_id, day)
    vehicles = fleet(session, producer_id, depot.id)
    sites: dict[int, Place] = {}
    for order in orders:
        sites.setdefault(order.site_id, order.site)
    site_ids = list(sites)
    points = [Point(float(depot.latitude), float(depot.longitude))] + [
        Point(float(sites[i].latitude), float(sites[i].longitude)) for i in site_ids]
    matrix = provider.matrix(points)
    point_of = {site_id: n + 1 for n, site_id in enumerate(site_ids)}
    departs = _seconds(epoch, dt.datetime.combine(day, DEPART_FROM, CHINA))
    minimum = {profile.user_id: profile.min_remaining_life_h for profile in session.scalars(
        select(BuyerProfile).where(BuyerProfile.user_id.in_({o.buyer_id for o in orders})))}

    batches: dict[str, Batch] = {}
    expiry: dict[str, int | None] = {}
    demands: list[allocation.Demand] = []
    lines: dict[str, OrderLine] = {}
    unplannable: list[p.Unassigned] = []
    plannable: list[Order] = []
    for order in orders:
        missing = [line.batch.product.name_en for line in order.lines
                   if produce_record(line.batch.product.name_en) is None]
        if missing:
            unplannable.append(p.Unassigned(order_key(order), p.NO_COMPARTMENT,
                                            f"no storage data for {', '.join(missing)}"))
            continue
        plannable.append(order)
        drive = matrix.seconds[0][point_of[order.site_id]]
        for line in order.lines:
            lot = line.batch.lot_code
            if lot not in batches:
                batches[lot] = line.batch
                life = predicted_life(session, line.batch, now)
                expiry[lot] = (None if life is None else
                               _seconds(epoch, now + life.result.remaining))
            lines[str(line.id)] = line
            demands.append(allocation.Demand(
                str(line.id), order_key(order), line.batch.product.name_en, line.quantity_g,
                drive, departs + drive,
                minimum.get(order.buyer_id, DEFAULT_MIN_LIFE_H) * p.HOUR, lot))
    totals: dict[str, int] = {}
    for d in demands:
        totals[d.original_lot] = totals.get(d.original_lot, 0) + d.grams
    supplies = [allocation.Supply(lot, batches[lot].product.name_en, grams, expiry[lot])
                for lot, grams in totals.items()]
    result = allocation.allocate(demands, supplies)
    pieces: dict[str, list[allocation.Piece]] = {}
    moved = 0
    for piece in result.pieces:
        line = lines[piece.line]
        pieces.setdefault(order_key(line.order), []).append(piece)
        moved += piece.lot != line.batch.lot_code

    planned: list[p.Order] = []
    for order in plannable:
        items = []
        for piece in pieces.get(order_key(order), []):
            batch = batches[piece.lot]
            record = produce_record(batch.product.name_en)
            assert record is not None
            kg = math.ceil(piece.grams / 1000)
            items.append(p.Item(record, kg, Fraction(kg, KG_PER_PALLET), piece.lot,
                                expiry[piece.lot]))
        planned.append(p.Order(
            order_key(order), point_of[order.site_id], tuple(items),
            _window(order.site, epoch),
            min_remaining_life_s=minimum.get(order.buyer_id, DEFAULT_MIN_LIFE_H) * p.HOUR))
    problem = p.Problem(
        (p.Depot(f"place{depot.id}", 0, departs,
                 _seconds(epoch, dt.datetime.combine(day, DEPART_TO, CHINA))),),
        tuple(vehicle_type(v) for v in vehicles), tuple(planned), matrix,
        fen_per_hour_out=2000, drivers_required=True)
    return DayInput(problem, epoch, {order_key(o): o for o in orders}, vehicles,
                    {order_key(o): o.site for o in orders}, batches, pieces, moved,
                    result.kept, unplannable)

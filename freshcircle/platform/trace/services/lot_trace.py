"""Forward and backward trace of a lot through splits, merges, pallets and shipments.

The reachable part of the lot graph comes out of `lot_links` with one recursive query (the
same SQL on SQLite and PostgreSQL, bounded by MAX_DEPTH, indexed on source and target), is
loaded into the pure `freshcircle.traceability.genealogy.LotGraph` for the walk order and the
path to each node, and is then joined to what the platform knows: the batches behind the lots,
the shipments that carried any of them (from `shipment_lines`, the record of truth for the
platform's own deliveries) with their destinations and buyers, the marketplace orders for any
of them, and the farms they came from.
Consignees that only captured events name (another system's deliveries) are listed by URI.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select, text
from sqlalchemy.orm import Session, joinedload

from freshcircle.platform.core.services.access import require_role
from freshcircle.platform.ledger.services.epcis_events import epcis_config, trace_settings
from freshcircle.platform.models import (
    Batch,
    LotLink,
    Order,
    OrderLine,
    OrderStatus,
    Place,
    Role,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
    TradeItem,
    User,
    parse_lot_node,
)
from freshcircle.platform.models import lot_node as make_lot_node
from freshcircle.traceability.genealogy import LotEdge, LotGraph, TraceNode

MAX_DEPTH = 30
# (next node, the edge's end already reached, extra condition): a backward trace does not go
# from a consignee back to what it received from others.
_STEP = {
    "forward": ("l.target", "l.source", "TRUE"),
    "backward": ("l.source", "l.target", "l.kind <> 'shipment'"),
}


@dataclass(frozen=True)
class TracedLot:
    node: TraceNode
    gtin: str | None
    lot: str | None
    batch: Batch | None


@dataclass(frozen=True)
class ShipmentHit:
    shipment: Shipment
    batch: Batch
    quantity_g: int
    buyer: User | None


@dataclass(frozen=True)
class OrderHit:
    """A marketplace order line for one of the traced lots (not cancelled)."""

    order: Order
    batch: Batch
    quantity_g: int
    buyer: User


@dataclass
class TraceResult:
    """What a trace reached. ``lots`` excludes the start lot; ``batches`` includes it."""

    start: Batch
    direction: str
    start_node: str | None = None
    lots: list[TracedLot] = field(default_factory=list)
    containers: list[TraceNode] = field(default_factory=list)
    consignees: list[TraceNode] = field(default_factory=list)
    shipments: list[ShipmentHit] = field(default_factory=list)
    orders: list[OrderHit] = field(default_factory=list)

    @property
    def batches(self) -> list[Batch]:
        return [self.start, *(t.batch for t in self.lots if t.batch is not None)]

    @property
    def buyers(self) -> list[User]:
        """Buyers who received any of the lots (shipments to their sites) or ordered them."""
        seen: dict[int, User] = {}
        for hit in [*self.shipments, *self.orders]:
            if hit.buyer is not None:
                seen.setdefault(hit.buyer.id, hit.buyer)
        return list(seen.values())

    @property
    def farms(self) -> list[Batch]:
        """Backward trace: the harvested lots everything came from (lots made from no other
        lot); each says where and when it was grown."""
        made = {t.node.path[-2] for t in self.lots if len(t.node.path) > 1}
        made |= {self.start_node} if self.lots else set()
        seen: dict[int, Batch] = {}
        for traced in [None, *self.lots]:
            batch = self.start if traced is None else traced.batch
            node = self.start_node if traced is None else traced.node.node
            if batch is not None and node not in made:
                seen.setdefault(batch.id, batch)
        return list(seen.values())


def start_node(session: Session, batch: Batch) -> str | None:
    gtin = session.scalar(select(TradeItem.gtin).where(
        TradeItem.producer_id == batch.producer_id, TradeItem.product_id == batch.product_id))
    return make_lot_node(gtin, batch.lot_code) if gtin else None


def reachable_edges(session: Session, node: str, direction: str) -> list[LotLink]:
    """Every `lot_links` row on a path from ``node`` in ``direction`` (one recursive query).

    The recursion carries the id of the edge it followed, so no join back to `lot_links`
    follows it: that join made PostgreSQL scan the whole table on a backward trace, because
    shipment edges pile thousands of rows onto a few consignee nodes and skew its estimate of
    rows per `target` (bench/trace.py: p95 132 ms before, a few ms after).
    """
    nxt, here, condition = _STEP[direction]
    sql = text(
        "WITH RECURSIVE reach(node, link_id, depth) AS ("
        " SELECT CAST(:start AS VARCHAR(200)), CAST(NULL AS INTEGER), 0"
        f" UNION SELECT {nxt}, l.id, r.depth + 1 FROM lot_links l JOIN reach r ON {here} = r.node"
        f"  WHERE {condition} AND r.depth <= :max_depth)"
        " SELECT DISTINCT link_id FROM reach WHERE link_id IS NOT NULL"
    )
    ids = [row[0] for row in session.execute(sql, {"start": node, "max_depth": MAX_DEPTH})]
    if not ids:
        return []
    return list(session.scalars(select(LotLink).where(LotLink.id.in_(ids))))


def _shipments(session: Session, batch_ids: list[int]) -> list[ShipmentHit]:
    rows = session.execute(
        select(ShipmentLine, Shipment, Place)
        .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
        .join(Place, Place.id == Shipment.to_place_id)
        .where(ShipmentLine.batch_id.in_(batch_ids), Shipment.status != ShipmentStatus.CANCELLED)
        .options(joinedload(ShipmentLine.batch))
        .order_by(Shipment.planned_departure, Shipment.id)
    ).all()
    buyer_ids = {place.buyer_id for _, _, place in rows if place.buyer_id}
    buyers = {u.id: u for u in session.scalars(select(User).where(User.id.in_(buyer_ids)))}
    return [ShipmentHit(shipment, line.batch, line.quantity_g, buyers.get(place.buyer_id))
            for line, shipment, place in rows]


def _orders(session: Session, batch_ids: list[int]) -> list[OrderHit]:
    rows = session.execute(
        select(OrderLine, Order)
        .join(Order, Order.id == OrderLine.order_id)
        .where(OrderLine.batch_id.in_(batch_ids),
               Order.status.not_in((OrderStatus.CANCELLED, OrderStatus.DECLINED)))
        .options(joinedload(OrderLine.batch), joinedload(Order.buyer), joinedload(Order.site))
        .order_by(Order.dispatch_date, Order.id)
    ).all()
    return [OrderHit(order, line.batch, line.quantity_g, order.buyer) for line, order in rows]


def trace_lot(session: Session, actor: User, batch: Batch, direction: str) -> TraceResult:
    """Forward (where it went) or backward (what it came from) trace of one of our lots."""
    require_role(actor, Role.INSPECTOR, Role.ADMIN)
    if direction not in _STEP:
        raise ValueError(direction)
    node = start_node(session, batch)
    result = TraceResult(start=batch, direction=direction, start_node=node)
    links = reachable_edges(session, node, direction) if node else []
    graph = LotGraph(LotEdge(link.source, link.target, link.kind, link.quantity_g, link.event_id)
                     for link in links)
    batch_of = {link.source: link.source_batch_id for link in links if link.source_batch_id}
    batch_of |= {link.target: link.target_batch_id for link in links if link.target_batch_id}
    loaded = {b.id: b for b in session.scalars(
        select(Batch).where(Batch.id.in_(set(batch_of.values())))
        .options(joinedload(Batch.producer), joinedload(Batch.product)))}
    settings = trace_settings()
    own_places = epcis_config(settings).local_id("place", "") if settings else "\0"
    walk = (graph.forward(node) if direction == "forward" else graph.backward(node)) if node \
        else None
    for traced in walk.nodes if walk else ():
        if traced.kind == "lot":
            gtin, lot = parse_lot_node(traced.node) or (None, None)
            result.lots.append(TracedLot(traced, gtin, lot,
                                         loaded.get(batch_of.get(traced.node, 0))))
        elif traced.kind == "container":
            result.containers.append(traced)
        elif traced.kind == "party" and not traced.node.startswith(own_places):
            result.consignees.append(traced)  # ours are in `shipments`, from the lines
    if direction == "forward":
        result.shipments = _shipments(session, [b.id for b in result.batches])
        result.orders = _orders(session, [b.id for b in result.batches])
    return result


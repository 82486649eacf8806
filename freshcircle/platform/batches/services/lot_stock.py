"""What is left of a lot: the one figure every page and API field states (issue 13).

    remaining = registered - transformed away - on shipments - reserved - sold

*transformed away*: grams that went into other lots (split, merge, repack; the `lot_links`
edges). *On shipments*: grams on shipments that are not cancelled and not an order's (an
order's shipment is counted in its order). *Reserved*: on orders not yet shipped; *sold*: on
orders shipped or further. Reserved plus sold is what the batch's listing has sold
(`Listing.sold_g`, kept by `market.services.listings.reserve`/`release`).

What the listing still offers (`on_sale_g`) is part of what remains: the lot still holds it.
`free_g` is what remains beyond that offer, what a shipment may take without touching the
marketplace's stock.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from freshcircle.platform.ledger.services import lot_links
from freshcircle.platform.models import (
    Batch,
    Listing,
    ListingStatus,
    Order,
    OrderLine,
    OrderStatus,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
)

# Orders whose goods have left the farm: their grams are sold, not just reserved.
GONE = (OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.COMPLETED)


@dataclass(frozen=True)
class LotStock:
    """A lot's stock in grams, with where the rest went."""

    registered_g: int
    transformed_g: int = 0
    shipped_g: int = 0
    reserved_g: int = 0
    sold_g: int = 0
    on_sale_g: int = 0

    @property
    def remaining_g(self) -> int:
        return max(self.registered_g - self.transformed_g - self.shipped_g - self.reserved_g
                   - self.sold_g, 0)

    @property
    def free_g(self) -> int:
        """What remains beyond the listing's unsold offer."""
        return max(self.remaining_g - self.on_sale_g, 0)


def _shipped(session: Session, ids: list[int]) -> dict[int, int]:
    rows = session.execute(
        select(ShipmentLine.batch_id, func.sum(ShipmentLine.quantity_g))
        .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
        .where(ShipmentLine.batch_id.in_(ids), Shipment.status != ShipmentStatus.CANCELLED,
               ShipmentLine.order_line_id.is_(None))
        .group_by(ShipmentLine.batch_id))
    return {batch_id: int(total or 0) for batch_id, total in rows}


def _listings(session: Session, ids: list[int]) -> dict[int, tuple[int, int]]:
    """(grams ordered, grams still on offer) per batch from its listing."""
    rows = session.execute(select(Listing.batch_id, Listing.sold_g, Listing.offered_g,
                                  Listing.status).where(Listing.batch_id.in_(ids)))
    return {batch_id: (int(sold), 0 if status == ListingStatus.CLOSED else int(offered - sold))
            for batch_id, sold, offered, status in rows}


def _gone(session: Session, ids: list[int]) -> dict[int, int]:
    rows = session.execute(
        select(OrderLine.batch_id, func.sum(OrderLine.quantity_g))
        .join(Order, Order.id == OrderLine.order_id)
        .where(OrderLine.batch_id.in_(ids), Order.status.in_(GONE))
        .group_by(OrderLine.batch_id))
    return {batch_id: int(total or 0) for batch_id, total in rows}


def remaining_by_batch(session: Session, batches: list[Batch]) -> dict[int, LotStock]:
    """`remaining` for many lots in four queries in all (no N+1 on lists)."""
    ids = [b.id for b in batches]
    if not ids:
        return {}
    transformed = lot_links.transformed_by_batch(session, ids)
    shipped, listed, gone = _shipped(session, ids), _listings(session, ids), _gone(session, ids)
    out = {}
    for batch in batches:
        ordered, on_sale = listed.get(batch.id, (0, 0))
        sold = min(gone.get(batch.id, 0), ordered)
        out[batch.id] = LotStock(
            registered_g=batch.quantity_g, transformed_g=transformed.get(batch.id, 0),
            shipped_g=shipped.get(batch.id, 0), reserved_g=ordered - sold, sold_g=sold,
            on_sale_g=on_sale)
    return out


def remaining(session: Session, batch: Batch) -> LotStock:
    """What is left of one lot, and where the rest went."""
    return remaining_by_batch(session, [batch])[batch.id]

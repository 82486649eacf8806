"""Lot genealogy: which lot went into which (split, merge, repack), pallets and consignees.

One row per edge of the lot graph that `freshcircle.traceability.genealogy.LotGraph` walks.
Nodes are plain strings so lots the platform did not issue (captured events) fit beside its
own: a lot is `01/{gtin14}/10/{lot}` (`lot_node`), a pallet its SSCC or EPC URI, a consignee
its place or party URI. `source_batch_id` / `target_batch_id` name the platform's batches
where the lot is one of ours, so stock and recall cascades need no string parsing. The
platform's own shipments are not copied here: a forward trace joins `shipment_lines` for
those (the lines are the record of truth), and this table carries the deliveries that
captured events report.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from freshcircle.platform.models.base import Base, utcnow


def lot_node(gtin: str, lot: str) -> str:
    """The node id of a lot: its Digital Link path without the domain."""
    return f"01/{gtin}/10/{lot}"


def parse_lot_node(node: str) -> tuple[str, str] | None:
    """(GTIN, lot) of a lot node; None for a pallet or consignee."""
    parts = node.split("/", 3)
    if len(parts) == 4 and parts[0] == "01" and parts[2] == "10":
        return parts[1], parts[3]
    return None


class LotLink(Base):
    __tablename__ = "lot_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(200), index=True)
    target: Mapped[str] = mapped_column(String(200), index=True)
    # split, merge, repack, transformation, aggregation or shipment (genealogy edge kinds).
    kind: Mapped[str] = mapped_column(String(16))
    # Grams of the source that went in, where the event says (exact, like every weight here).
    quantity_g: Mapped[int | None] = mapped_column(BigInteger)
    event_id: Mapped[str | None] = mapped_column(String(120), index=True)
    source_batch_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id"), index=True)
    target_batch_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

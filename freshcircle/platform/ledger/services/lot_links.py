"""Genealogy edges (`lot_links`) from stored EPCIS events.

Every stored event passes through `record_event_edges`: the pure
`freshcircle.traceability.genealogy.records_from_events` says which edges it implies
(transformation inputs to outputs, children to their pallet, objects to the destinations of a
shipment) and this module keeps them with the platform's batch ids and the grams that moved.

Grams on an edge are the grams of the source that went into the target, where the event says:
a split (one input) takes each output's quantity from its input, a merge or repack (one output)
takes each input's quantity whole; a many-to-many transformation cannot say, so its edges carry
none. Stock left in a batch subtracts these grams (`transformed_by_batch`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from freshcircle.platform.ledger.services.epcis_lots import LotKey, gtin_lot, node_of
from freshcircle.platform.models import Batch, LotLink
from freshcircle.traceability.genealogy import TRANSFORMATIONS, LotEdge, records_from_events

GRAMS_PER_UNIT = {"KGM": 1000, "GRM": 1}


def _grams(entry: Mapping[str, Any]) -> int | None:
    factor = GRAMS_PER_UNIT.get(str(entry.get("uom") or ""))
    try:
        return int(Decimal(str(entry["quantity"])) * factor) if factor else None
    except (KeyError, InvalidOperation):
        return None


def _quantities(event: Mapping[str, Any], field: str) -> dict[str, int | None]:
    return {q["epcClass"]: _grams(q) for q in event.get(field) or [] if isinstance(q, dict)}


def _edge_grams(edge: LotEdge, inputs: dict, outputs: dict) -> int | None:
    if edge.kind == "split":
        return outputs.get(edge.target)
    if edge.kind in ("merge", "repack"):
        return inputs.get(edge.source)
    return None


def record_event_edges(session: Session, event: Mapping[str, Any], event_id: str,
                       batch_for: Callable[[LotKey], Batch | None]) -> int:
    """Store the genealogy edges one event implies; returns how many (origins are not edges:
    a batch knows its farm)."""
    inputs = _quantities(event, "inputQuantityList")
    outputs = _quantities(event, "outputQuantityList")
    batches: dict[str, int | None] = {}

    def batch_id(identifier: str) -> int | None:
        if identifier not in batches:
            key = gtin_lot(identifier)
            batch = batch_for(key) if key and key.lot else None
            batches[identifier] = batch.id if batch else None
        return batches[identifier]

    count = 0
    for record in records_from_events([{**event, "eventID": event_id}]):
        if not isinstance(record, LotEdge):
            continue
        session.add(LotLink(
            source=node_of(record.source), target=node_of(record.target), kind=record.kind,
            quantity_g=_edge_grams(record, inputs, outputs), event_id=event_id,
            source_batch_id=batch_id(record.source), target_batch_id=batch_id(record.target),
        ))
        count += 1
    return count


def transformed_by_batch(session: Session, batch_ids: list[int]) -> dict[int, int]:
    """Grams of each batch that went into other lots (splits, merges, repacks)."""
    if not batch_ids:
        return {}
    rows = session.execute(
        select(LotLink.source_batch_id, func.sum(LotLink.quantity_g))
        .where(LotLink.source_batch_id.in_(batch_ids), LotLink.kind.in_(sorted(TRANSFORMATIONS)))
        .group_by(LotLink.source_batch_id)
    )
    return {batch_id: int(total or 0) for batch_id, total in rows}

"""Holds and recalls with their effects: every lot made from the lot, every shipment that
carried any of them, and a notice to everyone who must act.

An inspector holds or recalls one lot; the forward trace (`trace.services.lot_trace`) finds the lots
split, merged or repacked from it, which get the same status (a recall reaches a held lot too;
a lot already recalled stays as it is), each with its own EPCIS event through
`batches.change_status`. Buyers whose sites received any of the lots or who ordered any of
them, the carriers who moved them and the members of every producer involved each get one
notice in their inbox naming the lots, quantities, shipments and orders that concern them.
Listings of a held lot pause; of a recalled lot close.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from freshcircle.platform.batches.services import batches as batch_service
from freshcircle.platform.core.services.access import require_role
from freshcircle.platform.core.services.errors import NotFound
from freshcircle.platform.models import (
    Batch,
    BatchStatus,
    Listing,
    ListingStatus,
    Membership,
    Notice,
    RecallRecord,
    Role,
    User,
)
from freshcircle.platform.trace.services import lot_trace
from freshcircle.platform.trace.services.lot_trace import OrderHit, ShipmentHit, TraceResult

RESTRICTIONS = (BatchStatus.HELD, BatchStatus.RECALLED)


@dataclass
class Effects:
    """What a hold or recall did: the trace, the lots it reached and the notices it sent."""

    trace: TraceResult
    status: BatchStatus
    cascaded: list[Batch] = field(default_factory=list)
    notified: list[User] = field(default_factory=list)
    record: RecallRecord | None = None


def _cascades_to(batch: Batch, status: BatchStatus) -> bool:
    return batch.status != BatchStatus.RECALLED and (
        status == BatchStatus.RECALLED or batch.status != BatchStatus.HELD)


def _shipment_facts(hits: list[ShipmentHit]) -> list[dict]:
    return [{"lot": hit.batch.lot_code, "product_zh": hit.batch.product.name_zh,
             "product_en": hit.batch.product.name_en, "grams": hit.quantity_g,
             "shipment": hit.shipment.id, "place_zh": hit.shipment.to_place.name_zh,
             "place_en": hit.shipment.to_place.name_en} for hit in hits]


def _order_facts(hits: list[OrderHit]) -> list[dict]:
    return [{"lot": hit.batch.lot_code, "grams": hit.quantity_g, "order": hit.order.id,
             "status": hit.order.status.value, "place_zh": hit.order.site.name_zh,
             "place_en": hit.order.site.name_en} for hit in hits]


def _recipients(session: Session, trace: TraceResult) -> dict[int, list]:
    """Each user to tell, with the shipments and orders that concern them (empty for producer
    members, who get the list of lots)."""
    concern: dict[int, list] = defaultdict(list)
    for hit in trace.shipments:
        for user_id in {hit.buyer.id if hit.buyer else None, hit.shipment.carrier_id} - {None}:
            concern[user_id].append(hit)
    for order_hit in trace.orders:
        concern[order_hit.buyer.id].append(order_hit)
    producers = {b.producer_id for b in trace.batches}
    for user_id in session.scalars(select(Membership.user_id)
                                   .where(Membership.producer_id.in_(producers))):
        concern.setdefault(user_id, [])
    return concern


def recipients(session: Session, actor: User, batch: Batch) -> list[User]:
    """Who a hold or recall of ``batch`` would tell now (the recall confirm page): the same
    rule as the notices, nothing changed."""
    trace = lot_trace.trace_lot(session, actor, batch, "forward")
    return [session.get(User, user_id) for user_id in sorted(_recipients(session, trace))]


def preview(session: Session, actor: User, batch: Batch, status: BatchStatus,
            reason: str | None) -> list[User]:
    """What the confirm page shows before a hold or recall: refuses what `restrict` would
    refuse (no reason, not an inspector, a recalled lot), else who would be told."""
    batch_service.check_status_change(session, actor, batch, BatchStatus(status), reason)
    return recipients(session, actor, batch)


def _notify(session: Session, effects: Effects, root: Batch, reason: str) -> None:
    lots = [b.lot_code for b in effects.trace.batches]
    for user_id, hits in sorted(_recipients(session, effects.trace).items()):
        payload = {"lot": root.lot_code, "product_zh": root.product.name_zh,
                   "product_en": root.product.name_en, "producer": root.producer.name,
                   "reason": reason, "lots": lots,
                   "shipments": _shipment_facts([h for h in hits if isinstance(h, ShipmentHit)]),
                   "orders": _order_facts([h for h in hits if isinstance(h, OrderHit)])}
        session.add(Notice(user_id=user_id, kind=effects.status.value, subject=root.lot_code,
                           payload=json.dumps(payload, ensure_ascii=False), batch_id=root.id))
        effects.notified.append(session.get(User, user_id))


def _take_off_sale(session: Session, effects: Effects) -> None:
    """A held lot's listings pause (the producer resumes them once released); a recalled
    lot's close, giving back to the batch what was not sold."""
    status = ListingStatus.CLOSED if effects.status == BatchStatus.RECALLED \
        else ListingStatus.PAUSED
    batch_ids = [b.id for b in effects.trace.batches]
    for listing in session.scalars(select(Listing).where(
            Listing.batch_id.in_(batch_ids), Listing.status != ListingStatus.CLOSED)):
        listing.status = status


def restrict(session: Session, actor: User, batch: Batch, status: BatchStatus,
             reason: str | None) -> Effects:
    """Hold or recall ``batch`` and everything made from it; tell everyone affected."""
    status = BatchStatus(status)
    if status not in RESTRICTIONS:
        raise ValueError(status)
    batch_service.change_status(session, actor, batch, status, reason)
    effects = Effects(lot_trace.trace_lot(session, actor, batch, "forward"), status)
    note = f"{reason.strip()}（源自批次 {batch.lot_code}）"
    for traced in effects.trace.lots:
        if traced.batch is not None and _cascades_to(traced.batch, status):
            batch_service.change_status(session, actor, traced.batch, status, note[:200])
            effects.cascaded.append(traced.batch)
    _take_off_sale(session, effects)
    _notify(session, effects, batch, reason.strip())
    effects.record = RecallRecord(batch=batch, status=status, reason=reason.strip()[:200],
                                  actor=actor, recipients=list(effects.notified))
    session.add(effects.record)
    session.flush()
    return effects


def records_query(actor: User, *, lot: str | None = None, status: BatchStatus | None = None):
    """召回记录: every hold and recall, newest first; for inspectors and administrators.
    `lot` keeps the records of lots whose code contains it, `status` holds or recalls."""
    require_role(actor, Role.INSPECTOR, Role.ADMIN)
    stmt = select(RecallRecord).order_by(RecallRecord.created_at.desc(), RecallRecord.id.desc())
    if lot:
        stmt = stmt.where(RecallRecord.batch_id.in_(
            select(Batch.id).where(Batch.lot_code.contains(lot.upper(), autoescape=True))))
    if status is not None:
        stmt = stmt.where(RecallRecord.status == status)
    return stmt


def get_record(session: Session, actor: User, record_id: int) -> RecallRecord:
    require_role(actor, Role.INSPECTOR, Role.ADMIN)
    record = session.get(RecallRecord, record_id)
    if record is None:
        raise NotFound()
    return record


def effects_of(session: Session, actor: User, batch: Batch) -> Effects:
    """The effects of a batch's current hold or recall, to show again (no notices sent)."""
    status = BatchStatus(batch.status)
    return Effects(lot_trace.trace_lot(session, actor, batch, "forward"), status)

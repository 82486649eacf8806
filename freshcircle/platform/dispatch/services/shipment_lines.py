"""Shipment lines: which batch, how much. Never more of a batch than remains.

Adding a line locks the shipment row, then the batch row (always in that order, and batches
by id, so concurrent requests cannot deadlock), and counts what remains only while holding
the batch lock: of two requests for the last kilograms, the second waits for the first to
commit, sees its line, and is refused.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from freshcircle.platform.batches.services.batches import lock_batch, remaining_grams
from freshcircle.platform.core.services.access import PRODUCER_ROLES, is_member
from freshcircle.platform.core.services.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from freshcircle.platform.core.services.quantities import grams_to_kg, to_grams
from freshcircle.platform.dispatch.services.shipment_access import require_shipper
from freshcircle.platform.ledger.services import epcis_events
from freshcircle.platform.models import (
    Batch,
    BatchStatus,
    Role,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
    User,
)


def lock_shipment(session: Session, shipment: Shipment) -> None:
    """Reload the shipment with its row locked, so its status cannot change under us."""
    session.refresh(shipment, with_for_update=True)


def _require_batch_owner(session: Session, actor: User, batch: Batch) -> None:
    if actor.role == Role.ADMIN:
        return
    if actor.role not in PRODUCER_ROLES or not is_member(session, actor, batch.producer_id):
        raise PermissionDenied(_l("You can ship only your own producers' batches."))


def _require_planned(shipment: Shipment) -> None:
    if shipment.status != ShipmentStatus.PLANNED:
        raise Conflict(_l("Lines can be added or removed only while the shipment is planned."))


def _add_line(session: Session, actor: User, shipment: Shipment, data: dict) -> ShipmentLine:
    grams = to_grams(data.get("quantity"), data.get("unit") or "kg")
    if grams is None:
        raise InvalidInput.field("quantity", _l("Enter a weight above zero (whole grams)."))
    batch = lock_batch(session, data.get("batch_id") or 0)
    if batch is None:
        raise InvalidInput.field("batch_id", _l("No such batch."))
    _require_batch_owner(session, actor, batch)
    if batch.status in (BatchStatus.HELD, BatchStatus.RECALLED):
        raise Conflict(_l("Batch %(lot)s is held or recalled and cannot be shipped.",
                          lot=batch.lot_code))
    already = session.scalar(select(ShipmentLine.id).where(
        ShipmentLine.shipment_id == shipment.id, ShipmentLine.batch_id == batch.id))
    if already:
        raise Conflict(_l("Batch %(lot)s is already on this shipment; remove its line to "
                          "change the quantity.", lot=batch.lot_code))
    remaining = remaining_grams(session, batch)
    if grams > remaining:
        raise Conflict(
            _l("Only %(kg)s kg of batch %(lot)s remain.", kg=grams_to_kg(max(remaining, 0)),
               lot=batch.lot_code),
            errors={"quantity": [_l("More than remains of this batch.")]},
        )
    line = ShipmentLine(shipment=shipment, batch=batch, quantity_g=grams)
    session.add(line)
    session.flush()
    return line


def add_line(session: Session, actor: User, shipment: Shipment, data: dict) -> ShipmentLine:
    """Put `quantity` `unit` (jin, kg or g) of a batch on a planned shipment."""
    lock_shipment(session, shipment)
    require_shipper(session, actor, shipment)
    _require_planned(shipment)
    line = _add_line(session, actor, shipment, data)
    epcis_events.record_lines_loaded(session, shipment, [line], actor)
    return line


def add_lines(session: Session, actor: User, shipment: Shipment, lines: list[dict]) -> None:
    """Add several lines; an error names the line's index (`{"lines": {"2": {...}}}`)."""
    if not lines:
        return
    # Lock the batches in id order first: two requests taking them in different orders
    # could otherwise deadlock.
    ids = sorted({line.get("batch_id") or 0 for line in lines})
    session.scalars(select(Batch.id).where(Batch.id.in_(ids)).order_by(Batch.id)
                    .with_for_update()).all()
    added = []
    for index, data in enumerate(lines):
        try:
            added.append(_add_line(session, actor, shipment, data))
        except (InvalidInput, Conflict) as error:
            detail = error.errors or {"batch_id": [error.message]}
            raise type(error)(error.message, errors={"lines": {str(index): detail}}) from error
    epcis_events.record_lines_loaded(session, shipment, added, actor)  # once all are valid


def remove_line(session: Session, actor: User, shipment: Shipment, line_id: int) -> None:
    """Take a line off a planned shipment; its grams are free again."""
    lock_shipment(session, shipment)
    require_shipper(session, actor, shipment)
    line = session.get(ShipmentLine, line_id)
    if line is None or line.shipment_id != shipment.id:
        raise NotFound(_l("No such line on this shipment."))
    _require_planned(shipment)
    if actor.role != Role.ADMIN and shipment.created_by_id != actor.id:
        _require_batch_owner(session, actor, line.batch)
    session.delete(line)
    session.flush()

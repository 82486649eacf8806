"""Who may see and change a shipment.

The shipper is an admin, the farmer who planned it, or a member of a producer whose batch is
on it; the carrier is the user assigned to it; inspectors and admins see every shipment;
buyers see none.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, or_, select, true
from sqlalchemy.orm import Session

from freshcircle.platform.core.services.access import (
    PRODUCER_ROLES,
    member_producer_ids,
    require_role,
)
from freshcircle.platform.core.services.errors import PermissionDenied
from freshcircle.platform.models import Batch, Membership, Role, Shipment, ShipmentLine, User

READER_ROLES = (*PRODUCER_ROLES, Role.CARRIER, Role.INSPECTOR, Role.ADMIN)
SHIPPER_ROLES = (*PRODUCER_ROLES, Role.ADMIN)


def producers_on(session: Session, shipment: Shipment) -> set[int]:
    """Producers whose batches are on the shipment."""
    return set(
        session.scalars(
            select(Batch.producer_id)
            .join(ShipmentLine, ShipmentLine.batch_id == Batch.id)
            .where(ShipmentLine.shipment_id == shipment.id)
        )
    )


def is_carrier(actor: User, shipment: Shipment) -> bool:
    return shipment.carrier_id is not None and shipment.carrier_id == actor.id


def is_shipper(session: Session, actor: User, shipment: Shipment) -> bool:
    if actor.role == Role.ADMIN:
        return True
    if actor.role not in PRODUCER_ROLES:
        return False
    if shipment.created_by_id == actor.id:
        return True
    return bool(producers_on(session, shipment) & member_producer_ids(session, actor))


def can_view(session: Session, actor: User, shipment: Shipment) -> bool:
    return actor.is_staff or is_carrier(actor, shipment) or is_shipper(session, actor, shipment)


def require_view(session: Session, actor: User, shipment: Shipment) -> None:
    require_role(actor, *READER_ROLES)
    if not can_view(session, actor, shipment):
        raise PermissionDenied(
            _l("Only the shipper, the carrier and inspectors can see this shipment.")
        )


def require_shipper(session: Session, actor: User, shipment: Shipment) -> None:
    if not is_shipper(session, actor, shipment):
        raise PermissionDenied(_l("Only the shipper can change this shipment."))


def visible_filter(actor: User) -> ColumnElement[bool]:
    """A WHERE clause keeping the shipments `actor` may see (the caller checks the role)."""
    if actor.is_staff:
        return true()
    clauses = [Shipment.carrier_id == actor.id]
    if actor.role in PRODUCER_ROLES:
        mine = select(Membership.producer_id).where(Membership.user_id == actor.id)
        with_my_batches = (
            select(ShipmentLine.shipment_id)
            .join(Batch, Batch.id == ShipmentLine.batch_id)
            .where(Batch.producer_id.in_(mine))
        )
        clauses += [Shipment.created_by_id == actor.id, Shipment.id.in_(with_my_batches)]
    return or_(*clauses)

"""Who a forward contract's parties are: its buyer, and the members of its producer; staff
read every contract, as with orders."""

from __future__ import annotations

from sqlalchemy.orm import Session

from freshcircle.platform.core.services.access import PRODUCER_ROLES, is_member
from freshcircle.platform.models import ForwardContract, User


def is_buyer_side(actor: User, contract: ForwardContract) -> bool:
    return actor.id == contract.buyer_id


def is_producer_side(session: Session, actor: User, contract: ForwardContract) -> bool:
    return actor.role in PRODUCER_ROLES and is_member(session, actor, contract.producer_id)


def can_see(session: Session, actor: User, contract: ForwardContract) -> bool:
    return (actor.is_staff or is_buyer_side(actor, contract)
            or is_member(session, actor, contract.producer_id))

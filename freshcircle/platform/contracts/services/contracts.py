"""Forward contracts: propose, change, confirm, release; who may see them.

Either side proposes: a buyer (naming the producer) or a member of the producer (naming the
buyer by mobile number; the site defaults to the buyer's default site). The proposer's side
counts as confirmed. The other side confirms; with both confirmations the contract is
`confirmed` and the harvest already listed from its plantings is offered at once
(`offers.offer_due`). A change before any order clears the other side's confirmation: both
must confirm again. Only its two parties see a contract (a buyer, the producer's members),
and staff read every one, as with orders; anyone else is told it does not exist.
"""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from freshcircle.platform.contracts.services import contract_notices, offers
from freshcircle.platform.contracts.services.contract_access import (
    can_see,
    is_buyer_side,
    is_producer_side,
)
from freshcircle.platform.contracts.services.contract_terms import Terms, check_terms
from freshcircle.platform.core.services.access import PRODUCER_ROLES, is_member
from freshcircle.platform.core.services.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from freshcircle.platform.models import (
    ContractStatus,
    ContractWeek,
    ForwardContract,
    Membership,
    Role,
    ShortfallStatus,
    User,
)

CHANGEABLE = (ContractStatus.PROPOSED, ContractStatus.CONFIRMED)
RELEASE_REASON_LENGTH = 500
NOT_CHANGEABLE = _l("This contract can no longer be changed: orders have been made for it, or "
                    "it was released.")


def changeable(contract: ForwardContract) -> bool:
    """Whether its terms may still change: not released, nothing ordered for it yet."""
    return contract.status in CHANGEABLE and not contract.orders


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now(dt.UTC)


def get_contract(session: Session, actor: User, contract_id: int) -> ForwardContract:
    """A contract its two parties or staff may see; to anyone else it does not exist."""
    contract = session.get(ForwardContract, contract_id)
    if contract is None or not can_see(session, actor, contract):
        raise NotFound(_l("No such contract."))
    return contract


def contracts_query(actor: User, status: ContractStatus | None = None):
    """The actor's contracts, newest first: a buyer's own, a producer member's producers',
    every one for staff."""
    stmt = (select(ForwardContract)
            .options(selectinload(ForwardContract.product),
                     selectinload(ForwardContract.producer), selectinload(ForwardContract.weeks))
            .order_by(ForwardContract.created_at.desc(), ForwardContract.id.desc()))
    if actor.role == Role.BUYER:
        stmt = stmt.where(ForwardContract.buyer_id == actor.id)
    elif not actor.is_staff:
        stmt = stmt.where(ForwardContract.producer_id.in_(
            select(Membership.producer_id).where(Membership.user_id == actor.id)))
    if status is not None:
        stmt = stmt.where(ForwardContract.status == ContractStatus(status))
    return stmt


def list_contracts(session: Session, actor: User, status=None) -> list[ForwardContract]:
    return list(session.scalars(contracts_query(actor, status)))


def _side(session: Session, actor: User, terms_producer_id: int) -> str:
    """'buyer' or 'producer': which side the actor proposes or acts for (admins: producer)."""
    if actor.role == Role.BUYER:
        return "buyer"
    if actor.role == Role.ADMIN or (actor.role in PRODUCER_ROLES
                                    and is_member(session, actor, terms_producer_id)):
        return "producer"
    raise PermissionDenied(_l("Only the buyer or the producer of a contract can do this."))


def _apply(contract: ForwardContract, terms: Terms) -> None:
    contract.producer, contract.buyer = terms.producer, terms.buyer
    contract.product, contract.grade, contract.site = terms.product, terms.grade, terms.site
    contract.price_kind = terms.price_kind
    contract.price_fen_per_jin = terms.price_fen_per_jin
    contract.band_min_fen, contract.band_max_fen = terms.band_min_fen, terms.band_max_fen
    contract.residue_test_required = terms.residue_test_required
    contract.plantings = list(terms.plantings)
    contract.notes = terms.notes
    contract.weeks = [ContractWeek(week_start=start, quantity_g=grams, original_g=grams)
                      for start, grams in terms.weeks]


def _confirm_side(contract: ForwardContract, side: str, actor: User, now: dt.datetime) -> None:
    if side == "buyer":
        contract.buyer_confirmed_at = now
    else:
        contract.producer_confirmed_at, contract.producer_confirmed_by_id = now, actor.id


def create_contract(session: Session, actor: User, data: dict,
                    now: dt.datetime | None = None) -> ForwardContract:
    """Propose a contract; the proposer's side counts as confirmed and the other is told."""
    now = _now(now)
    if actor.role not in (Role.BUYER, Role.ADMIN, *PRODUCER_ROLES):
        raise PermissionDenied()
    terms = check_terms(session, actor, data)
    side = _side(session, actor, terms.producer.id)
    contract = ForwardContract(status=ContractStatus.PROPOSED, proposed_by_id=actor.id)
    _apply(contract, terms)
    _confirm_side(contract, side, actor, now)
    session.add(contract)
    session.flush()
    contract_notices.tell_other_side(session, contract, "contract_proposed", actor.id)
    return contract


def update_contract(session: Session, actor: User, contract: ForwardContract, changes: dict,
                    now: dt.datetime | None = None) -> ForwardContract:
    """Change the terms before anything is ordered: the other side must confirm again."""
    now = _now(now)
    side = _party_side(session, actor, contract)
    if not changeable(contract):
        raise Conflict(NOT_CHANGEABLE)
    changes = {k: v for k, v in changes.items() if k not in ("producer_id", "buyer_phone")}
    terms = check_terms(session, actor, changes, current=contract)
    _apply(contract, terms)
    contract.buyer_confirmed_at = contract.producer_confirmed_at = None
    contract.producer_confirmed_by_id = None
    _confirm_side(contract, side, actor, now)
    contract.status = ContractStatus.PROPOSED
    session.flush()
    contract_notices.settle_requests(session, contract, now)  # the new terms ask again
    contract_notices.tell_other_side(session, contract, "contract_proposed", actor.id,
                                     changed=True)
    return contract


def _party_side(session: Session, actor: User, contract: ForwardContract) -> str:
    if is_buyer_side(actor, contract):
        return "buyer"
    if actor.role == Role.ADMIN or is_producer_side(session, actor, contract):
        return "producer"
    raise PermissionDenied(_l("Only the buyer or the producer of a contract can do this."))


def waiting_for(contract: ForwardContract) -> str | None:
    """Whose confirmation is missing: 'buyer', 'producer' or None."""
    if contract.status != ContractStatus.PROPOSED:
        return None
    if contract.buyer_confirmed_at is None:
        return "buyer"
    return "producer" if contract.producer_confirmed_at is None else None


def confirm_contract(session: Session, actor: User, contract: ForwardContract,
                     now: dt.datetime | None = None) -> ForwardContract:
    """The other side confirms; with both, the contract is confirmed and what is already
    listed from its plantings is offered to it."""
    now = _now(now)
    side = _party_side(session, actor, contract)
    if contract.status != ContractStatus.PROPOSED or waiting_for(contract) != side:
        raise Conflict(_l("This contract is not waiting for your confirmation."))
    _confirm_side(contract, side, actor, now)
    if contract.buyer_confirmed_at and contract.producer_confirmed_at:
        contract.status = ContractStatus.CONFIRMED
        session.flush()
        contract_notices.settle_requests(session, contract, now)
        contract_notices.tell_other_side(session, contract, "contract_confirmed", actor.id)
        offers.offer_due(session, actor, contract, now)
    session.flush()
    return contract


def release_contract(session: Session, actor: User, contract: ForwardContract,
                     reason: str | None, now: dt.datetime | None = None) -> ForwardContract:
    """The buyer releases the contract (after a shortfall, say): nothing more is offered to
    it; orders already made stay ordinary orders, and the history stays."""
    now = _now(now)
    if not (is_buyer_side(actor, contract) or actor.role == Role.ADMIN):
        raise PermissionDenied(_l("Only the buyer can release a contract."))
    if contract.status in (ContractStatus.RELEASED, ContractStatus.FULFILLED):
        raise Conflict(_l("This contract is already closed."))
    reason = " ".join((reason or "").split()) or None
    if reason and len(reason) > RELEASE_REASON_LENGTH:
        raise InvalidInput.field("reason", _l("At most %(num)d characters.",
                                              num=RELEASE_REASON_LENGTH))
    contract.status = ContractStatus.RELEASED
    contract.released_at, contract.release_reason = now, reason
    for shortfall in contract.shortfalls:
        if shortfall.status == ShortfallStatus.OPEN:
            shortfall.status = ShortfallStatus.RELEASED
            shortfall.answered_at, shortfall.answered_by_id = now, actor.id
    session.flush()
    contract_notices.settle_requests(session, contract, now)
    contract_notices.tell_other_side(session, contract, "contract_released", actor.id,
                                     reason=reason)
    return contract

"""Shortfalls: what a contract will not get, declared early, and the buyer's answer.

The producer declares one on the contract (quantity in 斤, the weeks affected, the reason), or
one is recorded by itself when a linked planting is reported lost or poor
(`planting_reported`, called by the planting pages and API with the season update): for a
lost planting its share of what is still due in the weeks its harvest covers (its expected
harvest against that of all the contract's plantings), for a poor one half of that share.
The buyer's users are told in the inbox with the quantity and the weeks. The buyer accepts
partial delivery (the weeks' quantities are lowered by the shortfall, never below what is
already ordered) or releases the contract (`contracts.release_contract`). Every shortfall
stays on the contract with its answer.
"""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from freshcircle.platform.contracts.services import contract_notices
from freshcircle.platform.contracts.services.contract_access import (
    can_see,
    is_buyer_side,
    is_producer_side,
)
from freshcircle.platform.contracts.services.contract_terms import monday
from freshcircle.platform.contracts.services.contract_weeks import week_rows
from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.core.services.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from freshcircle.platform.core.services.quantities import to_grams
from freshcircle.platform.models import (
    ContractShortfall,
    ContractStatus,
    ForwardContract,
    Planting,
    Role,
    SeasonStatus,
    ShortfallStatus,
    User,
    contract_plantings,
)

JIN = 500
REASON_LENGTH = 500
RUNNING = (ContractStatus.PROPOSED, ContractStatus.CONFIRMED, ContractStatus.ACTIVE)


def _record(session: Session, contract: ForwardContract, grams: int, week_from: dt.date,
            week_to: dt.date, reason: str, actor: User | None,
            planting: Planting | None = None) -> ContractShortfall:
    shortfall = ContractShortfall(contract=contract, planting=planting, quantity_g=grams,
                                  week_from=week_from, week_to=week_to, reason=reason,
                                  status=ShortfallStatus.OPEN,
                                  declared_by_id=actor.id if actor else None)
    session.add(shortfall)
    session.flush()
    contract_notices.tell(session, contract, "contract_shortfall", [contract.buyer_id],
                          shortfall=shortfall.id, grams=grams,
                          week_from=week_from.isoformat(), week_to=week_to.isoformat(),
                          reason=reason)
    return shortfall


def declare_shortfall(session: Session, actor: User, contract: ForwardContract, data: dict,
                      now: dt.datetime | None = None) -> ContractShortfall:
    """The producer declares a shortfall: quantity (斤), first and last week affected, why."""
    if not (actor.role == Role.ADMIN or is_producer_side(session, actor, contract)):
        raise PermissionDenied(_l("Only the producer can do this."))
    if contract.status not in RUNNING:
        raise Conflict(_l("This contract is already closed."))
    today = today_in_china(now)
    errors: dict[str, list] = {}
    grams = to_grams(data.get("quantity"), "jin")
    if grams is None or grams % JIN:
        errors["quantity"] = [_l("Enter whole jin above zero.")]
    weeks = {w.week_start for w in contract.weeks}
    first, last = data.get("week_from"), data.get("week_to") or data.get("week_from")
    named = [("week_from", first)] + ([("week_to", last)] if data.get("week_to") else [])
    for name, day in named:
        if not isinstance(day, dt.date):
            errors[name] = [_l("This field is required.")]
        elif monday(day) not in weeks:
            errors[name] = [_l("Choose one of the contract's delivery weeks.")]
        elif monday(day) + dt.timedelta(days=6) < today:
            errors[name] = [_l("This week has already ended.")]
    if not errors.keys() & {"week_from", "week_to"} and monday(last) < monday(first):
        errors["week_to"] = [_l("The last week is before the first.")]
    reason = " ".join((data.get("reason") or "").split())
    if not reason:
        errors["reason"] = [_l("Say why: the buyer reads it.")]
    elif len(reason) > REASON_LENGTH:
        errors["reason"] = [_l("At most %(num)d characters.", num=REASON_LENGTH)]
    if errors:
        raise InvalidInput(errors=errors)
    return _record(session, contract, grams, monday(first), monday(last), reason, actor)


def planting_reported(session: Session, actor: User, planting: Planting, status,
                      reason: str | None) -> list[ContractShortfall]:
    """A linked planting was reported lost or poor: record the shortfall on each running
    contract it grows for, in the weeks its harvest covers, and tell the buyer."""
    status = SeasonStatus(status)
    if status not in (SeasonStatus.LOST, SeasonStatus.POOR):
        return []
    contracts = session.scalars(
        select(ForwardContract).join(contract_plantings,
                                     contract_plantings.c.contract_id == ForwardContract.id)
        .where(contract_plantings.c.planting_id == planting.id,
               ForwardContract.status.in_(RUNNING)).order_by(ForwardContract.id))
    today = today_in_china()
    made = []
    for contract in contracts:
        rows = [r for r in week_rows(session, contract)
                if r.week_end >= max(today, planting.harvest_from)
                and r.week_start <= planting.harvest_to and r.due_g > 0]
        if not rows:
            continue
        expected = sum((p.expected_jin for p in contract.plantings), 0)
        share = planting.expected_jin / expected if expected else 1
        if status == SeasonStatus.POOR:
            share = share / 2
        grams = int(sum(r.due_g for r in rows) * share)
        grams -= grams % JIN
        if grams <= 0:
            continue
        made.append(_record(session, contract, grams, rows[0].week_start, rows[-1].week_start,
                            reason or str(status), actor, planting))
    return made


def get_shortfall(session: Session, actor: User, shortfall_id: int) -> ContractShortfall:
    shortfall = session.get(ContractShortfall, shortfall_id)
    if shortfall is None or not can_see(session, actor, shortfall.contract):
        raise NotFound(_l("No such shortfall."))
    return shortfall


def accept_partial(session: Session, actor: User, shortfall: ContractShortfall,
                   now: dt.datetime | None = None) -> ContractShortfall:
    """The buyer accepts partial delivery: the affected weeks' quantities are lowered by the
    shortfall, latest week first, never below what is already ordered for a week."""
    now = now or dt.datetime.now(dt.UTC)
    contract = shortfall.contract
    if not (is_buyer_side(actor, contract) or actor.role == Role.ADMIN):
        raise PermissionDenied(_l("Only the buyer can answer a shortfall."))
    if shortfall.status != ShortfallStatus.OPEN or contract.status not in RUNNING:
        raise Conflict(_l("This shortfall has already been answered."))
    ordered = {r.week_start: r.ordered_g for r in week_rows(session, contract)}
    left = shortfall.quantity_g
    for week in sorted(contract.weeks, key=lambda w: w.week_start, reverse=True):
        if not shortfall.week_from <= week.week_start <= shortfall.week_to or left <= 0:
            continue
        cut = min(left, week.quantity_g - ordered.get(week.week_start, 0))
        if cut > 0:
            week.quantity_g -= cut
            left -= cut
    shortfall.status = ShortfallStatus.ACCEPTED
    shortfall.answered_at, shortfall.answered_by_id = now, actor.id
    session.flush()
    return shortfall

"""Contract fulfilment per producer and per buyer: delivered against contracted, on time.

Counted over delivery weeks that have ended (a contract's future weeks say nothing yet), of
contracts both sides confirmed; a released contract counts its weeks that ended before its
release. Contracted is each week's agreed quantity after accepted shortfalls; delivered is
what its orders delivered (catch-weight); on time is the share of the contracted quantity
delivered by the end of its week. `fulfilment_by_producer` is a ranking input for matching
standing demand with producers.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from freshcircle.platform.contracts.services.contract_weeks import contract_orders, week_rows
from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.core.services.quantities import grams_to_jin
from freshcircle.platform.models import (
    ContractStatus,
    ForwardContract,
    Membership,
    Producer,
    Role,
    User,
)

COUNTED = (ContractStatus.CONFIRMED, ContractStatus.ACTIVE, ContractStatus.FULFILLED,
           ContractStatus.RELEASED)


@dataclass(frozen=True)
class Fulfilment:
    contracted_jin: Decimal
    delivered_jin: Decimal
    on_time_share: float | None  # None: nothing contracted for an ended week yet
    contracts: int

    @property
    def delivered_share(self) -> float | None:
        if not self.contracted_jin:
            return None
        return float(self.delivered_jin / self.contracted_jin)


def _sum(session: Session, contracts: list[ForwardContract], key, today: dt.date) -> dict:
    orders = contract_orders(session, [c.id for c in contracts])
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for contract in contracts:
        end = today
        if contract.released_at is not None:
            end = min(end, today_in_china(contract.released_at))
        total = totals[key(contract)]
        total[3] += 1
        for row in week_rows(session, contract, orders.get(contract.id, [])):
            if row.week_end >= end:
                continue
            total[0] += row.quantity_g
            total[1] += row.delivered_g
            total[2] += min(row.on_time_g, row.quantity_g)
    return {k: Fulfilment(grams_to_jin(c), grams_to_jin(d), (o / c) if c else None, n)
            for k, (c, d, o, n) in totals.items()}


def _contracts(session: Session, where) -> list[ForwardContract]:
    return list(session.scalars(
        select(ForwardContract).options(selectinload(ForwardContract.weeks))
        .where(ForwardContract.status.in_(COUNTED), where).order_by(ForwardContract.id)))


def fulfilment_by_producer(session: Session, producer_ids,
                           today: dt.date | None = None) -> dict[int, Fulfilment]:
    """Fulfilment of each producer's contracts (a producer without any is left out)."""
    ids = list(producer_ids)
    if not ids:
        return {}
    contracts = _contracts(session, ForwardContract.producer_id.in_(ids))
    return _sum(session, contracts, lambda c: c.producer_id, today or today_in_china())


def fulfilment_by_buyer(session: Session, buyer_ids,
                        today: dt.date | None = None) -> dict[int, Fulfilment]:
    """What each buyer's contracts received (a buyer without any is left out)."""
    ids = list(buyer_ids)
    if not ids:
        return {}
    contracts = _contracts(session, ForwardContract.buyer_id.in_(ids))
    return _sum(session, contracts, lambda c: c.buyer_id, today or today_in_china())


@dataclass(frozen=True)
class Report:
    producers: list[tuple[Producer, Fulfilment]]
    buyers: list[tuple[User, Fulfilment]]


def report_for(session: Session, actor: User, today: dt.date | None = None) -> Report:
    """The report a person may read: a producer member their producers' rows, a buyer their
    own row, staff every producer and buyer with contracts."""
    if actor.is_staff:
        producer_ids = set(session.scalars(select(ForwardContract.producer_id)))
        buyer_ids = set(session.scalars(select(ForwardContract.buyer_id)))
    elif actor.role == Role.BUYER:
        producer_ids, buyer_ids = set(), {actor.id}
    else:
        producer_ids = set(session.scalars(select(Membership.producer_id).where(
            Membership.user_id == actor.id)))
        buyer_ids = set()
    by_producer = fulfilment_by_producer(session, producer_ids, today)
    by_buyer = fulfilment_by_buyer(session, buyer_ids, today)
    producers = sorted(((session.get(Producer, k), v) for k, v in by_producer.items()),
                       key=lambda pair: pair[0].name)
    buyers = sorted(((session.get(User, k), v) for k, v in by_buyer.items()),
                    key=lambda pair: pair[0].name)
    return Report(producers, buyers)

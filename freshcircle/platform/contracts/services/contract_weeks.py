"""Where a contract stands week by week: agreed, ordered, delivered and delivered on time.

Ordered counts the contract's orders that are not cancelled or declined; delivered counts
delivered and completed orders at the weight delivered (catch-weight, `orders.line_grams`);
on time is what was delivered by the end of its week (China date of `delivered_at`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.market.services.orders import line_grams
from freshcircle.platform.models import (
    ContractOrder,
    ContractStatus,
    ForwardContract,
    Order,
    OrderStatus,
)

GONE = (OrderStatus.CANCELLED, OrderStatus.DECLINED)
DELIVERED = (OrderStatus.DELIVERED, OrderStatus.COMPLETED)


@dataclass(frozen=True)
class WeekRow:
    week_start: dt.date
    quantity_g: int
    original_g: int
    ordered_g: int
    delivered_g: int
    on_time_g: int

    @property
    def week_end(self) -> dt.date:
        return self.week_start + dt.timedelta(days=6)

    @property
    def due_g(self) -> int:
        """Agreed but not yet ordered."""
        return max(self.quantity_g - self.ordered_g, 0)


def contract_orders(session: Session, contract_ids) -> dict[int, list[tuple[dt.date, Order]]]:
    rows = session.execute(select(ContractOrder.contract_id, ContractOrder.week_start, Order)
                           .join(Order, Order.id == ContractOrder.order_id)
                           .where(ContractOrder.contract_id.in_(list(contract_ids)))
                           .order_by(Order.id))
    out: dict[int, list] = defaultdict(list)
    for contract_id, week, order in rows:
        out[contract_id].append((week, order))
    return out


def week_rows(session: Session, contract: ForwardContract,
              orders: list[tuple[dt.date, Order]] | None = None) -> list[WeekRow]:
    if orders is None:
        orders = contract_orders(session, [contract.id]).get(contract.id, [])
    ordered: dict[dt.date, int] = defaultdict(int)
    delivered: dict[dt.date, int] = defaultdict(int)
    on_time: dict[dt.date, int] = defaultdict(int)
    for week, order in orders:
        if order.status in GONE:
            continue
        ordered[week] += sum(line.quantity_g for line in order.lines)
        if order.status in DELIVERED:
            grams = sum(line_grams(line) for line in order.lines)
            delivered[week] += grams
            if order.delivered_at is not None and today_in_china(
                    order.delivered_at) <= week + dt.timedelta(days=6):
                on_time[week] += grams
    return [WeekRow(w.week_start, w.quantity_g, w.original_g, ordered[w.week_start],
                    delivered[w.week_start], on_time[w.week_start]) for w in contract.weeks]


def shown_status(contract: ForwardContract, rows: list[WeekRow]) -> ContractStatus:
    """The stored status, or `fulfilled` once every week's quantity is delivered."""
    if contract.status in (ContractStatus.ACTIVE, ContractStatus.CONFIRMED) and rows and all(
            r.delivered_g >= r.quantity_g for r in rows):
        return ContractStatus.FULFILLED
    return ContractStatus(contract.status)


class ContractView:
    """A contract as pages and the API show it: its columns, the shown status, whose
    confirmation is missing and its weeks' rows."""

    def __init__(self, session: Session, contract: ForwardContract) -> None:
        self.contract = contract
        self.weeks = week_rows(session, contract)
        self.status = shown_status(contract, self.weeks)
        self.waiting_for = None
        if contract.status == ContractStatus.PROPOSED:
            self.waiting_for = ("buyer" if contract.buyer_confirmed_at is None
                                else "producer" if contract.producer_confirmed_at is None
                                else None)

    def __getattr__(self, name: str):
        return getattr(self.contract, name)

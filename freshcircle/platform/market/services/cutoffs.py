"""Cut-off notices: when a producer's order cut-off for a dispatch day has passed, every member
of the producer gets the day's packing list in the inbox, once.

`send_due` looks at dispatch days from today (China) to tomorrow: the cut-off for a day is on
the day before (`delivery.cutoff_for`), so a later day's cut-off cannot have passed, and a
day already gone is no use to pack for. A producer with no orders (other than cancelled ones)
for the day gets nothing. Each (producer, day) is written in its own savepoint together with
its `CutoffNotice` row, whose unique (producer, dispatch_date) makes the whole thing
idempotent, also when two runs overlap: the second one's insert fails, its notices are rolled
back with it, and it moves on.

E-mail: `market.services.cutoff_mail.email_unsent` mails the notices to members with an address
when FRESHCIRCLE_SMTP_URL is set, after this transaction commits, and sets `emailed`.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from freshcircle.platform.core.services.clock import CHINA
from freshcircle.platform.market.services.delivery import cutoff_for
from freshcircle.platform.market.services.order_documents import packing_groups
from freshcircle.platform.models import (
    CutoffNotice,
    Membership,
    Notice,
    Order,
    OrderLine,
    OrderStatus,
    Producer,
    Role,
    User,
)

SELLER_ROLES = (Role.FARMER, Role.COOP_ADMIN)


@dataclass(frozen=True)
class Sent:
    producer_id: int
    dispatch_date: dt.date
    orders: int
    notices: int


def _due_orders(session: Session, now: dt.datetime) -> dict[tuple[int, dt.date], list[Order]]:
    today = now.astimezone(CHINA).date()
    rows = session.scalars(
        select(Order)
        .where(Order.dispatch_date.between(today, today + dt.timedelta(days=1)),
               Order.status.not_in((OrderStatus.CANCELLED, OrderStatus.DECLINED)))
        .options(selectinload(Order.producer), selectinload(Order.site),
                 selectinload(Order.lines).selectinload(OrderLine.batch))
        .order_by(Order.producer_id, Order.dispatch_date, Order.id))
    due: dict[tuple[int, dt.date], list[Order]] = {}
    for order in rows:
        if now >= cutoff_for(order.producer, order.dispatch_date):
            due.setdefault((order.producer_id, order.dispatch_date), []).append(order)
    return due


def _members(session: Session, producer_id: int) -> list[User]:
    return list(session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.producer_id == producer_id, User.active.is_(True),
               User.role.in_(SELLER_ROLES))
        .order_by(User.id)))


def packing_payload(session: Session, producer: Producer, day: dt.date,
                    orders: list[Order]) -> dict:
    """The facts of a cut-off notice: the day, its cut-off and the packing list per batch."""
    return {
        "producer_id": producer.id, "producer": producer.name,
        "dispatch_date": day.isoformat(),
        "cutoff": cutoff_for(producer, day).isoformat(),
        "orders": [order.id for order in orders],
        "batches": [group.as_dict() for group in packing_groups(session, orders)],
    }


def send_due(session: Session, now: dt.datetime | None = None) -> list[Sent]:
    """Write the cut-off notices that are due and not yet sent; returns what was sent."""
    now = now or dt.datetime.now(dt.UTC)
    sent = []
    for (producer_id, day), orders in _due_orders(session, now).items():
        if session.scalar(select(CutoffNotice.id).where(
                CutoffNotice.producer_id == producer_id, CutoffNotice.dispatch_date == day)):
            continue
        producer = orders[0].producer
        payload = packing_payload(session, producer, day, orders)
        members = _members(session, producer_id)
        text = json.dumps(payload, ensure_ascii=False)
        try:
            with session.begin_nested():
                session.add(CutoffNotice(producer_id=producer_id, dispatch_date=day,
                                         orders=len(orders), sent_at=now, emailed=False,
                                         detail=text))
                session.add_all(Notice(user_id=member.id, kind="cutoff",
                                       subject=day.isoformat(), payload=text, created_at=now)
                                for member in members)
        except IntegrityError:
            continue  # another run sent this one first
        sent.append(Sent(producer_id, day, len(orders), len(members)))
    session.flush()
    return sent

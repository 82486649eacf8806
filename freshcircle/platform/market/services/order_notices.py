"""Inbox notices about orders (issue 13).

Producers (every member of the order's producer) are told of a new, changed or cancelled
order; buyers of a confirmation, a decline (with the reason), a dispatch and a delivery
(`orders._tell_buyer_delivered`, kind 'delivered'); recalls reach buyers through
`trace.services.recalls`. Each notice keeps the facts as JSON; the inbox words them in the
reader's language (`market/orders/_notice.html`).
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from freshcircle.platform.models import Membership, Notice, Order, utcnow

TO_PRODUCER = ("order_placed", "order_changed", "order_cancelled")
TO_BUYER = ("order_confirmed", "order_declined", "order_dispatched")
KINDS = (*TO_PRODUCER, *TO_BUYER)


def _facts(order: Order, extra: dict) -> dict:
    return {
        "order": order.id, "buyer": order.buyer.name, "producer": order.producer.name,
        "dispatch_date": order.dispatch_date.isoformat(),
        "site_zh": order.site.name_zh, "site_en": order.site.name_en,
        "lines": [{"lot": line.batch.lot_code, "product_zh": line.listing.product.name_zh,
                   "product_en": line.listing.product.name_en, "grams": line.quantity_g}
                  for line in order.lines],
        **extra,
    }


def tell(session: Session, order: Order, kind: str, at: dt.datetime | None = None,
         **extra) -> list[Notice]:
    """One notice of `kind` to each person it concerns: the producer's members for the
    producer kinds, the buyer for the others; dated `at`, the moment of the step."""
    if kind not in KINDS:
        raise ValueError(kind)
    if kind in TO_PRODUCER:
        users = list(session.scalars(select(Membership.user_id).where(
            Membership.producer_id == order.producer_id).order_by(Membership.user_id)))
    else:
        users = [order.buyer_id]
    payload = json.dumps(_facts(order, extra), ensure_ascii=False)
    notices = [Notice(user_id=user_id, kind=kind, subject=f"#{order.id}", batch_id=None,
                      payload=payload, created_at=at or utcnow())
               for user_id in dict.fromkeys(users)]
    session.add_all(notices)
    return notices


def tell_delivered(session: Session, order: Order, ordered_fen: int, invoice_fen: int) -> None:
    """Tell the buyer the order arrived, with the invoice from the weight delivered."""
    session.add(Notice(user_id=order.buyer_id, kind="delivered", subject=f"#{order.id}",
                       batch_id=None, payload=json.dumps({
                           "order": order.id, "ordered_fen": ordered_fen,
                           "invoice_fen": invoice_fen,
                           "lines": [{"lot": line.batch.lot_code, "ordered_g": line.quantity_g,
                                      "delivered_g": line.delivered_g} for line in order.lines],
                       }, ensure_ascii=False)))

"""EPCIS events of marketplace orders, one per lot line, with the order as purchase order.

The sale (a TransactionEvent ADD tying each lot's quantity to the order), then packing,
shipping to the buyer's site and receiving there (with the delivered, catch-weight quantity).
Recorded only where the app's trace settings exist, like `ledger.services.epcis_events`.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from freshcircle.platform.ledger.services.epcis_events import epcis_config, trace_settings
from freshcircle.platform.ledger.services.epcis_store import lot_key, store_event
from freshcircle.platform.ledger.services.trace_codes import trade_item_for
from freshcircle.platform.models import Order, OrderLine, OrderStatus, User, utcnow
from freshcircle.traceability.epcis import (
    ADD,
    OBSERVE,
    BizTransaction,
    Location,
    ObjectEvent,
    Party,
    Quantity,
    TransactionEvent,
    event_payload,
)

# (bizStep, disposition, where: "producer" or "site") for the steps that move goods.
STEPS = {
    OrderStatus.PACKED: ("packing", "in_progress", "producer"),
    OrderStatus.SHIPPED: ("shipping", "in_transit", "producer"),
    OrderStatus.DELIVERED: ("receiving", "in_progress", "site"),
}


def _kg(grams: int) -> Decimal:
    return Decimal(grams) / 1000


def _quantity(session: Session, settings, line: OrderLine, grams: int) -> Quantity:
    batch = line.batch
    item = trade_item_for(session, settings, batch.producer_id, batch.product_id)
    return Quantity(item.gtin, batch.lot_code, _kg(grams))


def _store(session: Session, config, event, actor: User | None, line: OrderLine) -> None:
    """Store the event about `line`'s lot, which is not looked up again."""
    known = {lot_key(q.gtin, q.lot): line.batch for q in event.quantities if q.lot}
    store_event(session, event_payload(event, config), config.context, actor, known)


def record_sale(session: Session, order: Order, actor: User | None) -> None:
    """The sale: each lot line tied to the order (re-checkouts add events for the change)."""
    settings = trace_settings()
    if settings is None:
        return
    config = epcis_config(settings)
    po = BizTransaction(config.local_id("order", str(order.id)), "po")
    for line in order.lines:
        _store(session, config, TransactionEvent(
            event_time=utcnow(), action=ADD, biz_transactions=(po,),
            quantities=(_quantity(session, settings, line, line.quantity_g),),
            biz_location=Location(uri=config.local_id("producer", str(order.producer_id))),
        ), actor, line)


def record_status(session: Session, order: Order, actor: User | None) -> None:
    step = STEPS.get(OrderStatus(order.status))
    settings = trace_settings()
    if step is None or settings is None:
        return
    config = epcis_config(settings)
    biz_step, disposition, where = step
    producer = config.local_id("producer", str(order.producer_id))
    site = config.local_id("place", str(order.site_id))
    po = BizTransaction(config.local_id("order", str(order.id)), "po")
    for line in order.lines:
        grams = line.delivered_g if where == "site" and line.delivered_g is not None \
            else line.quantity_g
        if grams == 0:
            continue
        _store(session, config, ObjectEvent(
            event_time=utcnow(), action=OBSERVE, biz_step=biz_step, disposition=disposition,
            quantities=(_quantity(session, settings, line, grams),),
            read_point=Location(uri=site if where == "site" else producer),
            biz_transactions=(po,),
            sources=(Party(producer, "owning_party"),),
            destinations=(Party(site, "location"),) if biz_step == "shipping" else (),
        ), actor, line)

"""EPCIS events the platform records itself when a batch or shipment changes state.

Harvest (ObjectEvent ADD with ILMD) when a batch is registered, hold and recall, shipping when
a shipment departs and receiving when it is delivered (one event per lot on it, so each lot's
chain is complete). The batch and shipment services call these with one line each.

Why the settings come from the app here: the GTIN of a lot needs the app's `TraceSettings`
(GS1 company prefix, domain), and passing them in would change the signatures of
`create_batch` and both `change_status` functions that pages, the API and the demo seed call.
So `trace_settings()` reads `flask.current_app.extensions["trace_settings"]`, and only when
an app context is active; outside one (a plain script) no event is recorded.
"""

from __future__ import annotations

from decimal import Decimal

from flask import current_app, has_app_context
from sqlalchemy.orm import Session

from freshcircle.traceability.epcis import (
    ADD,
    OBSERVE,
    BizTransaction,
    EpcisConfig,
    Location,
    LotMasterData,
    ObjectEvent,
    Party,
    Quantity,
    event_payload,
)

from ..models import Batch, BatchStatus, Shipment, ShipmentStatus, User, utcnow
from .epcis_store import store_event
from .trace_codes import TraceSettings, trade_item_for

# (bizStep, disposition) recorded when a batch enters these statuses.
STATUS_EVENTS = {
    BatchStatus.HELD: ("holding", "non_sellable_other"),
    BatchStatus.RECALLED: ("holding", "recalled"),
}
SHIPMENT_EVENTS = {
    ShipmentStatus.IN_TRANSIT: ("shipping", "in_transit"),
    ShipmentStatus.DELIVERED: ("receiving", "in_progress"),
}


def trace_settings() -> TraceSettings | None:
    """The app's trace settings, or None outside an app context (see the module docstring)."""
    if not has_app_context():
        return None
    return current_app.extensions.get("trace_settings")


def epcis_config(settings: TraceSettings) -> EpcisConfig:
    return EpcisConfig(domain=settings.domain)


def _record(session: Session, config: EpcisConfig, event: ObjectEvent,
            actor: User | None) -> str:
    return store_event(session, event_payload(event, config), config.context, actor)[0]


def _kg(grams: int) -> Decimal:
    return Decimal(grams) / 1000


def _place(config: EpcisConfig, place_id: int) -> str:
    return config.local_id("place", str(place_id))


def record_batch_registered(session: Session, batch: Batch, actor: User | None = None,
                            settings: TraceSettings | None = None) -> str | None:
    """The harvest of a new batch: ObjectEvent ADD, bizStep harvesting, with its ILMD."""
    settings = settings or trace_settings()
    if settings is None:
        return None
    config = epcis_config(settings)
    item = trade_item_for(session, settings, batch.producer_id, batch.product_id)
    producer, product = batch.producer, batch.product
    event = ObjectEvent(
        event_time=batch.created_at or utcnow(), action=ADD, biz_step="harvesting",
        disposition="active",
        quantities=(Quantity(item.gtin, batch.lot_code, _kg(batch.quantity_g)),),
        biz_location=Location(uri=config.local_id("producer", str(producer.id))),
        ilmd=LotMasterData(harvest_date=batch.harvest_date, commodity=product.name_zh,
                           variety=batch.variety, farm=producer.name, plot=batch.plot,
                           county_code=producer.county_code),
    )
    return _record(session, config, event, actor)


def record_batch_status(session: Session, batch: Batch, actor: User | None = None,
                        settings: TraceSettings | None = None) -> str | None:
    """A hold or a recall: ObjectEvent OBSERVE, bizStep holding, disposition as it says."""
    step = STATUS_EVENTS.get(BatchStatus(batch.status))
    settings = settings or trace_settings()
    if step is None or settings is None:
        return None
    config = epcis_config(settings)
    item = trade_item_for(session, settings, batch.producer_id, batch.product_id)
    event = ObjectEvent(
        event_time=utcnow(), action=OBSERVE, biz_step=step[0], disposition=step[1],
        quantities=(Quantity(item.gtin, batch.lot_code),),
        biz_location=Location(uri=config.local_id("producer", str(batch.producer_id))),
    )
    return _record(session, config, event, actor)


def record_shipment_status(session: Session, shipment: Shipment, actor: User | None = None,
                           settings: TraceSettings | None = None) -> list[str]:
    """Departure (shipping) or delivery (receiving): one event per lot on the shipment, with
    its quantity, the origin and destination, and the shipment as the reference document."""
    step = SHIPMENT_EVENTS.get(ShipmentStatus(shipment.status))
    settings = settings or trace_settings()
    if step is None or settings is None:
        return []
    config = epcis_config(settings)
    departing = shipment.status == ShipmentStatus.IN_TRANSIT
    moment = (shipment.actual_departure if departing else shipment.actual_arrival) or utcnow()
    here = shipment.from_place_id if departing else shipment.to_place_id
    ids = []
    for line in shipment.lines:
        item = trade_item_for(session, settings, line.batch.producer_id, line.batch.product_id)
        event = ObjectEvent(
            event_time=moment, action=OBSERVE, biz_step=step[0], disposition=step[1],
            quantities=(Quantity(item.gtin, line.batch.lot_code, _kg(line.quantity_g)),),
            read_point=Location(uri=_place(config, here)),
            biz_transactions=(BizTransaction(config.local_id("shipment", str(shipment.id)),
                                             "bol"),),
            sources=(Party(_place(config, shipment.from_place_id), "location"),),
            destinations=(Party(_place(config, shipment.to_place_id), "location"),),
        )
        ids.append(_record(session, config, event, actor))
    return ids

"""EPCIS events the platform records itself when a batch or shipment changes state.

Harvest (ObjectEvent ADD with ILMD) when a batch is registered; inspection when a residue test
is recorded; commissioning when a label run is started; loading when a lot is put on a planned
shipment; shipping when the shipment departs, receiving when it is delivered and, at a cold
store or hub, storing; hold and recall. Shipment events are one per lot, so each lot's chain is
complete. Each carries the FSMA key data the platform knows: quantity and unit, locations, the
time, and a reference document in bizTransactionList. The services call these with one line each.
Sale (retail_selling) is not recorded: there are no orders yet to record it from.

Why the settings come from the app here: the GTIN of a lot needs the app's `TraceSettings`
(GS1 company prefix, domain), and passing them in would change the signatures of
`create_batch` and both `change_status` functions that pages, the API and the demo seed call.
So `trace_settings()` reads `flask.current_app.extensions["trace_settings"]`, and only when
an app context is active; outside one (a plain script) no event is recorded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy.orm import Session

from freshcircle.platform.core.services.clock import CHINA
from freshcircle.platform.ledger.services.epcis_store import lot_key, store_event
from freshcircle.platform.ledger.services.trace_codes import TraceSettings, trade_item_for
from freshcircle.platform.models import (
    Batch,
    BatchStatus,
    LabelRun,
    PlaceKind,
    ResidueTest,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
    TestResult,
    User,
    utcnow,
)
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
from freshcircle.traceability.signing import encode_serial

# (bizStep, disposition) recorded when a batch enters these statuses.
STATUS_EVENTS = {
    BatchStatus.HELD: ("holding", "non_sellable_other"),
    BatchStatus.RECALLED: ("holding", "recalled"),
}
SHIPMENT_EVENTS = {
    ShipmentStatus.IN_TRANSIT: ("shipping", "in_transit"),
    ShipmentStatus.DELIVERED: ("receiving", "in_progress"),
}
# Places where a delivered lot goes into storage (a storing event after receiving); a buyer
# site or a wholesale market is where it is used or sold, not stored.
STORAGE_PLACES = (PlaceKind.COLD_STORE, PlaceKind.HUB)


def trace_settings() -> TraceSettings | None:
    """The app's trace settings, or None outside an app context (see the module docstring)."""
    if not has_app_context():
        return None
    return current_app.extensions.get("trace_settings")


def epcis_config(settings: TraceSettings) -> EpcisConfig:
    return EpcisConfig(domain=settings.domain)


def _record(session: Session, config: EpcisConfig, event: ObjectEvent, actor: User | None,
            batch: Batch, extensions: Mapping[str, Any] | None = None) -> str:
    """Store the event about `batch` (it names only that lot), which is not looked up again."""
    payload = event_payload(event, config, extensions=extensions)
    known = {lot_key(q.gtin, q.lot): batch for q in event.quantities if q.lot}
    return store_event(session, payload, config.context, actor, known)[0]


def _kg(grams: int) -> Decimal:
    return Decimal(grams) / 1000


def _place(config: EpcisConfig, place_id: int) -> str:
    return config.local_id("place", str(place_id))


def _producer(config: EpcisConfig, producer_id: int) -> Location:
    return Location(uri=config.local_id("producer", str(producer_id)))


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _on_day(day: dt.date, recorded: dt.datetime | None) -> dt.datetime:
    """When something dated `day` (in China) happened: when it was recorded if that was on
    the day, else the day's last millisecond (a later entry for an earlier day)."""
    end = dt.datetime.combine(day, dt.time(23, 59, 59, 999_000), CHINA)
    return min(_aware(recorded or utcnow()), end)


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
                           variety=batch.variety, farm=producer.name, plot=batch.plot.name,
                           county_code=producer.county_code),
    )
    return _record(session, config, event, actor, batch)


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
    return _record(session, config, event, actor, batch)


def record_residue_test(session: Session, test: ResidueTest, actor: User | None = None,
                        settings: TraceSettings | None = None) -> str | None:
    """A residue test: ObjectEvent OBSERVE, bizStep inspecting, conformant when it passed and
    non_conformant when it failed, with the test as a test-result (testres) reference.

    A test is dated, not timed: the event is at the moment it was recorded, or at the end of
    the test day when it was entered later. The read point is the producer, like the harvest.
    """
    settings = settings or trace_settings()
    if settings is None:
        return None
    config = epcis_config(settings)
    batch = test.batch
    item = trade_item_for(session, settings, batch.producer_id, batch.product_id)
    passed = test.result == TestResult.PASS
    event = ObjectEvent(
        event_time=_on_day(test.tested_on, test.created_at), action=OBSERVE,
        biz_step="inspecting", disposition="conformant" if passed else "non_conformant",
        quantities=(Quantity(item.gtin, batch.lot_code, _kg(batch.quantity_g)),),
        read_point=_producer(config, batch.producer_id),
        biz_transactions=(BizTransaction(config.local_id("test", str(test.id)), "testres"),),
    )
    return _record(session, config, event, actor, batch, {"testMethod": test.method.value})


def record_label_run(session: Session, run: LabelRun, actor: User | None = None,
                     settings: TraceSettings | None = None) -> str | None:
    """Packing and labelling: one ObjectEvent ADD, bizStep commissioning, for the whole run.

    The quantity is class-level, never one EPC per pack: the packs' total in kilograms, like
    every other event of the lot (or, for a run with no pack weight, the number of packs with
    no unit, which EPCIS reads as a count). One entry per lot, so nothing sums it twice. The
    extensions fc:packCount, fc:packNetWeightKg, fc:firstSerial and fc:lastSerial (serials as
    printed in AI 21) say what was labelled; the run is the production-order (prodorder)
    reference. A run that fails later adds no event.
    """
    settings = settings or trace_settings()
    if settings is None:
        return None
    config = epcis_config(settings)
    batch = run.batch
    gtin, lot = run.trade_item.gtin, batch.lot_code
    quantity = (Quantity(gtin, lot, _kg(run.net_weight_g * run.count)) if run.net_weight_g
                else Quantity(gtin, lot, run.count, uom=None))
    event = ObjectEvent(
        event_time=_aware(run.created_at or utcnow()), action=ADD, biz_step="commissioning",
        disposition="active", quantities=(quantity,),
        read_point=_producer(config, batch.producer_id),
        biz_location=_producer(config, batch.producer_id),
        biz_transactions=(BizTransaction(config.local_id("label-run", str(run.id)),
                                         "prodorder"),),
    )
    last = run.first_serial + run.count - 1
    extensions = {"packCount": run.count,
                  "packNetWeightKg": _kg(run.net_weight_g) if run.net_weight_g else None,
                  "firstSerial": encode_serial(run.first_serial),
                  "lastSerial": encode_serial(last)}
    return _record(session, config, event, actor, batch, extensions)


def _shipment_event(config: EpcisConfig, gtin: str, line: ShipmentLine, shipment: Shipment,
                    moment: dt.datetime, step: tuple[str, str], here: int) -> ObjectEvent:
    """One lot of a shipment at `here`: its quantity, origin and destination, the shipment."""
    return ObjectEvent(
        event_time=moment, action=OBSERVE, biz_step=step[0], disposition=step[1],
        quantities=(Quantity(gtin, line.batch.lot_code, _kg(line.quantity_g)),),
        read_point=Location(uri=_place(config, here)),
        biz_transactions=(BizTransaction(config.local_id("shipment", str(shipment.id)), "bol"),),
        sources=(Party(_place(config, shipment.from_place_id), "location"),),
        destinations=(Party(_place(config, shipment.to_place_id), "location"),),
    )


def record_lines_loaded(session: Session, shipment: Shipment, lines: list[ShipmentLine],
                        actor: User | None = None,
                        settings: TraceSettings | None = None) -> list[str]:
    """Lots put on a planned shipment: ObjectEvent OBSERVE, bizStep loading, in_progress, one
    per lot, at the origin, with the quantity, the destination and the shipment reference.

    The time is when the line was added, or the planned departure if that is earlier (a
    shipment entered after it left), so loading never comes after the departure it plans.
    """
    settings = settings or trace_settings()
    if settings is None or not lines:
        return []
    config = epcis_config(settings)
    moment = min(utcnow(), _aware(shipment.planned_departure or utcnow()))
    ids = []
    for line in sorted(lines, key=lambda line: line.batch_id):  # batch locks in id order
        item = trade_item_for(session, settings, line.batch.producer_id, line.batch.product_id)
        event = _shipment_event(config, item.gtin, line, shipment, moment,
                                ("loading", "in_progress"), shipment.from_place_id)
        ids.append(_record(session, config, event, actor, line.batch))
    return ids


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
        event = _shipment_event(config, item.gtin, line, shipment, moment, step, here)
        ids.append(_record(session, config, event, actor, line.batch))
    return ids


def record_stored(session: Session, shipment: Shipment, actor: User | None = None,
                  settings: TraceSettings | None = None) -> list[str]:
    """A delivery to a cold store or hub: ObjectEvent OBSERVE, bizStep storing, one per lot.

    The disposition is CBV's for stock in storage, sellable_not_accessible, unless the lot
    is held or recalled (then that hold's disposition). Read point and business location are
    the place; the shipment that brought the lot is the reference. Nothing for a buyer site.
    """
    settings = settings or trace_settings()
    if (settings is None or shipment.status != ShipmentStatus.DELIVERED
            or shipment.to_place.kind not in STORAGE_PLACES):
        return []
    config = epcis_config(settings)
    moment = shipment.actual_arrival or utcnow()
    here = Location(uri=_place(config, shipment.to_place_id))
    ids = []
    for line in shipment.lines:
        batch = line.batch
        item = trade_item_for(session, settings, batch.producer_id, batch.product_id)
        held = STATUS_EVENTS.get(BatchStatus(batch.status))
        event = ObjectEvent(
            event_time=moment, action=OBSERVE, biz_step="storing",
            disposition=held[1] if held else "sellable_not_accessible",
            quantities=(Quantity(item.gtin, batch.lot_code, _kg(line.quantity_g)),),
            read_point=here, biz_location=here,
            biz_transactions=(BizTransaction(config.local_id("shipment", str(shipment.id)),
                                             "bol"),),
        )
        ids.append(_record(session, config, event, actor, line.batch))
    return ids

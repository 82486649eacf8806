"""What a consumer's scan shows: the verdict on the code, then the story of its batch.

`resolve_code` decides what a scanned Digital Link may reveal; `batch_story` gathers the
story of a batch in a handful of queries. Only a correctly signed code reaches a batch: a
forged, unsigned or never-issued code gets the verdict (and at most the GTIN's product),
so nobody can walk lot codes to read other producers' records.

`StoryCache` lets the scan page reuse a batch's rendered story for a few seconds
(SCAN_STORY_CACHE_SECONDS, 30 by default; 0 turns it off), because a popular batch is scanned
far more often than its records change. What may be up to that many seconds old: new
temperature readings and excursions, new residue tests, certifications, farm inputs, EPCIS
events, a shipment's status and times, and the producer's or product's names. Those are the
batch's history, written by farmers, carriers and testers minutes or hours after the fact;
a consumer who sees them half a minute later loses nothing. What is never stale: the verdict
on the code (signature, issued serial), the recall or hold banner and its reason, and the
copied-code warning all come from the request's own queries, and the cache key holds the
batch's status, status reason and `updated_at`, so a hold, a recall or an edit of the batch
is a new key and shows on the very next view. The safety decision about a batch is its hold
or recall; that is always current.
"""

from __future__ import annotations

import datetime as dt
import enum
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, false, or_, select
from sqlalchemy.orm import Session, joinedload

from freshcircle.logistics import excursions as excursion_rule
from freshcircle.platform.core.services.errors import NotFound
from freshcircle.platform.dispatch.services.shelf_life_view import LifeView, life_view, produce_for
from freshcircle.platform.dispatch.services.shipments import SET_POINT_RANGES
from freshcircle.platform.farms.services.safety import SafetyStatus, safety_status
from freshcircle.platform.ledger.services.trace_codes import TraceSettings, was_issued
from freshcircle.platform.models import (
    Batch,
    BatchPhoto,
    BatchStatus,
    Certification,
    EpcisEventRecord,
    FarmInput,
    Producer,
    Product,
    ResidueTest,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
    StoredFile,
    TemperatureReading,
    TradeItem,
)
from freshcircle.traceability.digital_link import DigitalLink
from freshcircle.traceability.signing import verify


class CodeState(enum.StrEnum):
    """What a scan may show; the value is stored as ScanEvent.verdict."""

    GENUINE = "genuine"  # signed serial that a label run printed: the whole story
    LOT = "lot"  # signed lot-level code: the story, no per-pack authenticity
    NOT_ISSUED = "not_issued"  # signature valid, but serial never printed or lot unknown
    FORGED = "forged"  # missing or wrong signature on a lot or serial code
    PRODUCT = "product"  # GTIN-only code: product information
    UNKNOWN = "unknown"  # a GTIN FreshCircle never assigned


@dataclass(frozen=True)
class Resolution:
    state: CodeState
    link: DigitalLink
    product: Product | None = None
    batch: Batch | None = None
    signature_reason: str | None = None

    @property
    def shows_story(self) -> bool:
        return self.state in (CodeState.GENUINE, CodeState.LOT)


def resolve_code(session: Session, settings: TraceSettings, link: DigitalLink) -> Resolution:
    """The state of a scanned code and what it may reveal (one query).

    The trade item's product and the batch the lot names come back in one round trip, since
    every scan pays for it; the batch is only handed on once the signature has been checked.
    Its producer is not loaded here: only the story needs it, and the scan page mostly takes
    the story from its cache.
    """
    lot_batch = and_(Batch.producer_id == TradeItem.producer_id,
                     Batch.product_id == TradeItem.product_id, Batch.lot_code == link.lot)
    row = session.execute(
        select(Product, Batch).select_from(TradeItem)
        .join(Product, Product.id == TradeItem.product_id)
        .outerjoin(Batch, lot_batch if link.lot is not None else false())
        .where(TradeItem.gtin == link.gtin)
    ).first()
    if row is None:
        return Resolution(CodeState.UNKNOWN, link)
    product, batch = row
    if link.lot is None and link.serial is None:
        return Resolution(CodeState.PRODUCT, link, product)
    verdict = verify(link, settings.keyring)
    if not verdict.genuine:
        return Resolution(CodeState.FORGED, link, product, signature_reason=verdict.reason)
    if batch is None or (link.serial is not None and not was_issued(batch, link.serial)):
        # Fall back to the GTIN: the product, never the batch the signature names.
        return Resolution(CodeState.NOT_ISSUED, link, product, signature_reason="not_issued")
    state = CodeState.GENUINE if link.serial is not None else CodeState.LOT
    return Resolution(state, link, product, batch, verdict.reason)


@dataclass(frozen=True)
class InputLine:
    kind: str
    product_name: str
    active_ingredient: str | None
    applied_on: dt.date
    interval_days: int
    safe_from: dt.date
    interval_kept: bool


@dataclass(frozen=True)
class CertificationLine:
    kind: str
    number: str
    issuer: str
    valid_to: dt.date
    expired: bool


@dataclass(frozen=True)
class Excursion:
    """One excursion as the page prints it (found by `logistics.excursions.load_excursions`)."""

    start: dt.datetime
    end: dt.datetime
    minutes: int
    extreme_c: Decimal
    too_warm: bool


@dataclass(frozen=True)
class ColdChain:
    readings: list[tuple[dt.datetime, Decimal, str]]
    count: int
    lowest_c: Decimal | None
    highest_c: Decimal | None
    band: tuple[Decimal | None, Decimal | None]  # the shipment class's; None: open end
    excursions: list[Excursion]


@dataclass(frozen=True)
class Leg:
    shipment: Shipment
    departed: dt.datetime | None
    arrived: dt.datetime | None
    cold_chain: ColdChain


@dataclass(frozen=True)
class Story:
    batch: Batch
    product: Product
    producer: Producer
    service_phone: str | None  # the co-op's public service number; never a member's mobile
    photo_id: int | None  # the farmer's latest batch photo (served by public_photo)
    days_since_harvest: int
    safety: SafetyStatus
    inputs: list[InputLine]
    tests: list[ResidueTest]
    certifications: list[CertificationLine]
    legs: list[Leg]
    events: list[EpcisEventRecord]
    warning: str | None = None  # "held" or "recalled"
    warning_reason: str | None = None
    # predicted remaining shelf life (dispatch/services/shelf_life_view.py)
    life: LifeView | None = None


def _cold_chain(readings, shipment: Shipment) -> ColdChain:
    """A leg's readings judged by the one excursion rule (`logistics.excursions`): the
    shipment's class band, each logger on its own, the same spells as the carrier's alerts."""
    low, high = SET_POINT_RANGES[shipment.temp_class]
    band = excursion_rule.band(low, high)
    found: list[Excursion] = []
    if band is not None:
        by_logger: dict[str, list[tuple[dt.datetime, float]]] = {}
        for at, celsius, logger in readings:
            by_logger.setdefault(logger, []).append((_aware(at), float(celsius)))
        found = [
            Excursion(e.start, e.end, excursion_rule.minutes(e),
                      Decimal(str(round(e.extreme_c, 2))), e.side == "above")
            for e in excursion_rule.load_excursions(by_logger.values(), *band)
        ]
    values = [c for _, c, _ in readings]
    return ColdChain(
        readings=readings, count=len(readings),
        lowest_c=min(values) if values else None, highest_c=max(values) if values else None,
        band=(low, high), excursions=found,
    )


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def batch_story(session: Session, batch: Batch, product: Product, gtin: str, *, today: dt.date,
                now: dt.datetime | None = None) -> Story:
    """Everything the consumer page shows about a batch, in eight queries whatever its size.

    Public facts only: the producer's service phone (never a member's mobile), no inputs'
    notes. The
    predicted remaining shelf life at `now` (default: the current time) is computed from the
    readings gathered here, with no query of its own (`shelf_life_view.life_view`).
    """
    producer = batch.producer
    inputs = session.scalars(
        select(FarmInput)
        .where(FarmInput.producer_id == batch.producer_id, FarmInput.plot_id == batch.plot_id,
               FarmInput.applied_on <= batch.harvest_date)
        .order_by(FarmInput.applied_on.desc(), FarmInput.id.desc()).limit(50)
    ).all()
    tests = session.scalars(
        select(ResidueTest).where(ResidueTest.batch_id == batch.id)
        .order_by(ResidueTest.tested_on.desc(), ResidueTest.id.desc())
    ).all()
    certifications = session.scalars(
        select(Certification)
        .where(Certification.producer_id == batch.producer_id,
               or_(Certification.product_id.is_(None),
                   Certification.product_id == batch.product_id))
        .order_by(Certification.valid_to.desc())
    ).all()
    shipments = session.scalars(
        select(Shipment).join(ShipmentLine, ShipmentLine.shipment_id == Shipment.id)
        .options(joinedload(Shipment.from_place), joinedload(Shipment.to_place))
        .where(ShipmentLine.batch_id == batch.id, Shipment.status != ShipmentStatus.CANCELLED)
        .order_by(Shipment.planned_departure, Shipment.id)
    ).unique().all()
    readings: dict[int, list] = {s.id: [] for s in shipments}
    if shipments:
        rows = session.execute(
            select(TemperatureReading.shipment_id, TemperatureReading.recorded_at,
                   TemperatureReading.celsius, TemperatureReading.sensor_id)
            .where(TemperatureReading.shipment_id.in_(list(readings)))
            .order_by(TemperatureReading.recorded_at, TemperatureReading.id)
        )
        for shipment_id, at, celsius, sensor in rows:
            readings[shipment_id].append((at, celsius, sensor))
    events = session.scalars(
        select(EpcisEventRecord)
        .where(or_(EpcisEventRecord.batch_id == batch.id,
                   and_(EpcisEventRecord.gtin == gtin,
                        EpcisEventRecord.lot_code == batch.lot_code,
                        EpcisEventRecord.batch_id.is_(None))))
        .order_by(EpcisEventRecord.event_time, EpcisEventRecord.id).limit(100)
    ).all()
    safety = safety_status(session, batch)
    photo_id = session.scalar(select(BatchPhoto.id).where(BatchPhoto.batch_id == batch.id)
                              .order_by(BatchPhoto.id.desc()).limit(1))
    warning = None
    if batch.status in (BatchStatus.HELD, BatchStatus.RECALLED):
        warning = batch.status.value
    record = produce_for(product.name_en)
    life = None
    if record is not None:
        history = [reading for leg in readings.values() for reading in leg]
        life = life_view(record, batch.harvest_date, history, now or dt.datetime.now(dt.UTC))
    return Story(
        batch=batch, product=product, producer=producer,
        service_phone=producer.service_phone,
        photo_id=photo_id,
        days_since_harvest=max((today - batch.harvest_date).days, 0),
        safety=safety,
        inputs=[
            InputLine(kind=i.kind.value, product_name=i.product_name,
                      active_ingredient=i.active_ingredient, applied_on=i.applied_on,
                      interval_days=i.pre_harvest_interval_days, safe_from=i.safe_harvest_date,
                      interval_kept=i.safe_harvest_date <= batch.harvest_date)
            for i in inputs
        ],
        tests=list(tests),
        certifications=[
            CertificationLine(kind=c.kind.value, number=c.number, issuer=c.issuer,
                              valid_to=c.valid_to, expired=c.is_expired(today))
            for c in certifications
        ],
        legs=[
            Leg(shipment=s, departed=s.actual_departure, arrived=s.actual_arrival,
                cold_chain=_cold_chain(readings[s.id], s))
            for s in shipments
        ],
        events=list(events),
        warning=warning,
        warning_reason=batch.status_reason if warning else None,
        life=life,
    )


def public_photo(session: Session, photo_id: int) -> StoredFile:
    """A batch photo anyone may see: one whose batch has a consumer page (a trace code was
    issued for its producer's product). Raises NotFound for any other photo or file."""
    stored = session.scalar(
        select(StoredFile).join(BatchPhoto, BatchPhoto.file_id == StoredFile.id)
        .join(Batch, Batch.id == BatchPhoto.batch_id)
        .join(TradeItem, and_(TradeItem.producer_id == Batch.producer_id,
                              TradeItem.product_id == Batch.product_id))
        .where(BatchPhoto.id == photo_id)
    )
    if stored is None:
        raise NotFound(_l("No such photo."))
    return stored


class StoryCache:
    """A small thread-safe LRU whose entries also expire `ttl` seconds after they were stored.

    One per app and process (gunicorn's threads share it; its processes do not). Bounded by
    `maxsize` entries, least recently used out first. `clock` is for tests, which move time
    forward instead of sleeping.
    """

    def __init__(self, maxsize: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.maxsize = maxsize
        self.clock = clock
        self._entries: OrderedDict[Hashable, tuple[float, object]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, ttl: float):
        """The value stored under `key` less than `ttl` seconds ago, else None."""
        if ttl <= 0:
            return None
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            stored_at, value = entry
            if self.clock() - stored_at >= ttl:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return value

    def put(self, key: Hashable, value, ttl: float) -> None:
        if ttl <= 0:
            return
        with self._lock:
            self._entries[key] = (self.clock(), value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


"""Per-lot versions in Redis: how every web node learns, within a round trip, that a lot's
page changed.

With FRESHCIRCLE_REDIS_URL set, each commit that changes what a lot's consumer page shows
increments `freshcircle:lot:<batch id>:v` after the commit: the batch itself (a hold, a recall,
an edit, new serials), and the records its story is told from (photos, the farm inputs of its
plot, residue tests, recall records, EPCIS events, shipment lines, and a shipment's temperature
readings, alerts and times, for every batch it carries). The scan page reads the version in
the same round trip that logs the scan (trace/pages/scan_front.py) and keys what it keeps by
it, so a page rendered before the change is never served after the node has seen the new
version.

The increment follows the commit, never precedes it: a node that reads the new version reads
the committed records. If Redis does not answer at that moment the change is logged and the
pages keep what they had for at most SCAN_PAGE_CACHE_SECONDS (scan_front.py), and a node whose
own Redis calls failed drops everything it kept once Redis answers again. Producer, product
and certification names are not versioned: they show within that many seconds.
"""

from __future__ import annotations

import logging

from flask import current_app, has_app_context
from redis.exceptions import RedisError
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from freshcircle.platform.models import (
    Batch,
    BatchPhoto,
    EpcisErrorDeclaration,
    EpcisEventLot,
    FarmInput,
    RecallRecord,
    ResidueTest,
    Shipment,
    ShipmentAlert,
    ShipmentLine,
    TemperatureReading,
)
from freshcircle.platform.trace.services.scan_verdict import scan_redis

log = logging.getLogger(__name__)

_CHANGED = "freshcircle_changed_lots"
# Records whose `batch_id` names the lot whose story they are part of.
BY_BATCH = (BatchPhoto, ResidueTest, RecallRecord, ShipmentLine, EpcisEventLot)
# Records of a shipment: part of the story of every batch the shipment carries.
BY_SHIPMENT = (TemperatureReading, ShipmentAlert)


def key(batch_id: int) -> str:
    return f"freshcircle:lot:{batch_id}:v"


def version_of(raw) -> int:
    """A version as read from Redis (None: never changed since Redis started)."""
    return int(raw or 0)


def changed_lots(session: Session) -> set[int]:
    """The batches whose page the objects flushed in `session` change."""
    batches: set[int] = set()
    shipments: set[int] = set()
    plots: set[int] = set()  # a farm input is part of the story of every lot of its plot
    events: set[int] = set()  # an error declaration: every lot its event names
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Batch):
            batches.add(obj.id)
        elif isinstance(obj, BY_BATCH):
            batches.add(obj.batch_id)
        elif isinstance(obj, BY_SHIPMENT):
            shipments.add(obj.shipment_id)
        elif isinstance(obj, Shipment):
            shipments.add(obj.id)
        elif isinstance(obj, FarmInput):
            plots.add(obj.plot_id)
        elif isinstance(obj, EpcisErrorDeclaration) and obj.event is not None:
            batches.add(obj.event.batch_id)
            events.add(obj.event.id)
    shipments.discard(None)
    plots.discard(None)
    events.discard(None)
    connection = session.connection() if shipments or plots or events else None
    if events:
        batches.update(connection.execute(
            select(EpcisEventLot.batch_id).where(EpcisEventLot.event_record_id.in_(events))
        ).scalars())
    if plots:
        batches.update(connection.execute(
            select(Batch.id).where(Batch.plot_id.in_(plots))).scalars())
    if shipments:
        batches.update(connection.execute(
            select(ShipmentLine.batch_id).where(ShipmentLine.shipment_id.in_(shipments))
        ).scalars())
    batches.discard(None)
    return batches


def _client():
    if not has_app_context():
        return None
    redis = scan_redis()
    return None if redis is None else redis.client


def _after_flush(session: Session, _context) -> None:
    if _client() is None:
        return
    lots = changed_lots(session)
    if lots:
        session.info.setdefault(_CHANGED, set()).update(lots)


def _after_commit(session: Session) -> None:
    lots = session.info.pop(_CHANGED, None)
    client = _client() if lots else None
    if client is None:
        return
    try:
        pipe = client.pipeline(transaction=False)
        for batch_id in lots:
            pipe.incr(key(batch_id))
        pipe.execute()
    except RedisError as error:
        log.error("could not mark lots %s changed in Redis (%s): scan pages may show them as "
                  "they were for up to %s s", sorted(lots), error,
                  current_app.config.get("SCAN_PAGE_CACHE_SECONDS"))


def _after_rollback(session: Session) -> None:
    session.info.pop(_CHANGED, None)


def listen(session_factory) -> None:
    """Bump lot versions after commits of sessions made by `session_factory` (once)."""
    if event.contains(session_factory, "after_commit", _after_commit):
        return
    event.listen(session_factory, "after_flush", _after_flush)
    event.listen(session_factory, "after_commit", _after_commit)
    event.listen(session_factory, "after_rollback", _after_rollback)

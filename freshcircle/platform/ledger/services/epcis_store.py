"""EPCIS events: capture (validated, idempotent by event hash), storage chained per lot, reading
one back (queries: `epcis_query`).

Every stored event keeps its JSON body with the ``@context`` of the document it came in, so
the CURIE prefixes needed to recompute its hash travel with it (``@context`` is not hashed).
Records are chained per lot, keyed by (GTIN, lot code): ``previous_link`` is the lot's last
link (or ``GENESIS``) and ``link = sha256(previous_link + event hash)``
(``freshcircle.traceability.event_chain``). Appending takes a lock per lot first: the batch
row (SELECT ... FOR UPDATE) when the lot is ours, else a PostgreSQL advisory lock on the key;
SQLite serialises writers anyway. So two captures cannot fork a chain.

A record joins one chain: an event naming several lots joins the chain of the most specific
one (`chain_key`), and `epcis_event_lots` indexes it under every lot it names (with the role:
input, output, object, child, parent), so a query by lot finds a merge from each of its inputs.
Each chain's newest link and length are kept in `epcis_chain_heads`, written with every append,
so deleting a chain's newest events shows. Genealogy edges the event implies go to `lot_links`
(`ledger.services.lot_links`).
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, false, or_, select, text, true, union
from sqlalchemy.orm import Session, aliased

from freshcircle.platform.core.services.access import (
    PRODUCER_ROLES,
    member_producer_ids,
    require_role,
)
from freshcircle.platform.core.services.errors import (
    InvalidInput,
    NotFound,
)
from freshcircle.platform.ledger.services.epcis_lots import (
    LotKey,
    chain_key,
    chain_name,
    lot_roles,
    lots_of,
)
from freshcircle.platform.ledger.services.epcis_terms import (
    event_columns,
    event_terms,
    sensor_values,
)
from freshcircle.platform.ledger.services.lot_links import record_event_edges
from freshcircle.platform.models import (
    Batch,
    EpcisChainHead,
    EpcisErrorDeclaration,
    EpcisEventLot,
    EpcisEventRecord,
    Membership,
    Role,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
    TradeItem,
    User,
)
from freshcircle.platform.models.traceability import EpcisEventTerm, EpcisSensorValue
from freshcircle.traceability.epcis import EpcisConfig
from freshcircle.traceability.epcis_hash import context_prefixes, event_hash
from freshcircle.traceability.epcis_validation import validate_document
from freshcircle.traceability.epcis_vocab import BIZ_STEPS
from freshcircle.traceability.event_chain import GENESIS, ChainProblem, link_hash, verify_chain

CAPTURE_ROLES = (*PRODUCER_ROLES, Role.CARRIER, Role.INSPECTOR, Role.ADMIN)
QUERY_ROLES = CAPTURE_ROLES
_CBV_STEP_FORMS = ("https://ref.gs1.org/cbv/BizStep-", "urn:epcglobal:cbv:bizstep:")


class Outcome(enum.StrEnum):
    """What storing one event did."""

    CAPTURED = "captured"
    DUPLICATE = "duplicate"  # the same event (event hash) is stored already
    DECLARED = "declared"  # an error declaration for a stored event, kept against it


def short_biz_step(value: str | None) -> str | None:
    """CBV steps in any of their forms as the bare name; other URIs as they are."""
    if not value:
        return None
    for prefix in _CBV_STEP_FORMS:
        if value.startswith(prefix) and value[len(prefix):] in BIZ_STEPS:
            return value[len(prefix):]
    return value[:160]


def _event_time(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(dt.UTC)


def _match(column, value):
    return column.is_(None) if value is None else column == value


def _lock_chain(session: Session, key: LotKey, batch_id: int | None) -> None:
    if batch_id is not None:
        session.scalar(select(Batch.id).where(Batch.id == batch_id).with_for_update())
    elif session.get_bind().dialect.name == "postgresql":
        digest = hashlib.sha256(f"epcis:{key.gtin}:{key.lot}".encode()).digest()
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"),
                        {"k": int.from_bytes(digest[:8], "big", signed=True)})


def last_link(session: Session, key: LotKey) -> str:
    head = session.get(EpcisChainHead, chain_name(key))
    return head.link if head else GENESIS


def _advance_head(session: Session, key: LotKey, link: str) -> None:
    head = session.get(EpcisChainHead, chain_name(key))
    if head is None:
        session.add(EpcisChainHead(chain=chain_name(key), link=link, length=1))
    else:
        head.link, head.length = link, head.length + 1


def _index_lots(session: Session, record: EpcisEventRecord, roles: dict[LotKey, str],
                batch_of: BatchLookup) -> None:
    for key, role in roles.items():
        if not key.gtin or not key.lot:
            continue
        batch = batch_of(key)
        session.add(EpcisEventLot(event_record_id=record.id, gtin=key.gtin, lot_code=key.lot,
                                  role=role, batch_id=batch.id if batch else None))


def _batch_for(session: Session, key: LotKey) -> Batch | None:
    if not key.gtin or not key.lot:
        return None
    return session.scalar(
        select(Batch).join(TradeItem, TradeItem.producer_id == Batch.producer_id)
        .where(TradeItem.gtin == key.gtin, Batch.lot_code == key.lot)
    )


class BatchLookup:
    """The batch behind each lot key an event names: those the caller already holds
    (`known`), then every other one selected once, however often the event names it."""

    def __init__(self, session: Session, known: Mapping[LotKey, Batch] | None = None) -> None:
        self.session = session
        self.found: dict[LotKey, Batch | None] = dict(known or {})

    def __call__(self, key: LotKey) -> Batch | None:
        if key not in self.found:
            self.found[key] = _batch_for(self.session, key)
        return self.found[key]


def lot_key(gtin: str, lot: str) -> LotKey:
    """The key under which an event's lot URIs name this GTIN and lot."""
    return LotKey(gtin.zfill(14), lot)


def _find_stored(session: Session, hash_id: str, event_id: str) -> EpcisEventRecord | None:
    return session.scalar(select(EpcisEventRecord).where(or_(
        EpcisEventRecord.event_hash == hash_id, EpcisEventRecord.event_id == event_id)))


def _declare(session: Session, record: EpcisEventRecord, declaration: Mapping[str, Any],
             recorded_by: User | None) -> bool:
    """Keep `declaration` against `record` unless the same one is kept already."""
    body = json.dumps(declaration, ensure_ascii=False, sort_keys=True)
    if any(kept.body == body for kept in record.declarations):
        return False
    record.declarations.append(EpcisErrorDeclaration(
        declaration_time=_event_time(declaration["declarationTime"]),
        reason=str(declaration.get("reason") or "")[:160] or None,
        corrective_event_ids=json.dumps(list(declaration.get("correctiveEventIDs") or [])),
        body=body, recorded_by_id=recorded_by.id if recorded_by else None))
    session.flush()
    return True


def store_event(session: Session, event: Mapping[str, Any], context: Any,
                recorded_by: User | None,
                batches: Mapping[LotKey, Batch] | None = None) -> tuple[str, Outcome]:
    """Store one (valid) event unless its hash is already stored; returns (eventID, outcome).

    The event keeps the eventID its sender gave; one without gets its event hash. An event
    carrying an `errorDeclaration` has the hash of the event it declares wrong (the standard
    leaves the declaration out of the hash): when that event is stored, the declaration is
    kept against it (`EpcisErrorDeclaration`) and the original stays as it was.
    The stored body carries the ``eventID`` and the document's ``@context``.
    `batches`: the batches the caller built the event from, by `lot_key`, so they are not
    looked up again from the event's URIs.
    """
    prefixes = context_prefixes(context)
    hash_id = event_hash(event, prefixes)
    event_id = str(event.get("eventID") or hash_id)
    declaration = event.get("errorDeclaration")
    body = {"@context": context, **{k: v for k, v in event.items() if k != "@context"},
            "eventID": event_id}
    roles = lot_roles(event)
    key = chain_key(list(roles))
    batch_of = BatchLookup(session, batches)
    batch = batch_of(key)
    _lock_chain(session, key, batch.id if batch else None)
    stored = _find_stored(session, hash_id, event_id)
    if stored is not None:
        if declaration and _declare(session, stored, declaration, recorded_by):
            return stored.event_id, Outcome.DECLARED
        return stored.event_id, Outcome.DUPLICATE
    previous = last_link(session, key)
    record = EpcisEventRecord(
        event_id=event_id, event_hash=hash_id, event_type=str(event.get("type"))[:32],
        event_time=_event_time(event["eventTime"]), biz_step=short_biz_step(event.get("bizStep")),
        gtin=key.gtin, lot_code=key.lot, batch_id=batch.id if batch else None,
        body=json.dumps(body, ensure_ascii=False, sort_keys=True), previous_link=previous,
        link=link_hash(previous, hash_id), recorded_by_id=recorded_by.id if recorded_by else None,
        **event_columns(event),
    )
    session.add(record)
    _advance_head(session, key, record.link)
    session.flush()
    _index_lots(session, record, roles, batch_of)
    session.add_all(EpcisEventTerm(event_record_id=record.id, kind=kind, type=type_, value=value)
                    for kind, type_, value in event_terms(event))
    session.add_all(EpcisSensorValue(event_record_id=record.id, **row)
                    for row in sensor_values(event))
    record_event_edges(session, body, event_id, batch_of)
    if declaration:
        _declare(session, record, declaration, recorded_by)
    session.flush()
    return event_id, Outcome.CAPTURED


def _carried_batches(actor: User):
    return (select(ShipmentLine.batch_id).join(Shipment, Shipment.id == ShipmentLine.shipment_id)
            .where(Shipment.carrier_id == actor.id, Shipment.status != ShipmentStatus.CANCELLED))


def _may_write(session: Session, actor: User, key: LotKey, mine: set[int]) -> bool:
    """Staff: anything. Producer members: their producers' GTINs. Carriers: lots they carry.

    A GTIN the platform did not issue is nobody's here, so any capturer may record it.
    """
    if actor.is_staff or key.gtin is None:
        return True
    owner = session.scalar(select(TradeItem.producer_id).where(TradeItem.gtin == key.gtin))
    if owner is None:
        return True
    if actor.role in PRODUCER_ROLES:
        return owner in mine
    if actor.role == Role.CARRIER and key.lot:
        batch = _batch_for(session, key)
        return batch is not None and bool(session.scalar(
            _carried_batches(actor).where(ShipmentLine.batch_id == batch.id).limit(1)))
    return False


def check_document(document: Any) -> tuple[list[dict], dict[int, list[str]]]:
    """An EPCISDocument's events and the schema's messages per invalid event (by index);
    InvalidInput when the document itself is not one (not an object, not an EPCISDocument,
    no events)."""
    if not isinstance(document, dict):
        raise InvalidInput(_l("Send an EPCISDocument as a JSON object."),
                           errors={"document": [_l("Send an EPCISDocument as a JSON object.")]})
    report = validate_document(document)
    events = (document.get("epcisBody") or {}).get("eventList") if not report.document_errors \
        else None
    if not report.document_errors and not events:
        report.document_errors.append("$.epcisBody.eventList: no events to capture")
    if report.document_errors:
        raise InvalidInput(_l("The EPCIS document does not match the EPCIS 2.0 schema; "
                              "nothing was captured."),
                           errors={"document": report.document_errors})
    return events, dict(report.event_errors)


def refused_events(session: Session, actor: User, events: list[dict]) -> dict[str, list]:
    """Events about a lot the actor may not record events for, by index."""
    require_role(actor, *CAPTURE_ROLES)
    mine = member_producer_ids(session, actor) if actor.role in PRODUCER_ROLES else set()
    return {str(index): [_l("You may not record events about this lot.")]
            for index, event in enumerate(events)
            if not all(_may_write(session, actor, key, mine) for key in lots_of(event))}


def visible_filter(actor: User) -> ColumnElement[bool]:
    """Events the actor may read: staff all; members their producers' lots and GTINs;
    carriers the lots on shipments they carry; everyone what they recorded themselves.

    One `id IN (... UNION ...)` of index lookups, not an OR of them: PostgreSQL cannot use an
    index for an OR of subqueries, so it would test every event (a second for a member with
    few events among a million)."""
    if actor.is_staff:
        return true()
    if actor.role not in PRODUCER_ROLES and actor.role != Role.CARRIER:
        return false()
    record = aliased(EpcisEventRecord)  # not correlated with the caller's query of events
    ids = [select(record.id).where(record.recorded_by_id == actor.id)]
    if actor.role in PRODUCER_ROLES:
        producers = select(Membership.producer_id).where(Membership.user_id == actor.id)
        own_batches = select(Batch.id).where(Batch.producer_id.in_(producers))
        ids.append(select(record.id).where(record.batch_id.in_(own_batches)))
        ids.append(select(EpcisEventLot.event_record_id)
                   .where(EpcisEventLot.batch_id.in_(own_batches)))
        ids.append(select(record.id).where(record.batch_id.is_(None), record.gtin.in_(
            select(TradeItem.gtin).where(TradeItem.producer_id.in_(producers)))))
    else:
        ids.append(select(record.id).where(record.batch_id.in_(_carried_batches(actor))))
    return EpcisEventRecord.id.in_(union(*ids))


def merged_context(config: EpcisConfig, bodies: list[dict]) -> list[Any]:
    """One document ``@context``: the platform's plus every inline prefix the events used.

    An event whose prefixes clash with another's keeps its own ``@context``.
    """
    prefixes: dict[str, str] = dict(context_prefixes(config.context))
    for body in bodies:
        own = context_prefixes(body.get("@context"))
        if all(prefixes.get(k, v) == v for k, v in own.items()):
            prefixes.update(own)
            body.pop("@context", None)
    return [config.context[0], prefixes]


def event_body(record: EpcisEventRecord) -> dict[str, Any]:
    """The event as stored, with the latest error declaration kept against it."""
    body = json.loads(record.body)
    if record.declarations:
        body["errorDeclaration"] = json.loads(record.declarations[-1].body)
    return body


def get_event(session: Session, actor: User, config: EpcisConfig, event_id: str) -> dict:
    """One event by its eventID (the sender's, or the event hash), as JSON-LD with its
    @context; NotFound when there is none the actor may see (so another producer's event
    looks the same as one that does not exist)."""
    require_role(actor, *QUERY_ROLES)
    record = session.scalar(select(EpcisEventRecord).where(
        visible_filter(actor), or_(EpcisEventRecord.event_id == event_id,
                                   EpcisEventRecord.event_hash == event_id)))
    if record is None:
        raise NotFound(_l("No event with this eventID."))
    body = event_body(record)
    body["@context"] = merged_context(config, [dict(body)])
    return body


@dataclass
class StoredChain:
    """One chain's records in the order they were appended, and its recorded head (None for
    a chain stored before heads were kept... or whose head row was removed)."""

    records: list[EpcisEventRecord] = field(default_factory=list)
    head: EpcisChainHead | None = None


def _key_of_chain(name: str) -> LotKey:
    gtin, _, lot = name.partition("/")
    return LotKey(None if gtin == "-" else gtin, None if lot == "-" else lot)


def chains(session: Session, lot: str | None = None) -> dict[LotKey, StoredChain]:
    """Stored chains (GTIN, lot) with their heads; a head whose records are all gone is a
    chain with no records, so deleting a whole chain shows too."""
    stmt = select(EpcisEventRecord).order_by(EpcisEventRecord.id)
    heads = select(EpcisChainHead)
    if lot:
        stmt = stmt.where(EpcisEventRecord.lot_code == lot)
        heads = heads.where(EpcisChainHead.chain.endswith(f"/{lot}", autoescape=True))
    grouped: dict[LotKey, StoredChain] = {}
    for row in session.scalars(stmt):
        grouped.setdefault(LotKey(row.gtin, row.lot_code), StoredChain()).records.append(row)
    for head in session.scalars(heads):
        grouped.setdefault(_key_of_chain(head.chain), StoredChain()).head = head
    return grouped


def chain_problems(stored: StoredChain) -> list[ChainProblem]:
    """Tampering in one chain: its links (``verify_chain``) and its length against its head."""
    head = stored.head
    problems = verify_chain(chain_input(stored.records), head=head.link if head else None)
    if head is None and stored.records:
        problems.append(ChainProblem(len(stored.records), "deleted",
                                     "the chain's recorded head is missing"))
    elif head is not None and not problems and head.length != len(stored.records):
        problems.append(ChainProblem(len(stored.records), "deleted",
                                     f"the head records {head.length} events, "
                                     f"{len(stored.records)} are stored"))
    return problems


def chain_input(rows: list[EpcisEventRecord]) -> list[dict[str, Any]]:
    """Records as ``event_chain.verify_chain`` reads them (a body that is not JSON counts
    as modified content)."""
    out = []
    for row in rows:
        try:
            event = json.loads(row.body)
        except ValueError:
            event = {"unreadable": row.body}
        out.append({"event": event if isinstance(event, dict) else {"unreadable": row.body},
                    "event_hash": row.event_hash, "previous_link": row.previous_link,
                    "link": row.link})
    return out

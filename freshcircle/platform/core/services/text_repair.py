"""Repairing text stored before input refused control characters (`flask repair-text`).

Every text column of every table is read; a value holding a forbidden character
(`core.services.text`) gets `clean_text` (a control character becomes a space, a lone
surrogate U+FFFD), and JSON kept as text (notices' facts, a plan's result) is repaired inside
its strings. Three kinds of value are reported, never rewritten:

- Keys and identifiers: a primary or foreign key, a lot code, GTIN, phone number, token hash,
  logger id (`IDENTIFIERS`): rewriting one would detach what refers to it (a printed label, a
  chain, a client's key). A name that is unique (a plot's within its producer) is repaired
  unless the repaired name is taken; then it is reported too.
- Traceability events (`epcis_events`, their lot index and chain heads). Each event's ID is its
  EPCIS event hash (CBV 2.0 8.9), which covers every field, ILMD and extensions included, so a
  plot name too; each record's link is sha256(previous link + that hash). Changing one
  character would change the ID and break every later link of the lot's chain, which is what
  `flask verify-chain` reports as tampering; re-linking the chain to hide that would make the
  ledger's tamper evidence worthless. The events stay as recorded: the spreadsheets clean their
  text as they write it, and JSON escapes it.
- Batches harvested before 2000 (a typo like 0001-01-01): no command can know the real date;
  the farmer corrects it, and until then printing answers 422 naming the field.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import Enum, String, Table, and_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from freshcircle.platform.core.services.clock import EARLIEST_RECORD_DATE
from freshcircle.platform.core.services.text import clean_text, clean_value
from freshcircle.platform.models import Batch, EpcisEventRecord
from freshcircle.platform.models.base import Base

LEDGER_TABLES = {"epcis_events", "epcis_event_lots", "epcis_chain_heads"}
# Identifiers other records, printed codes or clients hold: reported, never rewritten.
IDENTIFIERS = {"lot_code", "gtin", "serial", "event_id", "chain", "link", "previous_link",
               "token_hash", "idempotency_key", "phone", "credit_code", "sensor_id"}
BATCH_SIZE = 500


@dataclass
class TextRepair:
    """What `repair_text` changed (`table.column` -> rows) and what it left for people."""

    repaired: dict[str, int] = field(default_factory=dict)
    keys_left: list[str] = field(default_factory=list)  # "table.column id=…"
    events_left: list[int] = field(default_factory=list)  # epcis_events.id
    early_harvests: list[str] = field(default_factory=list)  # lot codes

    @property
    def rows(self) -> int:
        return sum(self.repaired.values())


def _key_columns(table: Table) -> set[str]:
    return {c.name for c in table.columns
            if c.primary_key or c.foreign_keys or c.name in IDENTIFIERS}


def _text_columns(table: Table) -> list:
    return [c for c in table.columns
            if isinstance(c.type, String) and not isinstance(c.type, Enum)]


def repaired_value(value: str | None) -> str | None:
    """The repaired text, or None when `value` needs no repair."""
    if not value:
        return None
    if value.lstrip()[:1] in ("{", "["):
        try:
            decoded = json.loads(value)
        except ValueError:
            decoded = None
        if isinstance(decoded, dict | list):
            cleaned = clean_value(decoded)
            return None if cleaned == decoded else json.dumps(cleaned, ensure_ascii=False)
    cleaned = clean_text(value)
    return None if cleaned == value else cleaned


def _rows(session: Session, pk: list, columns: list):
    """The rows' keys and text, a page at a time by key (bounded memory on large tables)."""
    stmt = select(*pk, *columns).order_by(*pk)
    if len(pk) > 1:
        yield from session.execute(stmt).all()
        return
    after = None
    while True:
        page = session.execute((stmt if after is None else stmt.where(pk[0] > after))
                               .limit(BATCH_SIZE)).all()
        yield from page
        if len(page) < BATCH_SIZE:
            return
        after = page[-1][0]


def _repair_table(session: Session, table: Table, report: TextRepair, dry_run: bool) -> None:
    columns = _text_columns(table)
    pk = list(table.primary_key.columns)
    if not columns or not pk:
        return
    keys = _key_columns(table)
    for row in _rows(session, pk, columns):
        ident = row[:len(pk)]
        changes = {}
        for column, value in zip(columns, row[len(pk):], strict=True):
            new = repaired_value(value)
            if new is None:
                continue
            if column.name in keys:
                shown = ", ".join(f"{c.name}={v}" for c, v in zip(pk, ident, strict=True))
                report.keys_left.append(f"{table.name}.{column.name} {shown}")
            else:
                changes[column.name] = new
                name = f"{table.name}.{column.name}"
                report.repaired[name] = report.repaired.get(name, 0) + 1
        if changes and not dry_run:
            where = and_(*(c == v for c, v in zip(pk, ident, strict=True)))
            try:
                with session.begin_nested():
                    session.execute(update(table).where(where).values(changes))
            except IntegrityError:
                shown = ", ".join(f"{c.name}={v}" for c, v in zip(pk, ident, strict=True))
                report.keys_left.append(f"{table.name} {shown}: the repaired text is taken")
                for name in changes:
                    report.repaired[f"{table.name}.{name}"] -= 1


def repair_text(session: Session, *, dry_run: bool = False) -> TextRepair:
    """Repair every stored text value holding forbidden characters (see the module's notes);
    with `dry_run`, only report. Flushes; the caller commits."""
    report = TextRepair()
    for table in Base.metadata.sorted_tables:
        if table.name not in LEDGER_TABLES:
            _repair_table(session, table, report, dry_run)
    events = [EpcisEventRecord.__table__.c.id]
    for event_id, body in _rows(session, events, [EpcisEventRecord.__table__.c.body]):
        if repaired_value(body) is not None:
            report.events_left.append(event_id)
    report.early_harvests = list(session.scalars(
        select(Batch.lot_code).where(Batch.harvest_date < EARLIEST_RECORD_DATE)
        .order_by(Batch.id)))
    session.flush()
    return report

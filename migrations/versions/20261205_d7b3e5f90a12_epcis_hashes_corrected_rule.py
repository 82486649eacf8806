"""EPCIS event hashes under the corrected rule (the reference implementation's)

Revision ID: d7b3e5f90a12
Revises: c4e8a2f61d09

The event hash now follows the EPCIS event-hash reference (traceability/epcis_hash.py, its
README's "Known differences from the event-hash reference"): a sensor alert type expands to
the GS1 Web Vocabulary (gs1:ALARM_CONDITION), certificationInfo is hashed, and more EPC URNs and
patterns become Digital Links. Events stored before have a hash under the old rule, which
`flask verify-chain` would now report as modified. This re-anchors every chain under the
corrected rule: each record's `event_hash`, then its `link` and every later link of its chain,
and the chain's head. A record whose content was tampered with before this migration is
re-anchored too, so run `flask verify-chain` before upgrading. `event_id` is an identifier and
stays (for the platform's own events it is the hash under the rule they were stored with).
The downgrade leaves the hashes as they are: the old rule is not kept.
"""

import json

import sqlalchemy as sa
from alembic import op

from freshcircle.traceability.event_chain import GENESIS, chain_record

revision = "d7b3e5f90a12"
down_revision = "c4e8a2f61d09"
branch_labels = None
depends_on = None


BATCH = 1000


def upgrade():
    connection = op.get_bind()
    order = connection.execute(sa.text(
        "SELECT id, COALESCE(gtin, '-') || '/' || COALESCE(lot_code, '-') FROM epcis_events "
        "ORDER BY COALESCE(gtin, '-'), COALESCE(lot_code, '-'), id")).all()
    chain, previous, heads = None, GENESIS, {}
    for start in range(0, len(order), BATCH):
        part = order[start:start + BATCH]
        rows = {row.id: row for row in connection.execute(sa.text(
            "SELECT id, body, event_hash, previous_link, link FROM epcis_events "
            "WHERE id IN :ids").bindparams(sa.bindparam("ids", expanding=True)),
            {"ids": [row_id for row_id, _key in part]})}
        for row_id, key in part:
            row = rows[row_id]
            if key != chain:
                chain, previous = key, GENESIS
            try:
                event = json.loads(row.body)
            except ValueError:
                event = None
            if not isinstance(event, dict):  # unreadable: verify-chain reports it, as before
                previous = heads[key] = row.link
                continue
            record = chain_record(event, previous)
            if (record.event_hash, record.previous_link, record.link) != (
                    row.event_hash, row.previous_link, row.link):
                connection.execute(sa.text(
                    "UPDATE epcis_events SET event_hash = :h, previous_link = :p, link = :l "
                    "WHERE id = :id"),
                    {"h": record.event_hash, "p": record.previous_link, "l": record.link,
                     "id": row_id})
            previous = heads[key] = record.link
    for key, link in heads.items():
        connection.execute(sa.text("UPDATE epcis_chain_heads SET link = :l WHERE chain = :c"),
                           {"l": link, "c": key})


def downgrade():
    pass

"""EPCIS sensor queries: the sensor reports' numbers and times as indexed rows, their types,
devices and values as query terms

Revision ID: e2a7c9d41f63
Revises: d7b3e5f90a12

`epcis_sensor_values` holds one row per (event, sensor report, field) with the number in the
base unit of its kind (KEL for CEL...) or the time in seconds since 1970, indexed by (field,
uom, number); `epcis_event_terms` gains the kinds sensor, sensorType, deviceID,
dataProcessing, microorganism, chemical, bizRules, stringValue, hexBinaryValue, uriValue and
booleanValue. Events stored before are indexed from their `body` with
`ledger.services.epcis_terms` (what `store_event` fills them with), a thousand at a time.
"""

import json

import sqlalchemy as sa
from alembic import op

from freshcircle.platform.ledger.services.epcis_terms import (
    SENSOR_KINDS,
    event_terms,
    sensor_values,
)

revision = "e2a7c9d41f63"
down_revision = "d7b3e5f90a12"
branch_labels = None
depends_on = None

BATCH = 1000
TERMS = sa.table("epcis_event_terms", sa.column("event_record_id", sa.Integer),
                 sa.column("kind", sa.String), sa.column("type", sa.String),
                 sa.column("value", sa.String))


def _backfill() -> None:
    conn = op.get_bind()
    events = sa.table("epcis_events", sa.column("id", sa.Integer), sa.column("body", sa.Text))
    values = sa.table("epcis_sensor_values", sa.column("event_record_id", sa.Integer),
                      sa.column("report", sa.Integer), sa.column("field", sa.String),
                      sa.column("type", sa.String), sa.column("uom", sa.String),
                      sa.column("number", sa.Float))
    last = 0
    while True:
        rows = conn.execute(
            sa.select(events.c.id, events.c.body)
            .where(events.c.id > last, events.c.body.contains("sensorElementList"))
            .order_by(events.c.id).limit(BATCH)).all()
        if not rows:
            return
        terms, numbers = [], []
        for row_id, body in rows:
            try:
                event = json.loads(body)
            except ValueError:  # a tampered body: the chain check reports it, nothing to index
                continue
            if not isinstance(event, dict):
                continue
            terms += [{"event_record_id": row_id, "kind": kind, "type": type_, "value": value}
                      for kind, type_, value in event_terms(event) if kind in SENSOR_KINDS]
            numbers += [{"event_record_id": row_id, **row} for row in sensor_values(event)]
        if terms:
            # the query index's own migration (c4e9a2f7b183) indexes with today's event_terms,
            # so on a database it built, some sensor terms are there already
            conn.execute(TERMS.delete().where(
                TERMS.c.event_record_id.in_({term["event_record_id"] for term in terms}),
                TERMS.c.kind.in_(sorted(SENSOR_KINDS))))
            conn.execute(TERMS.insert(), terms)
        if numbers:
            conn.execute(values.insert(), numbers)
        last = rows[-1][0]


def upgrade():
    op.create_table(
        "epcis_sensor_values",
        sa.Column("event_record_id", sa.Integer(), nullable=False),
        sa.Column("report", sa.SmallInteger(), nullable=False),
        sa.Column("field", sa.String(length=16), nullable=False),
        sa.Column("type", sa.String(length=160), nullable=False),
        sa.Column("uom", sa.String(length=8), nullable=False),
        sa.Column("number", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_record_id"], ["epcis_events.id"],
            name=op.f("fk_epcis_sensor_values_event_record_id_epcis_events"),
            ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("event_record_id", "report", "field",
                                name=op.f("pk_epcis_sensor_values")),
    )
    with op.batch_alter_table("epcis_sensor_values", schema=None) as batch_op:
        batch_op.create_index("ix_epcis_sensor_values_field_uom_number",
                              ["field", "uom", "number", "type", "event_record_id"],
                              unique=False)
    _backfill()


def downgrade():
    with op.batch_alter_table("epcis_sensor_values", schema=None) as batch_op:
        batch_op.drop_index("ix_epcis_sensor_values_field_uom_number")
    op.drop_table("epcis_sensor_values")
    op.get_bind().execute(TERMS.delete().where(TERMS.c.kind.in_(sorted(SENSOR_KINDS))))

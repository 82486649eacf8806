"""EPCIS query interface: the queried event fields as indexed columns, and an index of the
EPCs, classes, business transactions, sources and destinations each event names

Revision ID: c4e9a2f7b183
Revises: b166d7e2058f

`epcis_events` gains action, disposition, read_point and biz_location (filled from `body`)
and indexes on event_type and recorded_at; `epcis_event_terms` holds one row per (kind, type,
value). Existing events are backfilled from their stored `body`, a thousand at a time, with
`ledger.services.epcis_terms` (what `store_event` fills them with), so old and new rows agree.
"""

import json

import sqlalchemy as sa
from alembic import op

from freshcircle.platform.ledger.services.epcis_terms import event_columns, event_terms

revision = "c4e9a2f7b183"
down_revision = "b166d7e2058f"
branch_labels = None
depends_on = None

BATCH = 1000


def _backfill() -> None:
    conn = op.get_bind()
    events = sa.table("epcis_events", sa.column("id", sa.Integer), sa.column("body", sa.Text),
                      sa.column("action", sa.String), sa.column("disposition", sa.String),
                      sa.column("read_point", sa.String), sa.column("biz_location", sa.String))
    terms = sa.table("epcis_event_terms", sa.column("event_record_id", sa.Integer),
                     sa.column("kind", sa.String), sa.column("type", sa.String),
                     sa.column("value", sa.String))
    update = (events.update().where(events.c.id == sa.bindparam("row_id"))
              .values(action=sa.bindparam("action"), disposition=sa.bindparam("disposition"),
                      read_point=sa.bindparam("read_point"),
                      biz_location=sa.bindparam("biz_location")))
    last = 0
    while True:
        rows = conn.execute(sa.select(events.c.id, events.c.body).where(events.c.id > last)
                            .order_by(events.c.id).limit(BATCH)).all()
        if not rows:
            return
        columns, index = [], []
        for row_id, body in rows:
            try:
                event = json.loads(body)
            except ValueError:  # a tampered body: the chain check reports it, nothing to index
                continue
            if not isinstance(event, dict):
                continue
            columns.append({"row_id": row_id, **event_columns(event)})
            index += [{"event_record_id": row_id, "kind": kind, "type": type_, "value": value}
                      for kind, type_, value in event_terms(event)]
        if columns:
            conn.execute(update, columns)
        if index:
            conn.execute(terms.insert(), index)
        last = rows[-1][0]


def upgrade():
    op.create_table(
        "epcis_event_terms",
        sa.Column("event_record_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("type", sa.String(length=160), nullable=False),
        sa.Column("value", sa.String(length=512), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_record_id"], ["epcis_events.id"],
            name=op.f("fk_epcis_event_terms_event_record_id_epcis_events"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("event_record_id", "kind", "type", "value",
                                name=op.f("pk_epcis_event_terms")),
    )
    with op.batch_alter_table("epcis_event_terms", schema=None) as batch_op:
        batch_op.create_index("ix_epcis_event_terms_value_kind", ["value", "kind", "type"],
                              unique=False)
    with op.batch_alter_table("epcis_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("action", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("disposition", sa.String(length=160), nullable=True))
        batch_op.add_column(sa.Column("read_point", sa.String(length=512), nullable=True))
        batch_op.add_column(sa.Column("biz_location", sa.String(length=512), nullable=True))
    _backfill()
    with op.batch_alter_table("epcis_events", schema=None) as batch_op:
        for column in ("event_type", "recorded_at", "disposition", "read_point", "biz_location"):
            batch_op.create_index(batch_op.f(f"ix_epcis_events_{column}"), [column],
                                  unique=False)


def downgrade():
    with op.batch_alter_table("epcis_events", schema=None) as batch_op:
        for column in ("biz_location", "read_point", "disposition", "recorded_at", "event_type"):
            batch_op.drop_index(batch_op.f(f"ix_epcis_events_{column}"))
        for column in ("biz_location", "read_point", "disposition", "action"):
            batch_op.drop_column(column)
    with op.batch_alter_table("epcis_event_terms", schema=None) as batch_op:
        batch_op.drop_index("ix_epcis_event_terms_value_kind")
    op.drop_table("epcis_event_terms")

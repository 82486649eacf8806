"""EPCIS events keep the eventID their sender gave beside the event hash; error declarations;
capture jobs

Revision ID: b166d7e2058f
Revises: 6b2d4f8a1c37

Until now `event_id` held the event hash whatever the sender called the event, so the new
`event_hash` column takes its value for every stored event; `event_id` stays as it is (the
partner's own eventIDs of earlier captures were not kept and cannot be recovered).
"""

import sqlalchemy as sa
from alembic import op

revision = "b166d7e2058f"
down_revision = "6b2d4f8a1c37"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "epcis_capture_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("capture_id", sa.String(length=32), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("behaviour", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.Column("errors", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_epcis_capture_jobs_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_epcis_capture_jobs")),
        sa.UniqueConstraint("capture_id", name=op.f("uq_epcis_capture_jobs_capture_id")),
    )
    with op.batch_alter_table("epcis_capture_jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_epcis_capture_jobs_created_by_id"),
                              ["created_by_id"], unique=False)
    op.create_table(
        "epcis_error_declarations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_record_id", sa.Integer(), nullable=False),
        sa.Column("declaration_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=160), nullable=True),
        sa.Column("corrective_event_ids", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_record_id"],
            ["epcis_events.id"],
            name=op.f("fk_epcis_error_declarations_event_record_id_epcis_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_epcis_error_declarations_recorded_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_epcis_error_declarations")),
    )
    with op.batch_alter_table("epcis_error_declarations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_epcis_error_declarations_event_record_id"),
            ["event_record_id"],
            unique=False,
        )

    with op.batch_alter_table("epcis_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("event_hash", sa.String(length=120), nullable=True))
    op.execute("UPDATE epcis_events SET event_hash = event_id")
    with op.batch_alter_table("epcis_events", schema=None) as batch_op:
        batch_op.alter_column("event_hash", existing_type=sa.String(length=120), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_epcis_events_event_hash"), ["event_hash"])


def downgrade():
    with op.batch_alter_table("epcis_events", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_epcis_events_event_hash"), type_="unique")
        batch_op.drop_column("event_hash")

    with op.batch_alter_table("epcis_error_declarations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_epcis_error_declarations_event_record_id"))

    op.drop_table("epcis_error_declarations")
    with op.batch_alter_table("epcis_capture_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_epcis_capture_jobs_created_by_id"))
    op.drop_table("epcis_capture_jobs")

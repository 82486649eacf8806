"""EPCIS named queries and their webhook subscriptions

Revision ID: f1c7d3a9e254
Revises: b9d2e4f7a1c6

epcis_named_queries: a user's queries (parameters as JSON), the name unique per owner;
epcis_subscriptions: a webhook per subscription, stream or schedule, and the position
(recordTime, id) of the latest event delivered; epcis_delivered_events: which events each
subscription delivered within its look-back window.
"""

import sqlalchemy as sa
from alembic import op

revision = "f1c7d3a9e254"
down_revision = "b9d2e4f7a1c6"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "epcis_named_queries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"],
                                name=op.f("fk_epcis_named_queries_owner_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_epcis_named_queries")),
        sa.UniqueConstraint("owner_id", "name",
                            name=op.f("uq_epcis_named_queries_owner_id_name")),
    )
    op.create_index(op.f("ix_epcis_named_queries_owner_id"), "epcis_named_queries",
                    ["owner_id"])
    op.create_table(
        "epcis_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.String(length=36), nullable=False),
        sa.Column("query_id", sa.Integer(), nullable=False),
        sa.Column("dest", sa.String(length=2000), nullable=False),
        sa.Column("signature_token", sa.String(length=500), nullable=True),
        sa.Column("report_if_empty", sa.Boolean(), nullable=False),
        sa.Column("stream", sa.Boolean(), nullable=False),
        sa.Column("schedule", sa.Text(), nullable=True),
        sa.Column("initial_record_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("position_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("position_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("report_due", sa.Boolean(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("retry_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(["query_id"], ["epcis_named_queries.id"],
                                name=op.f("fk_epcis_subscriptions_query_id_epcis_named_queries"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_epcis_subscriptions")),
        sa.UniqueConstraint("subscription_id",
                            name=op.f("uq_epcis_subscriptions_subscription_id")),
    )
    for column in ("query_id", "stream", "next_run_at", "retry_at"):
        op.create_index(op.f(f"ix_epcis_subscriptions_{column}"), "epcis_subscriptions",
                        [column])
    op.create_table(
        "epcis_delivered_events",
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("event_record_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscription_id"], ["epcis_subscriptions.id"], ondelete="CASCADE",
            name=op.f("fk_epcis_delivered_events_subscription_id_epcis_subscriptions")),
        sa.ForeignKeyConstraint(
            ["event_record_id"], ["epcis_events.id"], ondelete="CASCADE",
            name=op.f("fk_epcis_delivered_events_event_record_id_epcis_events")),
        sa.PrimaryKeyConstraint("subscription_id", "event_record_id",
                                name=op.f("pk_epcis_delivered_events")),
    )


def downgrade() -> None:
    op.drop_table("epcis_delivered_events")
    for column in ("retry_at", "next_run_at", "stream", "query_id"):
        op.drop_index(op.f(f"ix_epcis_subscriptions_{column}"), table_name="epcis_subscriptions")
    op.drop_table("epcis_subscriptions")
    op.drop_index(op.f("ix_epcis_named_queries_owner_id"), table_name="epcis_named_queries")
    op.drop_table("epcis_named_queries")

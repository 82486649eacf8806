"""Scan ids: a scan taken from the Redis stream is stored once however often it is delivered

Revision ID: 5c7e1b2a9d40
Revises: 7e2a9c4b1d83
"""

import sqlalchemy as sa
from alembic import op

revision = "5c7e1b2a9d40"
down_revision = "7e2a9c4b1d83"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("scan_events") as batch:
        batch.add_column(sa.Column("scan_id", sa.String(length=32), nullable=True))
        batch.create_unique_constraint(batch.f("uq_scan_events_scan_id"), ["scan_id"])


def downgrade():
    with op.batch_alter_table("scan_events") as batch:
        batch.drop_constraint(batch.f("uq_scan_events_scan_id"), type_="unique")
        batch.drop_column("scan_id")

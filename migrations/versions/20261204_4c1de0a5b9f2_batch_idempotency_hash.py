"""Batch idempotency hash: the request that used a key, so a different one is refused

Revision ID: 4c1de0a5b9f2
Revises: 6d0b3f8e2a15
Create Date: 2026-12-04 17:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "4c1de0a5b9f2"
down_revision = "6d0b3f8e2a15"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("idempotency_hash", sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.drop_column("idempotency_hash")

"""order declined by the producer: when and why

Revision ID: 5e13d0c1a7b2
Revises: 5e1c0a9b3d27
Create Date: 2026-12-04 14:00:00

An order's status may now be 'declined' (a non-native enum: a string, no constraint to
change); the producer's reason and the moment go in two new columns.
"""

import sqlalchemy as sa
from alembic import op

revision = "5e13d0c1a7b2"
down_revision = "5e1c0a9b3d27"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("declined_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("decline_reason", sa.String(length=500), nullable=True))


def downgrade():
    # Declined orders become cancelled ones: the old code knows no 'declined'.
    op.execute("UPDATE orders SET status = 'cancelled', cancelled_at = declined_at "
               "WHERE status = 'declined'")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("decline_reason")
        batch_op.drop_column("declined_at")

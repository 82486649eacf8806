"""Listings held by an inspector: the status a hold found, which only an inspector's release
puts back

Revision ID: 4c1e8a7d2b90
Revises: 9a5f3d7e2b18
Create Date: 2026-12-04 16:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "4c1e8a7d2b90"
down_revision = "9a5f3d7e2b18"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("listings", schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            "status_before_hold",
            sa.Enum("active", "paused", "closed", name="listingstatus", native_enum=False,
                    length=24),
            nullable=True))


def downgrade():
    with op.batch_alter_table("listings", schema=None) as batch_op:
        batch_op.drop_column("status_before_hold")

"""Producer service phone: the public number shown on the consumer page

Revision ID: 5e1c0a9b3d27
Revises: 7c8d75c43658
Create Date: 2026-12-04 13:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "5e1c0a9b3d27"
down_revision = "7c8d75c43658"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("producers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("service_phone", sa.String(length=20), nullable=True))


def downgrade():
    with op.batch_alter_table("producers", schema=None) as batch_op:
        batch_op.drop_column("service_phone")

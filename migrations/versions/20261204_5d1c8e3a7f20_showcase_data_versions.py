"""Showcase data versions: producers and certifications record when they last changed

Revision ID: 5d1c8e3a7f20
Revises: 5c7e1b2a9d40

The public showcase caches its pages per data version (the latest change of what a page shows);
listings already had updated_at. Existing rows take their created_at.
"""

import sqlalchemy as sa
from alembic import op

revision = "5d1c8e3a7f20"
down_revision = "5c7e1b2a9d40"
branch_labels = None
depends_on = None

TABLES = ("producers", "certifications")


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
        op.execute(f"UPDATE {table} SET updated_at = created_at")


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("updated_at")

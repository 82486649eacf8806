"""Data versions: a counter per kind of shared data (the market's listings), raised in the
transaction that changes it, so a page cache keyed by it never serves a stale page

Revision ID: 5b8e1f3a9d27
Revises: 5d1c8e3a7f20
"""

import sqlalchemy as sa
from alembic import op

revision = "5b8e1f3a9d27"
down_revision = "5d1c8e3a7f20"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "data_versions",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_data_versions")),
    )


def downgrade():
    op.drop_table("data_versions")

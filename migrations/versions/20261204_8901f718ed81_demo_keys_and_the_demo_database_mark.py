"""Demo data found by stable keys (producers.demo_key, places.demo_key) and the mark of a
demo database (demo_database), so re-seeding survives renames and never touches a real database

Revision ID: 8901f718ed81
Revises: b7d3e9a41c52
Create Date: 2026-12-04 16:41:22.130711

"""

import sqlalchemy as sa
from alembic import op

revision = "8901f718ed81"
down_revision = "b7d3e9a41c52"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "demo_database",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_demo_database")),
    )
    with op.batch_alter_table("places", schema=None) as batch_op:
        batch_op.add_column(sa.Column("demo_key", sa.String(length=120), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_places_demo_key"), ["demo_key"])

    with op.batch_alter_table("producers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("demo_key", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_producers_demo_key"), ["demo_key"])



def downgrade():
    with op.batch_alter_table("producers", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_producers_demo_key"), type_="unique")
        batch_op.drop_column("demo_key")

    with op.batch_alter_table("places", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_places_demo_key"), type_="unique")
        batch_op.drop_column("demo_key")

    op.drop_table("demo_database")

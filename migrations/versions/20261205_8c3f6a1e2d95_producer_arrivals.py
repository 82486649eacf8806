"""Arrival index per producer: each producer's estimate to each indexed site, once

Revision ID: 8c3f6a1e2d95
Revises: f1c7d3a9e254

`producer_arrivals` holds what every `listing_arrivals` row of a producer holds for a site, so
the can-arrive-by facet counts listings per producer instead of joining every listing's row,
and expired estimates are found in a table of producers, not of listings. Filled from the
`listing_arrivals` rows already written.
"""

import sqlalchemy as sa
from alembic import op

revision = "8c3f6a1e2d95"
down_revision = "f1c7d3a9e254"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "producer_arrivals",
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("producer_id", sa.Integer(), nullable=False),
        sa.Column("arrival_minute", sa.Integer(), nullable=False),
        sa.Column("arrival_us", sa.BigInteger(), nullable=False),
        sa.Column("expires_us", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["producer_id"], ["producers.id"],
                                name=op.f("fk_producer_arrivals_producer_id_producers")),
        sa.ForeignKeyConstraint(["site_id"], ["arrival_sites.site_id"],
                                name=op.f("fk_producer_arrivals_site_id_arrival_sites"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("site_id", "producer_id", name=op.f("pk_producer_arrivals")),
    )
    op.create_index("ix_producer_arrivals_site_expiry", "producer_arrivals",
                    ["site_id", "expires_us"])
    op.execute("INSERT INTO producer_arrivals (site_id, producer_id, arrival_minute, arrival_us, "
               "expires_us) SELECT site_id, producer_id, min(arrival_minute), min(arrival_us), "
               "min(expires_us) FROM listing_arrivals GROUP BY site_id, producer_id")


def downgrade():
    op.drop_table("producer_arrivals")

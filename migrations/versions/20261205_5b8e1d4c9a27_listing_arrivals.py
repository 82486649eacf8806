"""Arrival index: when each listing would arrive at a delivery site, for arrival-sorted search

Revision ID: 5b8e1d4c9a27
Revises: a3f5c1e8b7d2

`arrival_sites` (the sites whose arrivals are kept) and `listing_arrivals` (per site and
listing: the arrival minute the search sorts by, the exact arrival and the cut-off after which
it is out of date; market/services/arrival_index.py). Both start empty: a site's rows are
written on its first arrival search.
"""

import sqlalchemy as sa
from alembic import op

revision = "5b8e1d4c9a27"
down_revision = "a3f5c1e8b7d2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "arrival_sites",
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["places.id"],
                                name=op.f("fk_arrival_sites_site_id_places"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("site_id", name=op.f("pk_arrival_sites")),
    )
    op.create_table(
        "listing_arrivals",
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("producer_id", sa.Integer(), nullable=False),
        sa.Column("arrival_minute", sa.Integer(), nullable=False),
        sa.Column("arrival_us", sa.BigInteger(), nullable=False),
        sa.Column("expires_us", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["listing_id"], ["listings.id"],
                                name=op.f("fk_listing_arrivals_listing_id_listings"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["producer_id"], ["producers.id"],
                                name=op.f("fk_listing_arrivals_producer_id_producers")),
        sa.ForeignKeyConstraint(["site_id"], ["arrival_sites.site_id"],
                                name=op.f("fk_listing_arrivals_site_id_arrival_sites"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("site_id", "listing_id", name=op.f("pk_listing_arrivals")),
    )
    op.create_index("ix_listing_arrivals_site_arrival", "listing_arrivals",
                    ["site_id", "arrival_minute", "listing_id"])
    op.create_index("ix_listing_arrivals_site_expiry", "listing_arrivals",
                    ["site_id", "expires_us"])
    op.create_index(op.f("ix_listing_arrivals_producer_id"), "listing_arrivals",
                    ["producer_id"])


def downgrade():
    op.drop_table("listing_arrivals")
    op.drop_table("arrival_sites")

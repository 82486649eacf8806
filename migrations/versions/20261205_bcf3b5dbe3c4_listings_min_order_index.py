"""Listings by minimum order: an index (status, min_order_g, id) for the market's sort by
minimum order (起订量), either way

Revision ID: bcf3b5dbe3c4
Revises: 34b0412ddc7f

The market table sorts by its 起订量 header (sort=min_order, min_order_desc) as it does by
price: one range of this index, read forwards or backwards, cut by the keyset cursor.
"""

from alembic import op

revision = "bcf3b5dbe3c4"
down_revision = "34b0412ddc7f"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("listings", schema=None) as batch_op:
        batch_op.create_index("ix_listings_status_min_order", ["status", "min_order_g", "id"],
                              unique=False)


def downgrade():
    with op.batch_alter_table("listings", schema=None) as batch_op:
        batch_op.drop_index("ix_listings_status_min_order")

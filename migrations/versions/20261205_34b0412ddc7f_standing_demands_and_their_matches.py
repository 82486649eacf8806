"""Standing demand (求购): buyers' weekly needs and the producers matched to them

Revision ID: 34b0412ddc7f
Revises: f075d06197c6

`standing_demands` (buyer, product, grade, grams per week, first and last week as Mondays,
delivery site, expected price in fen per 斤 or none for 待报价, least shelf life on arrival,
open/closed, the 询价 producers quote on) and `standing_demand_matches` (producer, rank, score,
reasons as JSON, when its people were told).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "34b0412ddc7f"
down_revision = "f075d06197c6"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "standing_demands",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("buyer_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("grade", sa.String(length=32), nullable=True),
        sa.Column("quantity_g_per_week", sa.BigInteger(), nullable=False),
        sa.Column("first_week", sa.Date(), nullable=False),
        sa.Column("last_week", sa.Date(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("price_fen_per_jin", sa.Integer(), nullable=True),
        sa.Column("min_shelf_life_days", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("open", "closed", name="demandstatus", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column("quote_request_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("matched_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "last_week >= first_week", name=op.f("ck_standing_demands_weeks_in_order")
        ),
        sa.CheckConstraint(
            "quantity_g_per_week > 0", name=op.f("ck_standing_demands_quantity_positive")
        ),
        sa.ForeignKeyConstraint(
            ["buyer_id"], ["users.id"], name=op.f("fk_standing_demands_buyer_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_standing_demands_product_id_products")
        ),
        sa.ForeignKeyConstraint(
            ["quote_request_id"],
            ["quote_requests.id"],
            name=op.f("fk_standing_demands_quote_request_id_quote_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["places.id"], name=op.f("fk_standing_demands_site_id_places")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standing_demands")),
    )
    with op.batch_alter_table("standing_demands", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_standing_demands_buyer_id"), ["buyer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_standing_demands_product_id"), ["product_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_standing_demands_status"), ["status"], unique=False)

    op.create_table(
        "standing_demand_matches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("demand_id", sa.Integer(), nullable=False),
        sa.Column("producer_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["demand_id"],
            ["standing_demands.id"],
            name=op.f("fk_standing_demand_matches_demand_id_standing_demands"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["producer_id"],
            ["producers.id"],
            name=op.f("fk_standing_demand_matches_producer_id_producers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standing_demand_matches")),
        sa.UniqueConstraint(
            "demand_id",
            "producer_id",
            name=op.f("uq_standing_demand_matches_demand_id_producer_id"),
        ),
    )
    with op.batch_alter_table("standing_demand_matches", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_standing_demand_matches_demand_id"), ["demand_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_standing_demand_matches_producer_id"), ["producer_id"], unique=False
        )



def downgrade():
    with op.batch_alter_table("standing_demand_matches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_standing_demand_matches_producer_id"))
        batch_op.drop_index(batch_op.f("ix_standing_demand_matches_demand_id"))

    op.drop_table("standing_demand_matches")
    with op.batch_alter_table("standing_demands", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_standing_demands_status"))
        batch_op.drop_index(batch_op.f("ix_standing_demands_product_id"))
        batch_op.drop_index(batch_op.f("ix_standing_demands_buyer_id"))

    op.drop_table("standing_demands")

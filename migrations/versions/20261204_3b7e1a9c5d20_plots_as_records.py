"""plots (地块) as records: inputs and batches point at a plot instead of naming it

Revision ID: 3b7e1a9c5d20
Revises: 5e13d0c1a7b2
Create Date: 2026-12-04 14:00:00

Per producer, the distinct trimmed plot names of its inputs and batches become `plots` rows
(exact matches merge; "南湖1号地" and "李营南湖地块1号" stay two plots), each row gets the
plot's id, then the free-text columns go. The plot's township starts as its producer's, its
crops are the products of the batches harvested on it. Downgrade writes the names back.
"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "3b7e1a9c5d20"
down_revision = "5e13d0c1a7b2"
branch_labels = None
depends_on = None

TABLES = ("farm_inputs", "batches")


def upgrade():
    op.create_table(
        "plots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("producer_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("area_mu", sa.Numeric(precision=8, scale=2), nullable=True),
        sa.Column("township", sa.String(length=64), nullable=True),
        sa.Column("latitude", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("longitude", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["producer_id"], ["producers.id"],
                                name=op.f("fk_plots_producer_id_producers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plots")),
        sa.UniqueConstraint("producer_id", "name", name=op.f("uq_plots_producer_id_name")),
    )
    op.create_index(op.f("ix_plots_producer_id"), "plots", ["producer_id"], unique=False)
    op.create_table(
        "plot_crops",
        sa.Column("plot_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["plot_id"], ["plots.id"],
                                name=op.f("fk_plot_crops_plot_id_plots"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"],
                                name=op.f("fk_plot_crops_product_id_products")),
        sa.PrimaryKeyConstraint("plot_id", "product_id", name=op.f("pk_plot_crops")),
    )
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("plot_id", sa.Integer(), nullable=True))

    conn = op.get_bind()
    now = dt.datetime.now(dt.UTC)
    names: dict[tuple[int, str], None] = {}
    for table in TABLES:
        for producer_id, name in conn.execute(
            sa.text(f"SELECT DISTINCT producer_id, TRIM(plot) FROM {table} ORDER BY 1, 2")
        ):
            names[(producer_id, name or "?")] = None
    townships = dict(conn.execute(sa.text("SELECT id, township FROM producers")).all())
    plots = sa.table("plots", sa.column("id"), sa.column("producer_id"), sa.column("name"),
                     sa.column("township"), sa.column("created_at"))
    for producer_id, name in names:
        conn.execute(plots.insert().values(producer_id=producer_id, name=name[:64],
                                           township=townships.get(producer_id),
                                           created_at=now))
    for table in TABLES:
        conn.execute(sa.text(
            f"UPDATE {table} SET plot_id = (SELECT plots.id FROM plots"
            f" WHERE plots.producer_id = {table}.producer_id"
            f" AND plots.name = COALESCE(NULLIF(TRIM({table}.plot), ''), '?'))"
        ))
    conn.execute(sa.text(
        "INSERT INTO plot_crops (plot_id, product_id)"
        " SELECT DISTINCT plot_id, product_id FROM batches"
    ))
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.alter_column("plot_id", existing_type=sa.Integer(), nullable=False)
            batch_op.create_index(batch_op.f(f"ix_{table}_plot_id"), ["plot_id"], unique=False)
            batch_op.create_foreign_key(batch_op.f(f"fk_{table}_plot_id_plots"), "plots",
                                        ["plot_id"], ["id"])
            batch_op.drop_column("plot")


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("plot", sa.String(length=64), nullable=True))
        op.execute(sa.text(
            f"UPDATE {table} SET plot = (SELECT plots.name FROM plots"
            f" WHERE plots.id = {table}.plot_id)"
        ))
        with op.batch_alter_table(table) as batch_op:
            batch_op.alter_column("plot", existing_type=sa.String(length=64), nullable=False)
            batch_op.drop_constraint(batch_op.f(f"fk_{table}_plot_id_plots"), type_="foreignkey")
            batch_op.drop_index(batch_op.f(f"ix_{table}_plot_id"))
            batch_op.drop_column("plot_id")
    op.drop_table("plot_crops")
    op.drop_index(op.f("ix_plots_producer_id"), table_name="plots")
    op.drop_table("plots")

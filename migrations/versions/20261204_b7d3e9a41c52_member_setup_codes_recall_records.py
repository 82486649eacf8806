"""Member setup codes on users; recall records with everyone each hold or recall told

Revision ID: b7d3e9a41c52
Revises: 3b7e1a9c5d20
Create Date: 2026-12-04 14:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "b7d3e9a41c52"
down_revision = "3b7e1a9c5d20"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("setup_code_hash", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("setup_code_expires_at", sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column("must_set_password", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column("must_set_password", server_default=None)
    op.create_table(
        "recall_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.Enum("registered", "listed", "sold_out", "held", "recalled",
                                    name="batchstatus", native_enum=False, length=24),
                  nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"],
                                name=op.f("fk_recall_records_actor_id_users")),
        sa.ForeignKeyConstraint(["batch_id"], ["batches.id"],
                                name=op.f("fk_recall_records_batch_id_batches")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recall_records")),
    )
    with op.batch_alter_table("recall_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recall_records_batch_id"), ["batch_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_recall_records_created_at"), ["created_at"],
                              unique=False)
    op.create_table(
        "recall_recipients",
        sa.Column("recall_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["recall_id"], ["recall_records.id"],
                                name=op.f("fk_recall_recipients_recall_id_recall_records")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_recall_recipients_user_id_users")),
        sa.PrimaryKeyConstraint("recall_id", "user_id", name=op.f("pk_recall_recipients")),
    )


def downgrade():
    op.drop_table("recall_recipients")
    with op.batch_alter_table("recall_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recall_records_created_at"))
        batch_op.drop_index(batch_op.f("ix_recall_records_batch_id"))
    op.drop_table("recall_records")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("must_set_password")
        batch_op.drop_column("setup_code_expires_at")
        batch_op.drop_column("setup_code_hash")

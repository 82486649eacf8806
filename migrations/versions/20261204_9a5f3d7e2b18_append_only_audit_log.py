"""Append-only audit log of sign-ins and account actions, guarded by triggers

Revision ID: 9a5f3d7e2b18
Revises: 4c2e8a61d9f3
Create Date: 2026-12-04 16:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "9a5f3d7e2b18"
down_revision = "4c2e8a61d9f3"
branch_labels = None
depends_on = None

ACTIONS = ("signed_in", "signed_out", "password_changed", "reset_code_issued", "reset_used",
           "deactivated", "reactivated", "member_removed")
MESSAGE = "audit_entries is append-only"


def upgrade():
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.Enum(*ACTIONS, name="auditaction", native_enum=False,
                                    length=24), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("target_user_id", sa.Integer(), nullable=True),
        sa.Column("producer_id", sa.Integer(), nullable=True),
        sa.Column("network", sa.String(length=45), nullable=True),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"],
                                name=op.f("fk_audit_entries_actor_id_users")),
        sa.ForeignKeyConstraint(["producer_id"], ["producers.id"],
                                name=op.f("fk_audit_entries_producer_id_producers")),
        sa.ForeignKeyConstraint(["target_user_id"], ["users.id"],
                                name=op.f("fk_audit_entries_target_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
    )
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entries_actor_id"), ["actor_id"])
        batch_op.create_index(batch_op.f("ix_audit_entries_created_at"), ["created_at"])
        batch_op.create_index(batch_op.f("ix_audit_entries_target_user_id"), ["target_user_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION audit_entries_refuse_change() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege';
            END $$
        """)
        op.execute("CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE "
                   "ON audit_entries FOR EACH ROW EXECUTE FUNCTION "
                   "audit_entries_refuse_change()")
        op.execute("CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE "
                   "ON audit_entries FOR EACH STATEMENT EXECUTE FUNCTION "
                   "audit_entries_refuse_change()")
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER audit_entries_no_{event.lower()} BEFORE {event} "
                       f"ON audit_entries BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_entries_no_truncate ON audit_entries")
        op.execute("DROP TRIGGER audit_entries_append_only ON audit_entries")
        op.execute("DROP FUNCTION audit_entries_refuse_change()")
    else:
        op.execute("DROP TRIGGER audit_entries_no_update")
        op.execute("DROP TRIGGER audit_entries_no_delete")
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entries_target_user_id"))
        batch_op.drop_index(batch_op.f("ix_audit_entries_created_at"))
        batch_op.drop_index(batch_op.f("ix_audit_entries_actor_id"))
    op.drop_table("audit_entries")

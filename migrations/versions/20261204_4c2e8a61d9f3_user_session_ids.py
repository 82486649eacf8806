"""User session ids: what session and remember cookies carry, rotated to end every sign-in

Revision ID: 4c2e8a61d9f3
Revises: 8901f718ed81
Create Date: 2026-12-04 16:40:00

"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "4c2e8a61d9f3"
down_revision = "8901f718ed81"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_id", sa.String(length=64), nullable=True))
    users = sa.table("users", sa.column("id", sa.Integer), sa.column("session_id", sa.String))
    conn = op.get_bind()
    # Every existing user gets their own random id (earlier cookies carried the user id and
    # stop working: everyone signs in once more).
    for (user_id,) in conn.execute(sa.select(users.c.id)).all():
        conn.execute(users.update().where(users.c.id == user_id)
                     .values(session_id=secrets.token_hex(32)))
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column("session_id", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_users_session_id"), ["session_id"])


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_users_session_id"), type_="unique")
        batch_op.drop_column("session_id")

"""One dispatch plan queued or running per cold store at a time (a partial unique index)

Revision ID: 6d0b3f8e2a15
Revises: 9a2f6c3e1d48
Create Date: 2026-12-04 17:10:00

Before the index is made, every queued or running plan but the newest of each cold store is
marked failed: such a plan was left behind by a process that died (the planning thread does
not survive a restart), and nothing would ever run it.
"""

import sqlalchemy as sa
from alembic import op

revision = "6d0b3f8e2a15"
down_revision = "9a2f6c3e1d48"
branch_labels = None
depends_on = None

ACTIVE = "status IN ('queued', 'running')"


def upgrade():
    op.execute(sa.text(
        "UPDATE dispatch_plans SET status = 'failed', "
        "error = 'job: the planning job did not finish (the server restarted); plan again' "
        f"WHERE {ACTIVE} AND id NOT IN ("
        f" SELECT MAX(id) FROM dispatch_plans WHERE {ACTIVE} GROUP BY depot_id)"))
    with op.batch_alter_table("dispatch_plans", schema=None) as batch_op:
        batch_op.create_index("ix_dispatch_plans_one_active_per_depot", ["depot_id"],
                              unique=True, sqlite_where=sa.text(ACTIVE),
                              postgresql_where=sa.text(ACTIVE))


def downgrade():
    with op.batch_alter_table("dispatch_plans", schema=None) as batch_op:
        batch_op.drop_index("ix_dispatch_plans_one_active_per_depot")

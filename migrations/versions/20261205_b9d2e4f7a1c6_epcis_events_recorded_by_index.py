"""EPCIS visibility: epcis_events indexed by who recorded them

Revision ID: b9d2e4f7a1c6
Revises: 5b8e1d4c9a27

`ledger.services.epcis_store.visible_filter` is now one `id IN (... UNION ...)` of index
lookups (what the caller recorded, their lots, their GTINs, the lots they carry) instead of an
OR that PostgreSQL answered by testing every event; what the caller recorded is one of them.
"""

from alembic import op

revision = "b9d2e4f7a1c6"
down_revision = "5b8e1d4c9a27"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_epcis_events_recorded_by_id", "epcis_events", ["recorded_by_id"])


def downgrade() -> None:
    op.drop_index("ix_epcis_events_recorded_by_id", table_name="epcis_events")

"""EPCIS collections: epcis_event_terms indexed by (kind, value)

Revision ID: a3f5c1e8b7d2
Revises: 67d2c7f0349f

`GET /epcs` lists the EPCs of the events in order, one index probe per value and term kind;
the (value, kind, type) index would step over every business transaction, source and class
that sorts between two EPCs.
"""

from alembic import op

revision = "a3f5c1e8b7d2"
down_revision = "67d2c7f0349f"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_epcis_event_terms_kind_value", "epcis_event_terms", ["kind", "value"])


def downgrade() -> None:
    op.drop_index("ix_epcis_event_terms_kind_value", table_name="epcis_event_terms")

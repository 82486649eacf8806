"""Temperature readings unique per (shipment, logger, time), no longer per (logger, time)
across every shipment

Revision ID: 9a2f6c3e1d48
Revises: 4c1e8a7d2b90
Create Date: 2026-12-04 17:00:00

Every stored row is kept: rows unique on (logger, time) are unique on (shipment, logger, time)
too. The downgrade restores the global constraint, and for that must delete all but the first
stored row of each (logger, time) that several shipments share.
"""

import sqlalchemy as sa
from alembic import op

revision = "9a2f6c3e1d48"
down_revision = "4c1e8a7d2b90"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("temperature_readings", schema=None) as batch_op:
        batch_op.drop_constraint("uq_temperature_readings_sensor_id_recorded_at", type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_temperature_readings_shipment_id_sensor_id_recorded_at"),
            ["shipment_id", "sensor_id", "recorded_at"])


def downgrade():
    op.execute(sa.text(
        "DELETE FROM temperature_readings WHERE id NOT IN ("
        " SELECT MIN(id) FROM temperature_readings GROUP BY sensor_id, recorded_at)"))
    with op.batch_alter_table("temperature_readings", schema=None) as batch_op:
        batch_op.drop_constraint(
            "uq_temperature_readings_shipment_id_sensor_id_recorded_at", type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_temperature_readings_sensor_id_recorded_at"),
            ["sensor_id", "recorded_at"])

"""Stored files' and photo upload parts' bytes out of the database, into the file store

Revision ID: 5d1f7a3c9e26
Revises: 5b8e1f3a9d27

Every stored_files row's bytes are written to the configured file store (FILES_DIR or the S3
bucket), one row at a time, under their sha256, and the data column is dropped; a row whose
recorded sha256 does not match its bytes gets the digest of the bytes it really holds. Photo
upload parts likewise, into a new sha256 column. The downgrade reads each row's bytes back
from the store into a new data column (the blobs stay in the store; `flask
clean-orphan-files` removes them once no row names them).
"""

import io

import sqlalchemy as sa
from alembic import op
from flask import current_app

revision = "5d1f7a3c9e26"
down_revision = "5b8e1f3a9d27"
branch_labels = None
depends_on = None

files = sa.table("stored_files", sa.column("id", sa.Integer), sa.column("sha256", sa.String),
                 sa.column("size", sa.Integer), sa.column("data", sa.LargeBinary))
parts = sa.table("photo_upload_parts", sa.column("id", sa.Integer),
                 sa.column("sha256", sa.String), sa.column("size", sa.Integer),
                 sa.column("data", sa.LargeBinary))


def _store():
    return current_app.extensions["file_store"]


def _move_out(table) -> None:
    """Each row's bytes into the store (one row in memory at a time); the row keeps the key."""
    conn = op.get_bind()
    store = _store()
    for row_id in conn.scalars(sa.select(table.c.id).order_by(table.c.id)).all():
        data = conn.scalar(sa.select(table.c.data).where(table.c.id == row_id))
        key, size = store.put(io.BytesIO(bytes(data or b"")))
        conn.execute(table.update().where(table.c.id == row_id).values(sha256=key, size=size))


def _move_back(table) -> None:
    conn = op.get_bind()
    store = _store()
    rows = conn.execute(sa.select(table.c.id, table.c.sha256).order_by(table.c.id)).all()
    for row_id, key in rows:
        with store.open(key) as blob:
            data = blob.read()
        conn.execute(table.update().where(table.c.id == row_id).values(data=data))


def upgrade():
    _move_out(files)
    with op.batch_alter_table("stored_files", schema=None) as batch_op:
        batch_op.drop_column("data")
        batch_op.create_index(batch_op.f("ix_stored_files_sha256"), ["sha256"], unique=False)
    with op.batch_alter_table("photo_upload_parts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sha256", sa.String(length=64), nullable=True))
    _move_out(parts)
    with op.batch_alter_table("photo_upload_parts", schema=None) as batch_op:
        batch_op.alter_column("sha256", existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_column("data")
        batch_op.create_index(batch_op.f("ix_photo_upload_parts_sha256"), ["sha256"],
                              unique=False)


def downgrade():
    with op.batch_alter_table("photo_upload_parts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_photo_upload_parts_sha256"))
        batch_op.add_column(sa.Column("data", sa.LargeBinary(), nullable=True))
    _move_back(parts)
    with op.batch_alter_table("photo_upload_parts", schema=None) as batch_op:
        batch_op.alter_column("data", existing_type=sa.LargeBinary(), nullable=False)
        batch_op.drop_column("sha256")
    with op.batch_alter_table("stored_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stored_files_sha256"))
        batch_op.add_column(sa.Column("data", sa.LargeBinary(), nullable=True))
    _move_back(files)

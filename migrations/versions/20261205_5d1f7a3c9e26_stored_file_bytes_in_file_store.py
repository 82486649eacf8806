"""Stored files' bytes out of the database, into the file store

Revision ID: 5d1f7a3c9e26
Revises: 7e2a9c4b1d83

Every stored_files row's bytes are written to the configured file store (FILES_DIR), one row
at a time, under their sha256, and the data column is dropped; a row whose recorded sha256
does not match its bytes gets the digest of the bytes it really holds. The downgrade reads
each row's bytes back from the store into a new data column (the blobs stay in the store;
`flask clean-orphan-files` removes them once no row names them).
"""

import io

import sqlalchemy as sa
from alembic import op
from flask import current_app

revision = "5d1f7a3c9e26"
down_revision = "7e2a9c4b1d83"
branch_labels = None
depends_on = None

files = sa.table("stored_files", sa.column("id", sa.Integer), sa.column("sha256", sa.String),
                 sa.column("size", sa.Integer), sa.column("data", sa.LargeBinary))


def _store():
    return current_app.extensions["file_store"]


def upgrade():
    conn = op.get_bind()
    store = _store()
    ids = conn.scalars(sa.select(files.c.id).order_by(files.c.id)).all()
    for file_id in ids:
        data = conn.scalar(sa.select(files.c.data).where(files.c.id == file_id))
        key, size = store.put(io.BytesIO(bytes(data or b"")))
        conn.execute(files.update().where(files.c.id == file_id).values(sha256=key, size=size))
    with op.batch_alter_table("stored_files", schema=None) as batch_op:
        batch_op.drop_column("data")
        batch_op.create_index(batch_op.f("ix_stored_files_sha256"), ["sha256"], unique=False)


def downgrade():
    with op.batch_alter_table("stored_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stored_files_sha256"))
        batch_op.add_column(sa.Column("data", sa.LargeBinary(), nullable=True))
    conn = op.get_bind()
    store = _store()
    rows = conn.execute(sa.select(files.c.id, files.c.sha256).order_by(files.c.id)).all()
    for file_id, key in rows:
        with store.open(key) as blob:
            data = blob.read()
        conn.execute(files.update().where(files.c.id == file_id).values(data=data))

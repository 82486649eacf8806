"""Photo uploads in parts: resumable photo uploads and their acknowledged parts

Revision ID: 7e2a9c4b1d83
Revises: 3f8b2d6e9c14

The contract chains this after 3f8b2d6e9c14 (idempotency keys); on this branch it follows
4c1de0a5b9f2 and the lead rechains it.
"""

import sqlalchemy as sa
from alembic import op

revision = "7e2a9c4b1d83"
down_revision = "3f8b2d6e9c14"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "photo_uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("photo_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["batches.id"],
                                name=op.f("fk_photo_uploads_batch_id_batches")),
        sa.ForeignKeyConstraint(["photo_id"], ["batch_photos.id"],
                                name=op.f("fk_photo_uploads_photo_id_batch_photos")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_photo_uploads_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_photo_uploads")),
        sa.UniqueConstraint("user_id", "idempotency_key", name="uq_photo_uploads_user_key"),
    )
    op.create_index(op.f("ix_photo_uploads_batch_id"), "photo_uploads", ["batch_id"])
    op.create_index(op.f("ix_photo_uploads_user_id"), "photo_uploads", ["user_id"])
    op.create_table(
        "photo_upload_parts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("upload_id", sa.Integer(), nullable=False),
        sa.Column("offset", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["upload_id"], ["photo_uploads.id"], ondelete="CASCADE",
                                name=op.f("fk_photo_upload_parts_upload_id_photo_uploads")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_photo_upload_parts")),
        sa.UniqueConstraint("upload_id", "offset", name="uq_photo_upload_parts_offset"),
    )
    op.create_index(op.f("ix_photo_upload_parts_upload_id"), "photo_upload_parts", ["upload_id"])


def downgrade():
    op.drop_index(op.f("ix_photo_upload_parts_upload_id"), table_name="photo_upload_parts")
    op.drop_table("photo_upload_parts")
    op.drop_index(op.f("ix_photo_uploads_user_id"), table_name="photo_uploads")
    op.drop_index(op.f("ix_photo_uploads_batch_id"), table_name="photo_uploads")
    op.drop_table("photo_uploads")

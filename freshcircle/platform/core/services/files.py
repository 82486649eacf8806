"""Storing and reading uploaded files (photos, reports, certificates)."""

from __future__ import annotations

import datetime as dt
import io
from typing import BinaryIO

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps
from sqlalchemy import select
from sqlalchemy.orm import Session

from freshcircle.platform.core.services.access import require_member, require_view_internal
from freshcircle.platform.core.services.errors import InvalidInput, NotFound
from freshcircle.platform.core.services.file_store import FileStore, current_store, read_all
from freshcircle.platform.models import PhotoUploadPart, StoredFile, User

IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp"}
DOCUMENT_TYPES = IMAGE_TYPES | {"application/pdf"}
# Magic numbers: the browser's claimed type is not trusted.
SIGNATURES = {
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"%PDF-": "application/pdf",
}


def sniff_type(data: bytes) -> str | None:
    for magic, content_type in SIGNATURES.items():
        if data.startswith(magic):
            return content_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def attach_file(session: Session, actor: User, *, producer_id: int, upload: BinaryIO,
                filename: str, max_bytes: int, allowed: set[str] = DOCUMENT_TYPES,
                field: str = "file") -> StoredFile:
    """Keep a member's upload for a producer, read from `upload` (a file the caller opened:
    a form's or a request's file), never more than `max_bytes` + 1 bytes of it; refused per
    `field` when it is empty, too large or not one of the `allowed` types."""
    return store_file(session, actor, producer_id=producer_id, filename=filename,
                      data=upload.read(max_bytes + 1), max_bytes=max_bytes, allowed=allowed,
                      field=field)


def store_file(session: Session, actor: User, *, producer_id: int, **upload) -> StoredFile:
    """Keep a member's upload for a producer; `upload` as for save_upload."""
    require_member(session, actor, producer_id)
    return save_upload(session, actor, producer_id=producer_id, **upload)


def save_upload(
    session: Session,
    actor: User,
    *,
    producer_id: int,
    filename: str,
    data: bytes,
    allowed: set[str] = DOCUMENT_TYPES,
    max_bytes: int,
    field: str = "file",
) -> StoredFile:
    """Check and keep an upload. The caller has already checked that `actor` may add it."""
    if not data:
        raise InvalidInput.field(field, _l("The file is empty."))
    if len(data) > max_bytes:
        raise InvalidInput.field(
            field, _l("The file is larger than %(mb)s MB.", mb=max_bytes // (1024 * 1024))
        )
    content_type = sniff_type(data)
    if content_type not in allowed:
        if allowed == IMAGE_TYPES:
            raise InvalidInput.field(field, _l("A photo must be a JPEG, PNG or WebP image."))
        raise InvalidInput.field(field, _l("Upload a PDF, JPEG, PNG or WebP file."))
    return keep_stream(session, io.BytesIO(data), producer_id=producer_id, filename=filename,
                       content_type=content_type, uploaded_by_id=actor.id)


def keep_stream(session: Session, stream: BinaryIO, *, producer_id: int | None, filename: str,
                content_type: str, uploaded_by_id: int | None) -> StoredFile:
    """Write the stream's bytes to the file store, then add the record that names them: a
    rollback after this leaves an orphan blob, never a record without its bytes."""
    key, size = current_store().put(stream)
    stored = StoredFile(
        producer_id=producer_id,
        filename=(filename or "upload")[-200:],
        content_type=content_type,
        size=size,
        sha256=key,
        uploaded_by_id=uploaded_by_id,
    )
    session.add(stored)
    session.flush()
    return stored


def open_content(stored: StoredFile) -> BinaryIO:
    """The file's bytes, opened for reading from the store (the caller closes it)."""
    return current_store().open(stored.sha256)


def content_bytes(stored: StoredFile) -> bytes:
    """The file's bytes in memory: only for small files (photos)."""
    return read_all(stored.sha256)


def get_file(session: Session, actor: User, file_id: int) -> StoredFile:
    stored = session.get(StoredFile, file_id)
    if stored is None:
        raise NotFound()
    if stored.producer_id is not None:
        require_view_internal(session, actor, stored.producer_id)
    return stored


def owned_file(session: Session, file_id: int | None, producer_id: int, field: str = "file_id"):
    """The file with this id if it belongs to the producer; None when no id is given."""
    if file_id is None:
        return None
    stored = session.get(StoredFile, file_id)
    if stored is None or stored.producer_id != producer_id:
        raise InvalidInput.field(field, _l("No such file for this producer."))
    return stored


def thumbnail(stored: StoredFile, max_px: int) -> bytes | None:
    """A small JPEG of an image for lists on a slow network; None if it cannot be made.

    JPEG `draft` decodes at a reduced scale, so a 1600 px photo
    costs a few milliseconds.
    """
    if not stored.content_type.startswith("image/"):
        return None
    try:
        with Image.open(io.BytesIO(content_bytes(stored))) as image:
            image.draft("RGB", (max_px, max_px))
            small = ImageOps.exif_transpose(image).convert("RGB")
            small.thumbnail((max_px, max_px))
            out = io.BytesIO()
            small.save(out, "JPEG", quality=80, optimize=True)
            return out.getvalue()
    except (OSError, ValueError, Image.DecompressionBombError):
        return None


def orphan_keys(session: Session, store: FileStore, older_than: dt.datetime) -> list[str]:
    """Blobs in the store that no stored file or photo upload part names, written before
    `older_than` (younger ones may belong to an upload whose record is not committed yet)."""
    candidates = [key for key, written in store.listing() if written < older_than]
    named: set[str] = set()
    for start in range(0, len(candidates), 500):
        chunk = candidates[start:start + 500]
        for column in (StoredFile.sha256, PhotoUploadPart.sha256):
            named.update(session.scalars(select(column).where(column.in_(chunk))))
    return [key for key in candidates if key not in named]


def clean_orphans(session: Session, store: FileStore, older_than: dt.datetime, *,
                  dry_run: bool = False) -> list[str]:
    """Remove (unless `dry_run`) the orphan blobs written before `older_than`; their keys."""
    orphans = orphan_keys(session, store, older_than)
    if not dry_run:
        for key in orphans:
            store.delete(key)
    return orphans

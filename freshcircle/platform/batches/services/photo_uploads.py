"""Photos sent in parts, so a photo taken on 2G arrives even when the connection drops.

The idea of the tus 1.0 core protocol, written plainly: the phone announces the photo (size and
sha256 of the whole file), then sends parts at the offset the server has acknowledged. Each
part is its own row, committed with its own request, so a part the server acknowledged survives
a dropped connection or a restarted server; the phone asks for the offset and resumes there.
When the last byte arrives the whole file is checked (sha256, and an allowed image exactly as
`batches.attach_photo` checks it) and attached to the batch once; the parts are freed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from freshcircle.platform.batches.services import batches as batch_service
from freshcircle.platform.core.services.access import require_member
from freshcircle.platform.core.services.errors import Conflict, InvalidInput, NotFound
from freshcircle.platform.core.services.file_store import current_store, read_all
from freshcircle.platform.core.services.files import content_bytes
from freshcircle.platform.models import Batch, PhotoUpload, PhotoUploadPart, User, utcnow

PART_BYTES = 64 * 1024  # what the phone is told to send per part
MAX_PART_BYTES = 256 * 1024  # the most one request may carry
STALE_AFTER = dt.timedelta(days=30)
CONTENT_TYPES = ("image/jpeg", "image/png", "image/webp")


class OffsetMismatch(Conflict):
    """A part at an offset other than the one acknowledged, or bytes that differ from those
    stored there; `offset` is where the phone should resume."""

    def __init__(self, offset: int, message=None):
        self.offset = offset
        super().__init__(message or _l(
            "This part does not continue the upload: resume from byte %(offset)s.", offset=offset))


class UploadRestarted(InvalidInput):
    """The whole file was refused; its parts were dropped so the upload restarts from 0.
    The caller keeps this change even though the request answers 422."""


class UploadKeyReused(Conflict):
    def __init__(self, existing: PhotoUpload):
        self.existing = existing
        super().__init__(
            _l("This Idempotency-Key already started an upload of another photo."),
            {"Idempotency-Key": [_l("Use a new key for another photo.")]},
        )


@dataclass
class Started:
    upload: PhotoUpload
    created: bool


def start_upload(session: Session, actor: User, batch: Batch, key: str, data: dict,
                 max_bytes: int) -> Started:
    """Announce a photo for `batch`; the same user and key again returns the same upload."""
    require_member(session, actor, batch.producer_id)
    existing = _by_key(session, actor, key)
    if existing is not None:
        return _same_or_conflict(existing, batch, data)
    if data["size"] > max_bytes:
        raise InvalidInput.field(
            "size", _l("The file is larger than %(mb)s MB.", mb=max_bytes // (1024 * 1024)))
    upload = PhotoUpload(user_id=actor.id, batch_id=batch.id, idempotency_key=key,
                         filename=data["filename"][-200:], content_type=data["content_type"],
                         size=data["size"], sha256=data["sha256"].lower(), received=0)
    try:
        with session.begin_nested():  # another request with this key may have just made it
            session.add(upload)
            session.flush()
    except IntegrityError:
        return _same_or_conflict(_by_key(session, actor, key), batch, data)
    return Started(upload, True)


def _by_key(session: Session, actor: User, key: str) -> PhotoUpload | None:
    return session.scalar(select(PhotoUpload).where(
        PhotoUpload.user_id == actor.id, PhotoUpload.idempotency_key == key))


def _same_or_conflict(existing: PhotoUpload, batch: Batch, data: dict) -> Started:
    if (existing.batch_id, existing.size, existing.sha256) != (
            batch.id, data["size"], data["sha256"].lower()):
        raise UploadKeyReused(existing)
    return Started(existing, False)


def get_upload(session: Session, actor: User, upload_id: int, *, lock: bool = False
               ) -> PhotoUpload:
    """The actor's own upload; anyone else's is not found."""
    stmt = select(PhotoUpload).where(PhotoUpload.id == upload_id)
    if lock:
        stmt = stmt.with_for_update()
    upload = session.scalar(stmt)
    if upload is None or upload.user_id != actor.id:
        raise NotFound()
    return upload


def stored_bytes(session: Session, upload: PhotoUpload) -> bytes:
    if upload.photo is not None:
        return content_bytes(upload.photo.file)
    return b"".join(read_all(key) for key in session.scalars(
        select(PhotoUploadPart.sha256).where(PhotoUploadPart.upload_id == upload.id)
        .order_by(PhotoUploadPart.offset)))


def receive_part(session: Session, actor: User, upload: PhotoUpload, offset: int, data: bytes,
                 max_bytes: int) -> PhotoUpload:
    """Store the part at `offset` if it continues the upload; a part already stored (its
    response was lost) changes nothing. The last part attaches the photo, checking again that
    `actor` is still a member of the batch's producer (attach_photo)."""
    if len(data) > MAX_PART_BYTES:
        raise InvalidInput.field("body", _l("A part may hold at most %(kb)s KiB.",
                                            kb=MAX_PART_BYTES // 1024))
    received = upload.size if upload.complete else upload.received
    if offset < received or (offset == received and upload.complete):
        kept = stored_bytes(session, upload)
        if offset + len(data) <= received and kept[offset:offset + len(data)] == data:
            return upload  # a resent part: nothing new
        raise OffsetMismatch(received)
    if offset > received:
        raise OffsetMismatch(received)
    if offset + len(data) > upload.size:
        raise OffsetMismatch(received, _l(
            "This part goes past the announced size of %(size)s bytes.", size=upload.size))
    if not data:
        return upload
    key, size = current_store().put(io.BytesIO(data))  # before the row that names it
    session.add(PhotoUploadPart(upload_id=upload.id, offset=offset, size=size, sha256=key))
    upload.received = offset + len(data)
    upload.updated_at = utcnow()
    session.flush()
    if upload.received == upload.size:
        _finish(session, actor, upload, max_bytes)
    return upload


def _restart(session: Session, upload: PhotoUpload) -> None:
    session.execute(delete(PhotoUploadPart).where(PhotoUploadPart.upload_id == upload.id))
    upload.received = 0
    upload.updated_at = utcnow()
    session.flush()


def _finish(session: Session, actor: User, upload: PhotoUpload, max_bytes: int) -> None:
    data = stored_bytes(session, upload)
    if hashlib.sha256(data).hexdigest() != upload.sha256:
        _restart(session, upload)
        raise UploadRestarted(errors={"sha256": [_l(
            "The bytes received do not match the photo's sha256; the upload restarts from "
            "byte 0: send the photo again.")]})
    batch = session.get(Batch, upload.batch_id)
    try:
        photo = batch_service.attach_photo(session, actor, batch, io.BytesIO(data),
                                           upload.filename, max_bytes)
    except InvalidInput as refused:
        _restart(session, upload)
        raise UploadRestarted(refused.message, refused.errors) from refused
    upload.photo = photo
    session.flush()
    session.execute(delete(PhotoUploadPart).where(PhotoUploadPart.upload_id == upload.id))
    session.expire(upload, ["parts"])


def purge_stale_uploads(session: Session, now: dt.datetime) -> int:
    """Remove unfinished uploads untouched for 30 days (and their parts); how many."""
    stale = session.scalars(select(PhotoUpload.id).where(
        PhotoUpload.photo_id.is_(None), PhotoUpload.updated_at < now - STALE_AFTER)).all()
    if stale:
        session.execute(delete(PhotoUploadPart).where(PhotoUploadPart.upload_id.in_(stale)))
        session.execute(delete(PhotoUpload).where(PhotoUpload.id.in_(stale)))
        session.flush()
    return len(stale)

"""Photos sent in parts: announce, send parts at the acknowledged offset, ask where to resume.

See batches/services/photo_uploads.py for the protocol (the tus 1.0 core idea, written plainly).
"""

from __future__ import annotations

from flask import current_app, jsonify, request, url_for
from flask_babel import lazy_gettext as _l
from flask_smorest import Blueprint

from freshcircle.platform import transactions
from freshcircle.platform.api_errors import ErrorSchema, error_body
from freshcircle.platform.batches.schemas.photo_uploads import (
    IdempotencyKeyHeaderSchema,
    OffsetConflictSchema,
    PhotoUploadCreateSchema,
    PhotoUploadSchema,
    PhotoUploadStateSchema,
    UploadKeyConflictSchema,
    UploadOffsetHeaderSchema,
)
from freshcircle.platform.batches.services import batches, photo_uploads
from freshcircle.platform.extensions import db
from freshcircle.platform.web.api import actor

blp = Blueprint("photo_uploads", __name__, url_prefix="",
                description="Batch photos sent in parts, resumable on a slow network")
PART_TYPE = "application/offset+octet-stream"
PART_BODY = {
    "required": True,
    "description": "The bytes of the photo from Upload-Offset on (at most 256 KiB)",
    "content": {PART_TYPE: {"schema": {"type": "string", "format": "binary"}}},
}
OFFSET_HEADER = {"Upload-Offset": {"description": "Bytes of the photo stored so far",
                                   "schema": {"type": "integer"}}}


def _with_offset(response, upload):
    response.headers["Upload-Offset"] = str(upload.size if upload.complete else upload.received)
    return response


@blp.post("/batches/<int:batch_id>/photo-uploads")
@blp.arguments(IdempotencyKeyHeaderSchema, location="headers", as_kwargs=True)
@blp.arguments(PhotoUploadCreateSchema)
@blp.response(201, PhotoUploadSchema, headers={"Location": {
    "description": "The upload's URL", "schema": {"type": "string"}}})
@blp.alt_response(200, schema=PhotoUploadSchema,
                  description="The same Idempotency-Key again: the same upload, its offset now")
@blp.alt_response(409, schema=UploadKeyConflictSchema,
                  description="The key already started an upload of another photo")
def start_upload(data, batch_id, key):
    """Announce a photo for a batch (farmers of the batch's producer, as POST .../photos).

    Header `Idempotency-Key` is required: the same key again returns the same upload."""
    user = actor()
    batch = batches.get_batch(db.session, user, batch_id)
    try:
        started = photo_uploads.start_upload(db.session, user, batch, key, data,
                                             current_app.config["MAX_FILE_BYTES"])
    except photo_uploads.UploadKeyReused as reused:
        body = error_body(reused.status_code, reused.message, reused.errors)
        body["existing"] = PhotoUploadSchema().dump(reused.existing)
        return jsonify(body), reused.status_code
    upload = started.upload
    response = jsonify(PhotoUploadSchema().dump(upload))
    response.status_code = 201 if started.created else 200
    response.headers["Location"] = url_for("photo_uploads.get_upload", upload_id=upload.id)
    return _with_offset(response, upload)


@blp.get("/photo-uploads/<int:upload_id>")
@blp.response(200, PhotoUploadSchema, headers=OFFSET_HEADER)
def get_upload(upload_id):
    """An upload of the caller's: where to resume (`offset`) and, when complete, the photo."""
    upload = photo_uploads.get_upload(db.session, actor(), upload_id)
    return _with_offset(jsonify(PhotoUploadSchema().dump(upload)), upload)


@blp.patch("/photo-uploads/<int:upload_id>")
@blp.arguments(UploadOffsetHeaderSchema, location="headers", as_kwargs=True)
@blp.doc(requestBody=PART_BODY)
@blp.response(200, PhotoUploadStateSchema, headers=OFFSET_HEADER)
@blp.alt_response(409, schema=OffsetConflictSchema,
                  description="Not the acknowledged offset: `offset` says where to resume")
@blp.alt_response(400, schema=ErrorSchema,
                  description="The part arrived shorter than its Content-Length: not kept")
@blp.alt_response(415, schema=ErrorSchema,
                  description="Content-Type is not application/offset+octet-stream")
def send_part(upload_id, offset):
    """Send the part of the photo starting at `Upload-Offset`; each part is kept on its own.

    A part sent again (its answer was lost) answers the current offset and stores nothing.
    With the last byte the photo is checked (sha256, an allowed image) and attached to the
    batch once; a mismatching sha256 answers 422 and the upload restarts from byte 0."""
    user = actor()
    if request.mimetype != PART_TYPE:
        return jsonify(error_body(415, _l("Send the part as application/offset+octet-stream."),
                                  {"Content-Type": [_l("Must be %(type)s.", type=PART_TYPE)]})), 415
    upload = photo_uploads.get_upload(db.session, user, upload_id, lock=True)
    data = request.stream.read(photo_uploads.MAX_PART_BYTES + 1)
    if request.content_length is not None and len(data) < request.content_length \
            and len(data) <= photo_uploads.MAX_PART_BYTES:
        # The connection dropped mid-part: keep nothing of it; the phone resumes at the offset.
        return jsonify(error_body(400, _l("The part arrived incomplete; nothing of it was kept."),
                                  {"body": [_l("Send this part again.")]})), 400
    try:
        upload = photo_uploads.receive_part(db.session, user, upload, offset, data,
                                            current_app.config["MAX_FILE_BYTES"])
    except photo_uploads.OffsetMismatch as mismatch:
        body = error_body(mismatch.status_code, mismatch.message)
        body["offset"] = mismatch.offset
        response = jsonify(body)
        response.status_code = 409
        response.headers["Upload-Offset"] = str(mismatch.offset)
        return response
    except photo_uploads.UploadRestarted:
        transactions.keep_changes_of_refusal()
        raise
    return _with_offset(jsonify(PhotoUploadStateSchema().dump(upload)), upload)

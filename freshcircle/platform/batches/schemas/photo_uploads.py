"""Schemas of photo uploads in parts."""

from __future__ import annotations

import marshmallow as ma
from flask_babel import lazy_gettext as _l
from marshmallow import validate

from freshcircle.platform.api_errors import ErrorSchema
from freshcircle.platform.batches.services.photo_uploads import CONTENT_TYPES, PART_BYTES
from freshcircle.platform.web import fields
from freshcircle.platform.web.schemas import FileRefSchema, StrictSchema, required_text

KEY_PATTERN = r"^[A-Za-z0-9_.:\-]{1,64}$"


class IdempotencyKeyHeaderSchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    key = fields.String(
        data_key="Idempotency-Key", required=True,
        validate=validate.Regexp(KEY_PATTERN, error=_l(
            "1 to 64 characters: letters, digits, _ . : - (a UUID fits).")),
        metadata={"description": "The phone's key for this photo: the same key again returns "
                                 "the same upload"},
    )


class UploadOffsetHeaderSchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    offset = fields.Integer(
        data_key="Upload-Offset", required=True,
        validate=validate.Range(min=0, max=2**31 - 1, error=_l("Between {min} and {max}.")),
        metadata={"description": "The byte of the photo this part starts at"},
    )


class PhotoUploadCreateSchema(StrictSchema):
    filename = required_text(200)
    content_type = fields.String(
        required=True,
        validate=validate.OneOf(CONTENT_TYPES, error=_l("Must be one of: {choices}.")))
    size = fields.Integer(
        required=True,
        validate=validate.Range(min=1, max=2**31 - 1, error=_l("Between {min} and {max}.")),
        metadata={"description": "Bytes of the whole photo (at most MAX_FILE_BYTES)"})
    sha256 = fields.String(
        required=True,
        validate=validate.Regexp(r"^[0-9a-fA-F]{64}$",
                                 error=_l("64 hexadecimal characters (sha256 of the photo).")))


class PhotoUploadSchema(ma.Schema):
    id = fields.Integer()
    batch_id = fields.Integer()
    size = fields.Integer()
    offset = fields.Function(lambda u: u.size if u.complete else u.received)
    complete = fields.Boolean()
    photo = fields.Function(lambda u: FileRefSchema().dump(u.photo.file) if u.photo else None,
                            metadata={"description": "The attached file (FileRefSchema)"})
    part_bytes = fields.Function(lambda u: PART_BYTES,
                                 metadata={"description": "Bytes to send per part"})


class PhotoUploadStateSchema(ma.Schema):
    offset = fields.Function(lambda u: u.size if u.complete else u.received)
    complete = fields.Boolean()
    photo = fields.Function(lambda u: FileRefSchema().dump(u.photo.file) if u.photo else None,
                            metadata={"description": "The attached file (FileRefSchema)"})


class OffsetConflictSchema(ErrorSchema):
    offset = fields.Integer(metadata={"description": "Resume from this byte"})


class UploadKeyConflictSchema(ErrorSchema):
    existing = fields.Nested(PhotoUploadSchema)

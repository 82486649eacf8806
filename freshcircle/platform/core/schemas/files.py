"""Upload schemas; stored files are shown with `common.FileRefSchema`."""

from __future__ import annotations

from freshcircle.platform.web import fields
from freshcircle.platform.web.schemas import StrictSchema


class FileUploadSchema(StrictSchema):
    """The multipart form: `producer_id` and the `file` itself (read by the endpoint)."""

    producer_id = fields.Integer(required=True)
    file = fields.Raw(
        load_only=True,
        metadata={"type": "string", "format": "binary",
                  "description": "PDF, JPEG, PNG or WebP; the type is checked from the content"},
    )

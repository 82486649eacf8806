"""Files: upload a report, photo or certificate scan, and read it back."""

from __future__ import annotations

from flask import current_app, request
from flask_babel import lazy_gettext as _l
from flask_smorest import Blueprint

from freshcircle.platform.core.schemas.files import FileUploadSchema
from freshcircle.platform.core.services import files
from freshcircle.platform.core.services.errors import InvalidInput
from freshcircle.platform.extensions import db
from freshcircle.platform.farms.services import producers
from freshcircle.platform.web.api import actor
from freshcircle.platform.web.downloads import stored_file_response
from freshcircle.platform.web.schemas import FileRefSchema

blp = Blueprint("files", __name__, url_prefix="/files",
                description="Uploaded reports, photos and certificate scans")


@blp.post("")
@blp.arguments(FileUploadSchema, location="form", content_type="multipart/form-data")
@blp.response(201, FileRefSchema)
def upload_file(data):
    """Upload a file for a producer (multipart fields `producer_id` and `file`).

    Members of the producer may upload. Refer to the file from a residue test or a
    certification by its `id`.
    """
    user = actor()
    producer = producers.get_producer(db.session, data["producer_id"])
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise InvalidInput.field("file", _l("Choose a file to upload."))
    return files.attach_file(db.session, user, producer_id=producer.id, upload=upload,
                             filename=upload.filename,
                             max_bytes=current_app.config["MAX_FILE_BYTES"])


@blp.get("/<int:file_id>/content")
@blp.doc(responses={"200": {"description": "The file's bytes, with its content type"}})
def get_file_content(file_id):
    """Download a file; those who may see its producer's records may read it."""
    stored = files.get_file(db.session, actor(), file_id)
    return stored_file_response(stored, as_attachment=False,
                                cache_control="private, max-age=0, must-revalidate")

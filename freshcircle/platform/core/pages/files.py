"""Uploaded files (batch photos, test reports), shown only to those who may see them."""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, request
from flask_login import login_required

from freshcircle.platform.core.services import files as file_service
from freshcircle.platform.extensions import db
from freshcircle.platform.web.downloads import stored_file_response
from freshcircle.platform.web.pages import actor

bp = Blueprint("file_pages", __name__)
THUMB_PX = 144  # a 72 px thumbnail on a 2x phone screen
PREVIEW_PX = 480  # a photo in the batch page's two-column grid on a 2x-3x phone screen


def _send(data: bytes | None, etag: str, content_type: str, filename: str) -> Response:
    if etag in request.if_none_match:
        response = Response(status=304)
    else:
        response = Response(data, mimetype=content_type)
        response.headers["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(filename)}"
    response.set_etag(etag)
    # A stored file never changes: a phone on a slow network fetches each one once.
    response.headers["Cache-Control"] = "private, max-age=31536000, immutable"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/files/<int:file_id>")
@login_required
def show(file_id: int):
    stored = file_service.get_file(db.session, actor(), file_id)
    if stored.sha256 in request.if_none_match:
        return _send(None, stored.sha256, stored.content_type, stored.filename)
    return stored_file_response(stored, as_attachment=False,
                                cache_control="private, max-age=31536000, immutable")


@bp.get("/files/<int:file_id>/thumb")
@login_required
def thumb(file_id: int):
    """A small JPEG for lists; the original when no thumbnail can be made."""
    return _scaled(file_id, THUMB_PX)


@bp.get("/files/<int:file_id>/preview")
@login_required
def preview(file_id: int):
    """A medium JPEG for the batch page; the full photo opens on tap."""
    return _scaled(file_id, PREVIEW_PX)


def _scaled(file_id: int, max_px: int) -> Response:
    stored = file_service.get_file(db.session, actor(), file_id)
    etag = f"{stored.sha256}-{max_px}"
    if etag in request.if_none_match:
        return _send(None, etag, "image/jpeg", stored.filename)
    small = file_service.thumbnail(stored, max_px)
    if small is None:
        return stored_file_response(stored, as_attachment=False,
                                    cache_control="private, max-age=31536000, immutable")
    return _send(small, etag, "image/jpeg", stored.filename)

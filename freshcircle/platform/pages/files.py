"""Uploaded files (batch photos, test reports), shown only to those who may see them."""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, request
from flask_login import login_required

from ..extensions import db
from ..services import files as file_service
from .common import actor

bp = Blueprint("file_pages", __name__)


@bp.get("/files/<int:file_id>")
@login_required
def show(file_id: int):
    stored = file_service.get_file(db.session, actor(), file_id)
    etag = stored.sha256
    if etag in request.if_none_match:
        response = Response(status=304)
    else:
        response = Response(stored.data, mimetype=stored.content_type)
        name = quote(stored.filename)
        response.headers["Content-Disposition"] = f"inline; filename*=UTF-8''{name}"
    response.set_etag(etag)
    # A file never changes once stored: phones on a slow network fetch each photo once.
    response.headers["Cache-Control"] = "private, max-age=31536000, immutable"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response

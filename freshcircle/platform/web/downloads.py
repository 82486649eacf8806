"""Files the platform sends to browsers and API clients: PDFs, private and never cached."""

from __future__ import annotations

import io
from collections.abc import Iterator
from urllib.parse import quote

from flask import Response, request, send_file

from freshcircle.platform.core.services.file_store import CHUNK, FileStore, current_store
from freshcircle.platform.models import StoredFile


def pdf_response(data: bytes, filename: str, *, inline: bool = False,
                 status: int = 200) -> Response:
    """A PDF download (or shown in the browser, `inline`); private, since labels carry a
    producer's codes and order documents a buyer's business."""
    response = send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=not inline,
                         download_name=filename, max_age=0)
    response.status_code = status
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def stored_file_response(stored: StoredFile, *, as_attachment: bool = True,
                         cache_control: str = "private, no-store") -> Response:
    """A stored file streamed from the file store in chunks (never whole in memory), with
    Content-Length, ETag = its sha256 and range requests; the caller has checked access."""
    response = Response(_chunks(current_store(), stored.sha256), mimetype=stored.content_type,
                        direct_passthrough=True)
    response.content_length = stored.size
    response.set_etag(stored.sha256)
    kind = "attachment" if as_attachment else "inline"
    response.headers["Content-Disposition"] = f"{kind}; filename*=UTF-8''{quote(stored.filename)}"
    response.make_conditional(request, accept_ranges=True, complete_length=stored.size)
    response.headers["Cache-Control"] = cache_control
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _chunks(store: FileStore, key: str) -> Iterator[bytes]:
    """The file's bytes; opened when the server starts sending, closed when it stops (also
    when a client goes away mid-response and the generator is closed)."""
    with store.open(key) as blob:
        while chunk := blob.read(CHUNK):
            yield chunk

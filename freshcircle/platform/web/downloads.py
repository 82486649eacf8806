"""Files the platform sends to browsers and API clients: PDFs, private and never cached."""

from __future__ import annotations

import io

from flask import Response, send_file


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

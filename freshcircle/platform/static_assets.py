"""Versioned static URLs: /static/app.css?v=<content hash>, cached by phones for a year.

A slow rural network should fetch the stylesheet and scripts once, not revalidate them on
every page; the hash in the URL changes whenever the file does.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from flask import Flask


@cache
def _content_hash(static_folder: str, filename: str) -> str | None:
    path = Path(static_folder) / filename
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    except OSError:
        return None


def init_app(app: Flask) -> None:
    @app.url_defaults
    def _add_version(endpoint, values):
        if endpoint == "static" and "filename" in values and "v" not in values:
            digest = _content_hash(app.static_folder, values["filename"])
            if digest:
                values["v"] = digest

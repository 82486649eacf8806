"""Versioned static URLs: /static/app.css?v=<content hash>, cached by phones for a year.

A slow rural network should fetch the stylesheet and scripts once, not revalidate them on
every page; the hash in the URL changes whenever the file does.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from flask import Flask, request


@cache
def _content_hash(static_folder: str, filename: str) -> str | None:
    path = Path(static_folder) / filename
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    except OSError:
        return None


# The offline app's ES modules import each other by relative URL, which carries no version of
# its own: every file in these folders gets one version, the hash of the whole folder, and the
# modules pass their own `?v=` on to what they import (static/offline/app.js).
VERSIONED_FOLDERS = ("offline/",)


@cache
def folder_hash(static_folder: str, folder: str) -> str:
    digest = hashlib.sha256()
    root = Path(static_folder) / folder
    for path in sorted(root.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def static_version(static_folder: str, filename: str) -> str | None:
    for folder in VERSIONED_FOLDERS:
        if filename.startswith(folder):
            return folder_hash(static_folder, folder)
    return _content_hash(static_folder, filename)


def init_app(app: Flask) -> None:
    @app.after_request
    def _whole_static_files(response):
        # A static file is sent whole (it is small), so that it is compressed for a 2G phone.
        if (request.endpoint == "static" and response.direct_passthrough
                and response.status_code == 200):
            # Read and close the file here: left to the server, a file whose client went away
            # mid-response was only closed by the garbage collector (a ResourceWarning in CI).
            wrapper = response.response
            try:
                body = b"".join(wrapper)
            finally:
                close = getattr(wrapper, "close", None)
                if close is not None:
                    close()
            response.direct_passthrough = False
            response.set_data(body)
        return response

    @app.url_defaults
    def _add_version(endpoint, values):
        if endpoint == "static" and "filename" in values and "v" not in values:
            digest = static_version(app.static_folder, values["filename"])
            if digest:
                values["v"] = digest

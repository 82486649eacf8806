"""Where uploaded files and generated PDFs keep their bytes: out of the database.

A store keeps content-addressed blobs: the key of a blob is the sha256 of its bytes, so the
same photo uploaded twice is kept once and a row names its bytes by the digest it already
carries. The directory store (the default, FILES_DIR) writes a blob atomically -- a temporary
file, fsync, rename -- before the row that names it is flushed, so a request that rolls back
leaves at most an orphan blob, never a row pointing at nothing; `flask clean-orphan-files`
removes the orphans (older than a grace period, so an upload in flight is never deleted).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

from flask import current_app

CHUNK = 1024 * 1024
KEY = re.compile(r"^[0-9a-f]{64}$")


class FileStore(Protocol):
    def put(self, stream: BinaryIO) -> tuple[str, int]:
        """Keep the stream's bytes (read to its end); their key (sha256) and size."""

    def open(self, key: str) -> BinaryIO:
        """The blob's bytes as a file opened for reading; FileNotFoundError if missing."""

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None:
        """Remove the blob; nothing happens when it is already gone."""

    def listing(self) -> Iterator[tuple[str, dt.datetime]]:
        """Every blob's key and when it was written (UTC), for cleaning up orphans."""


class DirectoryStore:
    """Blobs in a directory tree: ab/cd/abcd...(sha256), written atomically."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def path(self, key: str) -> Path:
        if not KEY.match(key):
            raise ValueError(f"not a file store key: {key!r}")
        return self.root / key[:2] / key[2:4] / key

    def put(self, stream: BinaryIO) -> tuple[str, int]:
        incoming = self.root / "incoming"
        incoming.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        fd, temp_name = tempfile.mkstemp(dir=incoming, prefix="put-")
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
                out.flush()
                os.fsync(out.fileno())
            key = digest.hexdigest()
            target = self.path(key)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(temp_name, target)
            _fsync_dir(target.parent)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
        return key, size

    def open(self, key: str) -> BinaryIO:
        return self.path(key).open("rb")

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def listing(self) -> Iterator[tuple[str, dt.datetime]]:
        if not self.root.is_dir():
            return
        for first in sorted(self.root.iterdir()):
            if len(first.name) != 2 or not first.is_dir():
                continue  # "incoming": temporary files, never a blob
            for path in sorted(first.glob("*/*")):
                if KEY.match(path.name):
                    written = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
                    yield path.name, written


def _fsync_dir(directory: Path) -> None:
    """Make a rename durable (the directory entry), where the platform allows it."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def current_store() -> FileStore:
    """The running app's store."""
    store: FileStore = current_app.extensions["file_store"]
    return store


def read_all(key: str) -> bytes:
    """A blob's bytes in memory: only for small files (thumbnails, a photo's parts)."""
    with current_store().open(key) as blob:
        return blob.read()

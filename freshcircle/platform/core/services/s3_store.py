"""The file store on an S3-compatible object store (AWS S3, MinIO, Ceph RGW, OSS/COS in S3
mode): the same content-addressed interface as the directory store (file_store.FileStore).

Set FRESHCIRCLE_FILES_S3_BUCKET (and FRESHCIRCLE_FILES_S3_ENDPOINT_URL for a server that is
not AWS); credentials and region come from the usual AWS settings (AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION, or a profile / instance role). An object appears
whole or not at all (S3 PUT semantics), so the directory store's atomic rename is not needed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
from collections.abc import Iterator
from typing import Any, BinaryIO, cast

from freshcircle.platform.core.services.file_store import CHUNK, KEY


class S3Store:
    """Blobs as objects `<prefix><sha256>` in one bucket."""

    def __init__(self, bucket: str, *, endpoint_url: str | None = None, prefix: str = "",
                 client: Any = None) -> None:
        if client is None:
            import boto3

            client = boto3.client("s3", endpoint_url=endpoint_url or None)
        self.client, self.bucket, self.prefix = client, bucket, prefix

    def _name(self, key: str) -> str:
        if not KEY.match(key):
            raise ValueError(f"not a file store key: {key!r}")
        return self.prefix + key

    def put(self, stream: BinaryIO) -> tuple[str, int]:
        # The key is the digest of the bytes: spool them to disk while hashing, then upload.
        digest = hashlib.sha256()
        size = 0
        with tempfile.TemporaryFile() as spool:
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
                spool.write(chunk)
                size += len(chunk)
            key = digest.hexdigest()
            spool.seek(0)
            self.client.upload_fileobj(spool, self.bucket, self._name(key))
        return key, size

    def open(self, key: str) -> BinaryIO:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._name(key))
        except self.client.exceptions.NoSuchKey as error:
            raise FileNotFoundError(key) from error
        return cast(BinaryIO, answer["Body"])

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._name(key))

    def listing(self) -> Iterator[tuple[str, dt.datetime]]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix)
        for page in pages:
            for item in page.get("Contents", []):
                key = item["Key"][len(self.prefix):]
                if KEY.match(key):
                    yield key, item["LastModified"].astimezone(dt.UTC)

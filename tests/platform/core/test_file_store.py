"""The file store: files' bytes live out of the database, written before the record that names
them; downloads stream them with the same access rules; orphans are cleaned up after a grace.

The store tests run on the directory store and on an S3-compatible server (moto_server, a
real HTTP S3 server started locally; skipped, saying why, when it cannot start)."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import inspect, select

from freshcircle.platform.batches.services import label_runs
from freshcircle.platform.core.services import files
from freshcircle.platform.core.services.file_store import DirectoryStore, current_store
from freshcircle.platform.models import LabelRunStatus, StoredFile

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 40


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint():
    """A moto_server on a free port for this session; skip when it cannot start."""
    program = Path(sys.executable).parent / "moto_server"
    if not program.exists():
        found = shutil.which("moto_server")
        if found is None:
            pytest.skip("moto_server is not installed (the test extra has moto[server])")
        program = Path(found)
    port = _free_port()
    server = subprocess.Popen([str(program), "-H", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            if server.poll() is not None:
                pytest.skip(f"moto_server exited with {server.returncode} at start")
            try:
                urllib.request.urlopen(url + "/moto-api/", timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.skip("moto_server did not answer within 10 s")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def _s3_store(endpoint: str, prefix: str = "test/"):
    import boto3

    from freshcircle.platform.core.services.s3_store import S3Store

    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                          aws_access_key_id="test", aws_secret_access_key="test")
    bucket = f"fc-files-{os.getpid()}"
    with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou):
        client.create_bucket(Bucket=bucket)
    return S3Store(bucket, prefix=prefix, client=client)


@pytest.fixture(params=["directory", "s3"])
def store(request, app):
    """The app's store for this test: its directory store, or one on the S3 server."""
    if request.param == "directory":
        yield app.extensions["file_store"]
        return
    s3 = _s3_store(request.getfixturevalue("s3_endpoint"))
    real = app.extensions["file_store"]
    app.extensions["file_store"] = s3
    try:
        yield s3
    finally:
        app.extensions["file_store"] = real


def _age(store: DirectoryStore, key: str, days: float) -> None:
    old = time.time() - days * 86400
    os.utime(store.path(key), (old, old))


def test_each_store_round_trips_by_content(store):
    data = PDF + b"round trip"
    key, size = store.put(io.BytesIO(data))
    again, _ = store.put(io.BytesIO(data))

    assert key == again == hashlib.sha256(data).hexdigest() and size == len(data)
    assert store.exists(key)
    with store.open(key) as blob:
        assert blob.read() == data
    assert key in {k for k, _ in store.listing()}
    store.delete(key)
    store.delete(key)  # already gone: nothing happens
    assert not store.exists(key)
    assert key not in {k for k, _ in store.listing()}
    with pytest.raises(FileNotFoundError):
        store.open(key)
    with pytest.raises(ValueError):
        store.exists("../../etc/passwd")


def test_directory_store_round_trips_by_content_and_leaves_no_temporary_file(tmp_path):
    store = DirectoryStore(tmp_path / "files")

    key, size = store.put(io.BytesIO(PDF))
    again, _ = store.put(io.BytesIO(PDF))

    assert key == again == hashlib.sha256(PDF).hexdigest() and size == len(PDF)
    assert store.path(key) == tmp_path / "files" / key[:2] / key[2:4] / key
    with store.open(key) as blob:
        assert blob.read() == PDF
    assert [k for k, _ in store.listing()] == [key]
    assert list((tmp_path / "files" / "incoming").iterdir()) == []
    store.delete(key)
    store.delete(key)  # already gone: nothing happens
    assert not store.exists(key)
    with pytest.raises(FileNotFoundError):
        store.open(key)
    with pytest.raises(ValueError):
        store.path("../../etc/passwd")


def test_an_upload_keeps_its_bytes_in_the_store_not_in_the_database(store, make, login, session):
    farmer = make.user()
    producer = make.producer(farmer)
    client = login(farmer)

    body = client.post("/api/v1/files", content_type="multipart/form-data", data={
        "producer_id": str(producer.id), "file": (io.BytesIO(PDF), "报告.pdf")}).json

    stored = session.get(StoredFile, body["id"])
    assert stored.sha256 == hashlib.sha256(PDF).hexdigest()
    columns = inspect(session.connection()).get_columns("stored_files")
    assert "data" not in {column["name"] for column in columns}
    assert store.exists(stored.sha256)
    assert client.get(body["url"]).data == PDF


def test_downloads_stream_with_length_etag_and_ranges_for_those_allowed_only(store, make,
                                                                             login):
    farmer = make.user()
    producer = make.producer(farmer)
    stored = make.stored_file(producer, data=PDF)
    client = login(farmer)
    url = f"/api/v1/files/{stored.id}/content"

    whole = client.get(url)
    part = client.get(url, headers={"Range": "bytes=100-199"})
    again = client.get(url, headers={"If-None-Match": f'"{stored.sha256}"'})
    page = client.get(f"/files/{stored.id}")
    stranger = login(make.user())

    assert whole.status_code == 200 and whole.data == PDF
    assert whole.headers["Content-Length"] == str(len(PDF))
    assert whole.headers["ETag"] == f'"{stored.sha256}"'
    assert whole.headers["Accept-Ranges"] == "bytes"
    assert part.status_code == 206 and part.data == PDF[100:200]
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(PDF)}"
    assert again.status_code == 304 and again.data == b""
    assert page.status_code == 200 and page.data == PDF
    assert stranger.get(url).status_code in (403, 404)
    assert stranger.get(f"/files/{stored.id}").status_code in (403, 404)


def test_a_store_that_cannot_write_adds_no_record(app, make, session, tmp_path):
    farmer = make.user()
    producer = make.producer(farmer)
    blocker = tmp_path / "not-a-directory"
    blocker.write_bytes(b"")
    real = app.extensions["file_store"]
    app.extensions["file_store"] = DirectoryStore(blocker)
    try:
        with pytest.raises(OSError):
            files.store_file(session, farmer, producer_id=producer.id, filename="a.pdf",
                             data=PDF, max_bytes=len(PDF))
    finally:
        app.extensions["file_store"] = real
    assert session.scalars(select(StoredFile)).all() == []


def test_a_rolled_back_request_leaves_an_orphan_blob_never_a_record_without_bytes(
        store, make, session):
    farmer = make.user()
    producer = make.producer(farmer)
    data = PDF + b"rolled back"

    files.store_file(session, farmer, producer_id=producer.id, filename="a.pdf", data=data,
                     max_bytes=len(data))
    session.rollback()

    key = hashlib.sha256(data).hexdigest()
    assert session.scalar(select(StoredFile).where(StoredFile.sha256 == key)) is None
    assert store.exists(key)
    for stored in session.scalars(select(StoredFile)):
        assert store.exists(stored.sha256)


def test_orphan_cleanup_removes_only_orphans_older_than_the_grace(app, make, session):
    store = current_store()
    producer = make.producer(make.user())
    named = make.stored_file(producer, data=PDF + b"named")
    old_orphan, _ = store.put(io.BytesIO(PDF + b"old orphan"))
    young_orphan, _ = store.put(io.BytesIO(PDF + b"young orphan"))
    _age(store, named.sha256, 3)
    _age(store, old_orphan, 3)
    cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)

    listed = files.clean_orphans(session, store, cutoff, dry_run=True)
    assert old_orphan in listed and store.exists(old_orphan)
    assert young_orphan not in listed and named.sha256 not in listed

    files.clean_orphans(session, store, cutoff)
    assert not store.exists(old_orphan)
    assert store.exists(young_orphan) and store.exists(named.sha256)


def test_orphans_in_s3_are_judged_by_the_time_s3_stored_them(s3_endpoint, make, session):
    """The S3 store has no file times to set back: its orphans are old or young by S3's own
    LastModified. An orphan just written is inside any grace period that ends in the past;
    once the cut-off passes its upload time it goes, and a blob a record names never does."""
    store = _s3_store(s3_endpoint, prefix=f"grace-{time.time_ns()}/")  # only this test's
    producer = make.producer(make.user())
    named = make.stored_file(producer, data=PDF + b"named in s3")
    named_key, _ = store.put(io.BytesIO(PDF + b"named in s3"))
    assert named_key == named.sha256
    orphan, _ = store.put(io.BytesIO(PDF + b"orphan in s3"))
    written = dict(store.listing())[orphan]
    assert abs((dt.datetime.now(dt.UTC) - written).total_seconds()) < 120

    grace = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)  # a day's grace: it stays
    assert files.clean_orphans(session, store, grace) == []
    assert store.exists(orphan)

    later = written + dt.timedelta(seconds=1)  # a day later, as the daily timer sees it
    assert files.clean_orphans(session, store, later, dry_run=True) == [orphan]
    assert store.exists(orphan)
    assert files.clean_orphans(session, store, later) == [orphan]
    assert not store.exists(orphan) and store.exists(named_key)


def test_clean_orphan_files_command_reports_and_dry_runs(app, session):
    store = current_store()
    orphan, _ = store.put(io.BytesIO(PDF + b"command orphan"))
    _age(store, orphan, 30)
    runner = app.test_cli_runner()

    dry = runner.invoke(args=["clean-orphan-files", "--dry-run"])
    assert dry.exit_code == 0 and orphan in dry.output and store.exists(orphan)
    done = runner.invoke(args=["clean-orphan-files"])
    assert done.exit_code == 0 and orphan in done.output and not store.exists(orphan)


def test_a_label_run_pdf_goes_into_the_store_and_downloads_from_it(store, app, make, login,
                                                                   session):
    farmer = make.user()
    batch = make.batch(make.producer(farmer))
    run = label_runs.start_label_run(session, farmer, batch, layout="roll-50x30", count=3,
                                     net_weight="1.5", unit="kg",
                                     settings=app.extensions["trace_settings"])
    label_runs.render_run(session, run, app.extensions["trace_settings"])
    session.commit()

    assert run.status == LabelRunStatus.DONE
    with store.open(run.file.sha256) as blob:
        pdf = blob.read()
    assert pdf.startswith(b"%PDF-") and len(pdf) == run.file.size
    download = login(farmer).get(f"/api/v1/label-runs/{run.id}/pdf")
    assert download.status_code == 200 and download.data == pdf
    assert download.headers["Content-Length"] == str(len(pdf))


def test_the_s3_settings_choose_the_s3_store(s3_endpoint, monkeypatch, tmp_path):
    from freshcircle.platform import create_app
    from freshcircle.platform.core.services.s3_store import S3Store

    for name, value in (("AWS_ACCESS_KEY_ID", "test"), ("AWS_SECRET_ACCESS_KEY", "test"),
                        ("AWS_DEFAULT_REGION", "us-east-1")):
        monkeypatch.setenv(name, value)
    _s3_store(s3_endpoint)  # makes the bucket
    app = create_app({"TESTING": True, "SECRET_KEY": "test",
                      "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "s3.db"),
                      "FILES_S3_BUCKET": f"fc-files-{os.getpid()}",
                      "FILES_S3_ENDPOINT_URL": s3_endpoint, "FILES_S3_PREFIX": "settings/"})
    store = app.extensions["file_store"]

    assert isinstance(store, S3Store)
    key, _ = store.put(io.BytesIO(b"by the settings"))
    with store.open(key) as blob:
        assert blob.read() == b"by the settings"

"""The migration that takes stored files' bytes out of the database into the file store, and
its downgrade that brings them back (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
import os

import psycopg
import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from psycopg import sql
from sqlalchemy.engine import make_url

from freshcircle.platform import create_app
from freshcircle.platform.core.services import reference_data
from freshcircle.platform.core.services.file_store import DirectoryStore
from freshcircle.platform.extensions import db
from tests.factories import Factory

PG_URL = os.environ.get("FRESHCIRCLE_TEST_DATABASE_URL")
BEFORE = "5b8e1f3a9d27"
AFTER = "5d1f7a3c9e26"
REPORT = b"%PDF-1.4\n% a report kept in the database\n" * 100
PHOTO = b"\xff\xd8\xff" + bytes(range(256)) * 10


@pytest.fixture
def sqlite_url(tmp_path):
    return "sqlite:///" + str(tmp_path / "file_store_migration.db")


@pytest.fixture
def postgresql_url():
    if not PG_URL:
        pytest.skip("FRESHCIRCLE_TEST_DATABASE_URL is not set")
    url = make_url(PG_URL)
    name = f"{url.database}_file_store_migration"
    server = url.set(drivername="postgresql").render_as_string(hide_password=False)

    def run(statement: str) -> None:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(sql.SQL(statement).format(sql.Identifier(name)))

    run("DROP DATABASE IF EXISTS {} WITH (FORCE)")
    run("CREATE DATABASE {}")
    yield url.set(database=name).render_as_string(hide_password=False)
    run("DROP DATABASE IF EXISTS {} WITH (FORCE)")


PART_1 = b"\xff\xd8\xff" + bytes(range(256)) * 256  # the first 64 KiB-ish part of a photo
PART_2 = bytes(reversed(range(256))) * 40


def _farmer_and_batch() -> tuple[int, int]:
    """A farmer's batch, made with today's models at the head of the schema (ids)."""
    reference_data.load_products(db.session)
    make = Factory(db.session)
    farmer = make.user()
    batch = make.batch(make.producer(farmer))
    db.session.commit()
    ids = farmer.id, batch.id
    db.session.remove()
    return ids


def _photo_upload_with_parts(farmer_id: int, batch_id: int) -> int:
    """A farmer's photo upload half-way through, with two parts' bytes in their rows (the
    schema before the migration); its id."""
    with db.engine.begin() as conn:
        upload = conn.execute(sa.text(
            "INSERT INTO photo_uploads (user_id, batch_id, idempotency_key, filename, "
            "content_type, size, sha256, received, created_at, updated_at) VALUES (:u, :b, "
            "'k-1', '田间.jpg', 'image/jpeg', :size, :sha, :received, :t, :t) RETURNING id"),
            {"u": farmer_id, "b": batch_id, "size": len(PART_1) + len(PART_2) + 1000,
             "sha": "0" * 64, "received": len(PART_1) + len(PART_2),
             "t": "2026-12-01 08:00:00"}).scalar_one()
        for offset, data in ((0, PART_1), (len(PART_1), PART_2)):
            conn.execute(sa.text(
                "INSERT INTO photo_upload_parts (upload_id, \"offset\", size, data) "
                "VALUES (:u, :o, :s, :d)"), {"u": upload, "o": offset, "s": len(data), "d": data})
    return upload


def _columns() -> set[str]:
    return {column["name"] for column in sa.inspect(db.engine).get_columns("stored_files")}


@pytest.mark.no_db_isolation
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migration_moves_existing_bytes_out_and_the_downgrade_back(backend, request, tmp_path):
    url = request.getfixturevalue(f"{backend}_url")
    files_dir = tmp_path / "files"
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": url,
                      "FILES_DIR": str(files_dir)})
    store = DirectoryStore(files_dir)
    with app.app_context():
        try:
            upgrade()  # the records made with today's models, then the schema taken back
            farmer_and_batch = _farmer_and_batch()
            downgrade(revision=BEFORE)
            with db.engine.begin() as conn:
                for filename, data, sha in (("报告.pdf", REPORT, hashlib.sha256(REPORT)),
                                            ("photo.jpg", PHOTO, hashlib.sha256(b"wrong"))):
                    conn.execute(sa.text(
                        "INSERT INTO stored_files (filename, content_type, size, sha256, data,"
                        " created_at) VALUES (:f, 'application/pdf', :s, :h, :d, :t)"),
                        {"f": filename, "s": len(data), "h": sha.hexdigest(), "d": data,
                         "t": "2026-12-01 08:00:00"})
            upload = _photo_upload_with_parts(*farmer_and_batch)

            upgrade(revision=AFTER)

            assert "data" not in _columns()
            with db.engine.connect() as conn:
                query = sa.text("SELECT filename, sha256 FROM stored_files")
                rows = dict(conn.execute(query).all())
            assert rows == {"报告.pdf": hashlib.sha256(REPORT).hexdigest(),
                            "photo.jpg": hashlib.sha256(PHOTO).hexdigest()}
            for filename, data in (("报告.pdf", REPORT), ("photo.jpg", PHOTO)):
                with store.open(rows[filename]) as blob:
                    assert blob.read() == data
            # An unfinished phone upload's parts: their bytes in the store, keyed in the row.
            with db.engine.connect() as conn:
                keyed = conn.execute(sa.text(
                    "SELECT \"offset\", size, sha256 FROM photo_upload_parts "
                    "WHERE upload_id = :u ORDER BY \"offset\""), {"u": upload}).all()
            assert [(offset, size) for offset, size, _ in keyed] == [
                (0, len(PART_1)), (len(PART_1), len(PART_2))]
            for (_, _, key), data in zip(keyed, (PART_1, PART_2), strict=True):
                assert key == hashlib.sha256(data).hexdigest()
                with store.open(key) as blob:
                    assert blob.read() == data

            downgrade(revision=BEFORE)

            assert "data" in _columns()
            with db.engine.connect() as conn:
                back = dict(conn.execute(sa.text("SELECT filename, data FROM stored_files")).all())
            assert {name: bytes(data) for name, data in back.items()} == {
                "报告.pdf": REPORT, "photo.jpg": PHOTO}
            with db.engine.connect() as conn:
                parts = conn.execute(sa.text(
                    "SELECT data FROM photo_upload_parts WHERE upload_id = :u "
                    "ORDER BY \"offset\""), {"u": upload}).scalars().all()
            assert [bytes(data) for data in parts] == [PART_1, PART_2]
            downgrade(revision="base")
        finally:
            db.session.remove()
            db.engine.dispose()

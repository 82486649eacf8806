"""Files through the API: multipart upload checked by content, read back by those allowed."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from freshcircle.platform.models import Role, StoredFile

PDF = b"%PDF-1.4\n% test report\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _upload(client, producer_id, data=PDF, filename="检测报告.pdf", **extra):
    form = {"producer_id": str(producer_id), "file": (io.BytesIO(data), filename), **extra}
    return client.post("/api/v1/files", data=form, content_type="multipart/form-data")


def _count(session):
    return session.scalar(select(func.count()).select_from(StoredFile))


def test_member_uploads_and_reads_back_a_pdf(make, login):
    farmer = make.user()
    producer = make.producer(farmer)
    client = login(farmer)

    response = _upload(client, producer.id)

    assert response.status_code == 201, response.json
    body = response.json
    assert body["filename"] == "检测报告.pdf"
    assert body["content_type"] == "application/pdf"
    assert body["size"] == len(PDF)
    content = client.get(body["url"])
    assert content.status_code == 200
    assert content.mimetype == "application/pdf"
    assert content.data == PDF
    assert content.headers["X-Content-Type-Options"] == "nosniff"
    assert "filename*=UTF-8''" in content.headers["Content-Disposition"]


def test_type_comes_from_the_content_not_the_name(make, login, session):
    farmer = make.user()
    producer = make.producer(farmer)
    client = login(farmer)

    png = _upload(client, producer.id, data=PNG, filename="photo.pdf")
    script = _upload(client, producer.id, data=b"<script>alert(1)</script>", filename="a.png")

    assert png.status_code == 201
    assert png.json["content_type"] == "image/png"
    assert client.get(png.json["url"]).mimetype == "image/png"
    assert script.status_code == 422
    assert "file" in script.json["errors"]
    assert _count(session) == 1


def test_missing_file_empty_file_and_too_large_are_named(app, make, login, session, monkeypatch):
    farmer = make.user()
    producer = make.producer(farmer)
    client = login(farmer)
    # Kept small: werkzeug's test client spools bodies over 500 KB to a file it never closes.
    monkeypatch.setitem(app.config, "MAX_FILE_BYTES", 64 * 1024)

    no_file = client.post("/api/v1/files", data={"producer_id": str(producer.id)},
                          content_type="multipart/form-data")
    empty = _upload(client, producer.id, data=b"")
    large = _upload(client, producer.id, data=PDF + b"0" * (64 * 1024))
    no_producer = client.post("/api/v1/files", data={"file": (io.BytesIO(PDF), "a.pdf")},
                              content_type="multipart/form-data")

    assert no_file.status_code == 422 and "file" in no_file.json["errors"]
    assert empty.status_code == 422 and "file" in empty.json["errors"]
    assert large.status_code == 422 and "file" in large.json["errors"]
    assert no_producer.status_code == 422
    assert "producer_id" in no_producer.json["errors"]
    assert no_producer.json["location"] == "form"
    assert _count(session) == 0


def test_uploads_and_reads_are_for_members_and_staff(make, login, client, session):
    owner, stranger = make.user(), make.user()
    producer = make.producer(owner)
    make.producer(stranger, name="别家")
    stored = make.stored_file(producer)
    url = f"/api/v1/files/{stored.id}/content"

    assert _upload(login(stranger), producer.id).status_code == 403
    assert _upload(login(owner), 999999).status_code == 404
    assert login(stranger).get(url).status_code == 403
    assert login(make.user(Role.BUYER)).get(url).status_code == 403
    assert login(make.user(Role.INSPECTOR)).get(url).status_code == 200
    anonymous = client.get(url)
    assert anonymous.status_code == 401
    assert anonymous.json["message"]
    assert login(owner).get("/api/v1/files/999999/content").status_code == 404
    assert _count(session) == 1

"""Photos sent in parts (resumable uploads): what the phone on 2G sees."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import random
import uuid

from PIL import Image
from sqlalchemy import func, select

from freshcircle.platform.batches.services.photo_uploads import purge_stale_uploads
from freshcircle.platform.core.services.file_store import current_store
from freshcircle.platform.core.services.files import clean_orphans
from freshcircle.platform.models import BatchPhoto, PhotoUpload, PhotoUploadPart, Role, utcnow

PART = 64 * 1024
OCTETS = "application/offset+octet-stream"


def _jpeg(target: int = 300 * 1024) -> bytes:
    rng = random.Random(15)
    side = 300
    while True:
        image = Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=90)
        if len(out.getvalue()) >= target:
            return out.getvalue()
        side += 40


JPEG = _jpeg()


def _start(client, batch, data=JPEG, key=None, **overrides):
    body = {"filename": "菠菜.jpg", "content_type": "image/jpeg", "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest()}
    body.update(overrides)
    return client.post(f"/api/v1/batches/{batch.id}/photo-uploads", json=body,
                       headers={"Idempotency-Key": key or str(uuid.uuid4())})


def _part(client, upload_id, offset, data):
    return client.patch(f"/api/v1/photo-uploads/{upload_id}", data=data,
                        headers={"Upload-Offset": str(offset), "Content-Type": OCTETS})


def _send(client, upload_id, data, start=0):
    response = None
    for offset in range(start, len(data), PART):
        response = _part(client, upload_id, offset, data[offset:offset + PART])
        assert response.status_code == 200, response.get_json()
    return response


def _setup(make, login):
    farmer = make.user()
    producer = make.producer(farmer)
    batch = make.batch(producer)
    return farmer, batch, login(farmer)


def _photos(session, batch):
    return session.scalar(select(func.count()).select_from(BatchPhoto)
                          .where(BatchPhoto.batch_id == batch.id))


def test_photo_in_64_kib_parts_becomes_one_photo_with_identical_bytes(make, login, session):
    _, batch, client = _setup(make, login)
    assert len(JPEG) >= 300 * 1024
    started = _start(client, batch)
    assert started.status_code == 201, started.get_json()
    body = started.get_json()
    assert body["offset"] == 0 and body["complete"] is False and body["photo"] is None
    assert body["part_bytes"] == PART and body["size"] == len(JPEG)
    assert started.headers["Location"].endswith(f"/api/v1/photo-uploads/{body['id']}")
    last = _send(client, body["id"], JPEG)
    done = last.get_json()
    assert done["complete"] is True and done["offset"] == len(JPEG)
    assert last.headers["Upload-Offset"] == str(len(JPEG))
    photos = client.get(f"/api/v1/batches/{batch.id}").get_json()["photos"]
    assert len(photos) == 1 and photos[0] == done["photo"]
    assert client.get(photos[0]["url"]).data == JPEG
    assert session.scalar(select(func.count()).select_from(PhotoUploadPart)) == 0  # freed


def test_a_resent_part_keeps_the_offset_and_adds_no_bytes(make, login):
    _, batch, client = _setup(make, login)
    upload_id = _start(client, batch).get_json()["id"]
    assert _part(client, upload_id, 0, JPEG[:PART]).get_json()["offset"] == PART
    again = _part(client, upload_id, 0, JPEG[:PART])  # the first answer was lost
    assert again.status_code == 200 and again.get_json()["offset"] == PART
    _send(client, upload_id, JPEG, start=PART)
    photo = client.get(f"/api/v1/photo-uploads/{upload_id}").get_json()["photo"]
    assert client.get(photo["url"]).data == JPEG


def test_connection_drops_mid_upload_then_resumes_from_last_stored_part(make, login, app):
    _, batch, client = _setup(make, login)
    upload_id = _start(client, batch).get_json()["id"]
    for offset in (0, PART, 2 * PART):
        _part(client, upload_id, offset, JPEG[offset:offset + PART])
    # The fourth part: the connection drops after a few bytes of the body.
    environ_body = io.BytesIO(JPEG[3 * PART:3 * PART + 1000])
    dropped = client.patch(f"/api/v1/photo-uploads/{upload_id}", input_stream=environ_body,
                           headers={"Upload-Offset": str(3 * PART), "Content-Type": OCTETS},
                           environ_overrides={"CONTENT_LENGTH": str(PART)})
    assert dropped.status_code >= 400
    state = client.get(f"/api/v1/photo-uploads/{upload_id}")
    assert state.get_json()["offset"] == 3 * PART
    assert state.headers["Upload-Offset"] == str(3 * PART)
    done = _send(client, upload_id, JPEG, start=3 * PART).get_json()
    assert done["complete"] is True
    assert client.get(done["photo"]["url"]).data == JPEG


def test_replaying_the_last_part_after_completion_returns_the_same_photo(make, login, session):
    _, batch, client = _setup(make, login)
    upload_id = _start(client, batch).get_json()["id"]
    done = _send(client, upload_id, JPEG).get_json()
    last = (len(JPEG) - 1) // PART * PART
    replay = _part(client, upload_id, last, JPEG[last:])
    assert replay.status_code == 200
    assert replay.get_json()["photo"] == done["photo"]
    assert _photos(session, batch) == 1


def test_the_same_key_returns_the_same_upload(make, login, session):
    _, batch, client = _setup(make, login)
    first = _start(client, batch, key="photo-1").get_json()
    _part(client, first["id"], 0, JPEG[:PART])
    again = _start(client, batch, key="photo-1")
    assert again.status_code == 200
    assert again.get_json()["id"] == first["id"] and again.get_json()["offset"] == PART
    assert session.scalar(select(func.count()).select_from(PhotoUpload)) == 1


def test_the_same_key_for_another_photo_is_409(make, login):
    _, batch, client = _setup(make, login)
    first = _start(client, batch, key="photo-1").get_json()
    other = _start(client, batch, key="photo-1", sha256="a" * 64)
    assert other.status_code == 409
    assert "Idempotency-Key" in other.get_json()["errors"]
    assert other.get_json()["existing"]["id"] == first["id"]


def test_a_part_at_the_wrong_offset_is_409_with_the_current_offset(make, login):
    _, batch, client = _setup(make, login)
    upload_id = _start(client, batch).get_json()["id"]
    _part(client, upload_id, 0, JPEG[:PART])
    ahead = _part(client, upload_id, 2 * PART, JPEG[2 * PART:3 * PART])
    assert ahead.status_code == 409 and ahead.get_json()["offset"] == PART
    assert ahead.headers["Upload-Offset"] == str(PART)
    changed = _part(client, upload_id, 0, b"x" * PART)  # not the bytes stored there
    assert changed.status_code == 409 and changed.get_json()["offset"] == PART


def test_a_sha256_mismatch_is_422_and_the_upload_restarts_from_zero(make, login, session):
    _, batch, client = _setup(make, login)
    upload_id = _start(client, batch, sha256="b" * 64).get_json()["id"]
    for offset in range(0, len(JPEG) - PART, PART):
        _part(client, upload_id, offset, JPEG[offset:offset + PART])
    last = (len(JPEG) - 1) // PART * PART
    refused = _part(client, upload_id, last, JPEG[last:])
    assert refused.status_code == 422
    assert "sha256" in refused.get_json()["errors"]
    assert " 0" in refused.get_json()["errors"]["sha256"][0]
    state = client.get(f"/api/v1/photo-uploads/{upload_id}").get_json()
    assert state["offset"] == 0 and state["complete"] is False
    assert _photos(session, batch) == 0


def test_a_non_image_gets_the_refusal_attach_photo_gives(make, login):
    _, batch, client = _setup(make, login)
    text = b"not a photo at all " * 100
    upload_id = _start(client, batch, data=text).get_json()["id"]
    refused = _part(client, upload_id, 0, text)
    direct = client.post(f"/api/v1/batches/{batch.id}/photos",
                         data={"photo": (io.BytesIO(text), "a.jpg")},
                         content_type="multipart/form-data")
    assert refused.status_code == direct.status_code == 422
    assert refused.get_json()["errors"] == direct.get_json()["errors"]


def test_a_size_over_max_file_bytes_is_422_on_size(make, login, app):
    _, batch, client = _setup(make, login)
    response = _start(client, batch, size=app.config["MAX_FILE_BYTES"] + 1)
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["size"]


def test_another_farmers_upload_is_404(make, login):
    _, batch, client = _setup(make, login)
    upload_id = _start(client, batch).get_json()["id"]
    other = login(make.user(phone="13900009999"))
    assert other.get(f"/api/v1/photo-uploads/{upload_id}").status_code == 404
    assert _part(other, upload_id, 0, JPEG[:PART]).status_code == 404
    assert client.get(f"/api/v1/photo-uploads/{upload_id}").get_json()["offset"] == 0


def test_a_buyer_is_refused_as_for_post_photos(make, login):
    _, batch, _client = _setup(make, login)
    buyer = login(make.user(Role.BUYER, phone="13900008888"))
    direct = buyer.post(f"/api/v1/batches/{batch.id}/photos",
                        data={"photo": (io.BytesIO(JPEG), "a.jpg")},
                        content_type="multipart/form-data")
    response = _start(buyer, batch)
    assert response.status_code == direct.status_code == 403


def test_purge_removes_only_stale_unfinished_uploads(make, login, session):
    _, batch, client = _setup(make, login)
    stale_id = _start(client, batch).get_json()["id"]
    _part(client, stale_id, 0, JPEG[:PART])
    fresh_id = _start(client, batch).get_json()["id"]
    done_id = _start(client, batch).get_json()["id"]
    _send(client, done_id, JPEG)
    session.expire_all()
    for upload_id in (stale_id, done_id):
        session.get(PhotoUpload, upload_id).updated_at = utcnow() - dt.timedelta(days=31)
    session.flush()
    assert purge_stale_uploads(session, utcnow()) == 1
    session.expire_all()
    assert session.get(PhotoUpload, stale_id) is None
    assert session.get(PhotoUpload, fresh_id) is not None
    assert session.get(PhotoUpload, done_id) is not None
    assert session.scalar(select(func.count()).select_from(PhotoUploadPart)) == 0


def test_parts_keep_their_bytes_in_the_file_store_and_orphan_cleanup_spares_them(
        app, make, login, session):
    _, batch, client = _setup(make, login)
    upload_id = _start(client, batch).get_json()["id"]
    _part(client, upload_id, 0, JPEG[:PART])
    store = current_store()
    part = session.scalar(select(PhotoUploadPart).where(PhotoUploadPart.upload_id == upload_id))

    assert part.sha256 == hashlib.sha256(JPEG[:PART]).hexdigest()
    with store.open(part.sha256) as blob:
        assert blob.read() == JPEG[:PART]
    future = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)  # every blob counts as old
    assert part.sha256 not in clean_orphans(session, store, future, dry_run=True)

    _send(client, upload_id, JPEG, start=PART)
    assert client.get(f"/api/v1/photo-uploads/{upload_id}").get_json()["complete"] is True
    # The parts are freed once the photo is whole: their blobs become orphans.
    assert part_key_orphaned(session, store, hashlib.sha256(JPEG[:PART]).hexdigest(), future)


def part_key_orphaned(session, store, key, older_than) -> bool:
    return key in clean_orphans(session, store, older_than, dry_run=True)

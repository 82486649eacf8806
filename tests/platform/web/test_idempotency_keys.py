"""Idempotency-Key on every create the phone's outbox sends (issue 15): a replay answers the
stored record and stores nothing; another request with the key is 409 with that record; keys
belong to their user and are kept at least 30 days."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import threading
import uuid

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from freshcircle.platform import create_app
from freshcircle.platform.core.services import accounts
from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.extensions import db
from freshcircle.platform.models import (
    Batch,
    BatchPhoto,
    FarmInput,
    IdempotencyKey,
    Plot,
    ResidueTest,
    Role,
)
from tests.factories import Factory
from tests.platform.live_server import call, serving
from tests.platform.own_database import own_database as own_database_at

YESTERDAY = (today_in_china() - dt.timedelta(days=1)).isoformat()
TEST_DATABASE_URL = os.environ.get("FRESHCIRCLE_TEST_DATABASE_URL") or ""


def _count(session, model, *where):
    return session.scalar(select(func.count()).select_from(model).where(*where))


def _jpeg() -> bytes:
    image = pytest.importorskip("PIL.Image").new("RGB", (64, 48), (40, 120, 60))
    out = io.BytesIO()
    image.save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def farm(make, login):
    farmer = make.user()
    producer = make.producer(farmer)
    plot = make.plot(producer, "东地块")
    batch = make.batch(producer, plot=plot, quantity_g=100_000)
    return {"farmer": farmer, "producer": producer, "plot": plot, "batch": batch,
            "client": login(farmer), "product": make.product()}


def _creates(farm):
    """(path, json body, model counted, condition) for each create the outbox sends."""
    p, batch = farm["producer"], farm["batch"]
    return [
        ("/api/v1/batches", {"producer_id": p.id, "product_id": farm["product"].id,
                             "plot_id": farm["plot"].id, "harvest_date": YESTERDAY,
                             "quantity": "40", "unit": "jin"}, Batch, Batch.quantity_g == 20_000),
        ("/api/v1/inputs", {"producer_id": p.id, "kind": "fertiliser", "product_name": "尿素",
                            "dose": "10 kg/亩", "plot_id": farm["plot"].id,
                            "applied_on": YESTERDAY}, FarmInput, FarmInput.product_name == "尿素"),
        ("/api/v1/tests", {"batch_id": batch.id, "method": "rapid", "result": "pass",
                           "tester": "李秀兰", "tested_on": YESTERDAY}, ResidueTest, True),
        (f"/api/v1/producers/{p.id}/plots", {"name": "西地块"}, Plot, Plot.name == "西地块"),
        (f"/api/v1/batches/{batch.id}/split", {"parts": [{"quantity": "10", "unit": "jin"}]},
         Batch, Batch.quantity_g == 5_000),
    ]


def test_each_create_replayed_with_its_key_is_stored_once(farm, session):
    client = farm["client"]
    for path, body, model, where in _creates(farm):
        key = str(uuid.uuid4())
        first = client.post(path, json=body, headers={"Idempotency-Key": key})
        again = client.post(path, json=dict(reversed(list(body.items()))),  # keys reordered
                            headers={"Idempotency-Key": key})

        assert first.status_code == 201, (path, first.json)
        assert (again.status_code, again.json) == (201, first.json), path
        assert again.headers["Idempotent-Replayed"] == "true"
        assert "Idempotent-Replayed" not in first.headers
        assert _count(session, model, where) == 1, path


def test_a_merge_replayed_is_one_new_lot(farm, make, session):
    other = make.batch(farm["producer"], plot=farm["plot"], product=farm["batch"].product,
                       quantity_g=50_000)
    body = {"inputs": [{"batch_id": farm["batch"].id}, {"batch_id": other.id}]}
    headers = {"Idempotency-Key": "merge-1"}

    first = farm["client"].post("/api/v1/batches/merge", json=body, headers=headers)
    again = farm["client"].post("/api/v1/batches/merge", json=body, headers=headers)

    assert first.status_code == 201 and again.json["id"] == first.json["id"]
    assert _count(session, Batch, Batch.quantity_g == 150_000) == 1


def test_a_photo_sent_again_with_a_new_multipart_boundary_is_one_photo(farm, session):
    photo, batch = _jpeg(), farm["batch"]
    answers = [farm["client"].post(f"/api/v1/batches/{batch.id}/photos",
                                   data={"photo": (io.BytesIO(photo), "a.jpg")},
                                   content_type=f"multipart/form-data; boundary=b{n}",
                                   headers={"Idempotency-Key": "photo-1"})
               for n in range(2)]

    assert [a.status_code for a in answers] == [201, 201]
    assert answers[1].headers["Idempotent-Replayed"] == "true"
    assert _count(session, BatchPhoto, BatchPhoto.batch_id == batch.id) == 1


def test_the_key_with_another_request_is_refused_with_its_record(farm, session):
    client, (path, body, model, where) = farm["client"], _creates(farm)[1]
    first = client.post(path, json=body, headers={"Idempotency-Key": "k-1"})

    other = client.post(path, json={**body, "dose": "20 kg/亩"},
                        headers={"Idempotency-Key": "k-1", "Accept-Language": "zh-CN"})

    assert other.status_code == 409
    assert other.json["existing"] == first.json
    assert "Idempotency-Key" in other.json["errors"]
    assert "新记录请使用新的键" in other.json["message"]
    assert _count(session, model, where) == 1


def test_keys_belong_to_their_user(farm, make, login, session):
    neighbour = make.user()
    producer = make.producer(neighbour, name="隔壁合作社")
    plot = make.plot(producer, "北地块")
    body = {"kind": "fertiliser", "product_name": "复合肥", "dose": "20 kg/亩",
            "applied_on": YESTERDAY}
    headers = {"Idempotency-Key": "same-key"}

    mine = farm["client"].post("/api/v1/inputs", headers=headers, json={
        **body, "producer_id": farm["producer"].id, "plot_id": farm["plot"].id})
    theirs = login(neighbour).post("/api/v1/inputs", headers=headers, json={
        **body, "producer_id": producer.id, "plot_id": plot.id})

    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json["id"] != theirs.json["id"]
    assert _count(session, FarmInput, FarmInput.product_name == "复合肥") == 2


def test_a_malformed_key_is_refused_per_header_and_writes_nothing(farm, session):
    path, body, model, where = _creates(farm)[1]

    response = farm["client"].post(path, json=body, headers={"Idempotency-Key": "a b/c"})

    assert response.status_code == 422
    assert "Idempotency-Key" in response.json["errors"]
    assert response.json["location"] == "headers"
    assert _count(session, model, where) == 0


def test_a_refused_request_keeps_no_key(farm, session):
    path, body, model, where = _creates(farm)[1]
    headers = {"Idempotency-Key": "fix-then-send"}

    refused = farm["client"].post(path, json={**body, "dose": ""}, headers=headers)
    fixed = farm["client"].post(path, json=body, headers=headers)

    assert refused.status_code == 422 and fixed.status_code == 201
    assert _count(session, model, where) == 1


def test_purge_forgets_keys_older_than_the_days_kept(app, farm, session):
    client = farm["client"]
    for key in ("old", "new"):
        path, body, _model, _where = _creates(farm)[3]
        client.post(path, json={**body, "name": key}, headers={"Idempotency-Key": key})
    old = session.scalar(select(IdempotencyKey).where(IdempotencyKey.key == "old"))
    old.created_at = old.created_at - dt.timedelta(days=31)
    session.flush()

    result = app.test_cli_runner().invoke(args=["purge-idempotency-keys"])

    assert "Removed 1 idempotency keys older than 30 days" in result.output
    assert set(session.scalars(select(IdempotencyKey.key))) == {"new"}


def test_keys_must_be_kept_at_least_30_days():
    with pytest.raises(RuntimeError, match="at least 30"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "IDEMPOTENCY_DAYS": 7})


@pytest.fixture
def own_database(tmp_path):
    """A database of this test's own (committed rows from several threads)."""
    with own_database_at(tmp_path, "keys") as url:
        yield url


@pytest.mark.no_db_isolation
def test_racing_requests_with_one_key_store_one_record(own_database):
    app = create_app({"SECRET_KEY": "keys", "SQLALCHEMY_DATABASE_URI": own_database})
    with app.app_context():
        upgrade()
        make = Factory(db.session)
        farmer = make.user(Role.FARMER)
        producer = make.producer(farmer)
        plot = make.plot(producer, "东地块")
        _, token = accounts.issue_token(db.session, farmer, "phone")
        db.session.commit()
        body = json.dumps({"producer_id": producer.id, "kind": "fertiliser",
                           "product_name": "有机肥", "dose": "1 t/亩", "plot_id": plot.id,
                           "applied_on": YESTERDAY})
        db.session.remove()
    answers, start = [], threading.Barrier(6)
    try:
        with serving(app) as port:
            def send():
                start.wait()
                answers.append(call(port, "POST", "/api/v1/inputs", body=body.encode(), headers={
                    "Authorization": f"Bearer {token}", "Content-Type": "application/json",
                    "Idempotency-Key": "race-1"}))

            threads = [threading.Thread(target=send) for _ in range(6)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        assert [a.status for a in answers] == [201] * 6, answers
        assert len({json.loads(a.body)["id"] for a in answers}) == 1
        assert sum(a.headers.get("idempotent-replayed") == "true" for a in answers) == 5
        with app.app_context():
            assert db.session.scalar(select(func.count()).select_from(FarmInput)) == 1
            db.session.remove()
    finally:
        with app.app_context():
            db.engine.dispose()


def test_the_key_on_another_endpoint_is_refused(farm, session):
    plot_path, plot_body, _m, _w = _creates(farm)[3]
    input_path, input_body, model, where = _creates(farm)[1]
    farm["client"].post(plot_path, json=plot_body, headers={"Idempotency-Key": "one-key"})

    other = farm["client"].post(input_path, json=input_body, headers={"Idempotency-Key": "one-key"})

    assert other.status_code == 409 and other.json["existing"]["name"] == "西地块"
    assert _count(session, model, where) == 0


def test_the_api_document_names_the_header_and_the_409(client):
    spec = client.get("/api/openapi.json").json
    for path in ("/api/v1/batches", "/api/v1/inputs", "/api/v1/tests", "/api/v1/batches/merge",
                 "/api/v1/batches/{batch_id}/split", "/api/v1/batches/{batch_id}/photos",
                 "/api/v1/producers/{producer_id}/plots"):
        operation = spec["paths"][path]["post"]
        headers = [p["name"] for p in operation.get("parameters", []) if p["in"] == "header"]
        assert headers == ["Idempotency-Key"], path
        assert "409" in operation["responses"], path

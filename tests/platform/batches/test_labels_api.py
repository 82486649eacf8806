"""Printing through the API: label runs (PDF at once or a job to poll) and the certificate."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from freshcircle.platform.models import BatchStatus, LabelRun, Role
from freshcircle.traceability.digital_link import parse_digital_link
from freshcircle.traceability.signing import encode_serial, verify
from tests.traceability.pdf_helpers import decode_qr, page_count, rasterise, require_poppler, text

LABELS = {"layout": "a4-24", "count": 30, "net_weight": "5", "unit": "jin"}


@pytest.fixture
def farmer(make):
    return make.user(name="李春生")


@pytest.fixture
def batch(make, farmer):
    return make.batch(make.producer(farmer, name="太和县春生蔬菜专业合作社",
                                    contact_phone="13912345678"))


def _runs(session, batch):
    return session.scalar(select(func.count()).select_from(LabelRun)
                          .where(LabelRun.batch_id == batch.id))


def _scanned(pdf: bytes) -> list[str]:
    return [uri for page in rasterise(pdf) for uri in decode_qr(page)]


def test_small_run_answers_with_the_pdf_whose_codes_are_genuine_and_numbered(
        app, login, batch, farmer, session):
    require_poppler()
    response = login(farmer).post(f"/api/v1/batches/{batch.id}/labels", json=LABELS)

    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.mimetype == "application/pdf"
    pdf = response.get_data()
    assert page_count(pdf) == 2  # 30 labels at 24 a sheet
    uris = _scanned(pdf)
    assert len(uris) == 30
    keyring = app.extensions["trace_settings"].keyring
    assert all(verify(uri, keyring).genuine for uri in uris)
    links = [parse_digital_link(uri) for uri in uris]
    assert sorted(link.serial for link in links) == sorted(encode_serial(n) for n in range(30))
    assert {link.lot for link in links} == {batch.lot_code}
    assert {link.net_weight_kg for link in links} == {2.5}  # 5 斤
    run = session.scalar(select(LabelRun).where(LabelRun.batch_id == batch.id))
    assert (run.status.value, run.progress, run.first_serial) == ("done", 30, 0)
    assert response.headers["Location"] == f"/api/v1/label-runs/{run.id}"


def test_two_runs_never_share_serials(login, batch, farmer, session):
    client = login(farmer)
    for count in (3, 5):
        assert client.post(f"/api/v1/batches/{batch.id}/labels",
                           json={**LABELS, "count": count}).status_code == 201
    runs = client.get(f"/api/v1/batches/{batch.id}/labels").json
    assert [(r["count"], r["first_serial"]) for r in runs] == [(5, 3), (3, 0)]
    session.refresh(batch)
    assert batch.serials_issued == 8


@pytest.mark.parametrize("layout, count, pages", [
    ("a4-40", 41, 2), ("roll-60x40", 3, 3), ("roll-50x30", 2, 2),
])
def test_each_layout_prints_its_labels_per_page(login, batch, farmer, layout, count, pages):
    require_poppler()
    response = login(farmer).post(f"/api/v1/batches/{batch.id}/labels",
                                  json={**LABELS, "layout": layout, "count": count})
    assert response.status_code == 201
    assert page_count(response.get_data()) == pages


def test_large_run_is_a_job_to_poll_then_download(app, login, batch, farmer, monkeypatch):
    require_poppler()
    monkeypatch.setitem(app.config, "LABEL_SYNC_MAX", 10)
    monkeypatch.setitem(app.config, "LABEL_JOBS_SYNC", True)  # no thread in a rolled-back test
    client = login(farmer)

    response = client.post(f"/api/v1/batches/{batch.id}/labels",
                           json={**LABELS, "count": 50, "unit": "kg"})

    assert response.status_code == 202
    job = response.json
    assert set(job) >= {"id", "status", "progress", "count", "url"}
    assert job["count"] == 50 and job["url"] == f"/api/v1/label-runs/{job['id']}"
    status = client.get(job["url"]).json
    assert (status["status"], status["progress"]) == ("done", 50)
    pdf = client.get(status["pdf_url"])
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert page_count(pdf.get_data()) == 3


@pytest.mark.parametrize("state", ["held", "recalled", "unsafe"])
def test_refused_batches_get_a_message_and_nothing_is_written(
        make, login, batch, farmer, session, state):
    if state == "unsafe":
        make.farm_input(batch.producer, applied_on=batch.harvest_date - dt.timedelta(days=2),
                        interval_days=7)
    else:
        batch.status = BatchStatus(state)
        session.commit()
    client = login(farmer)

    response = client.post(f"/api/v1/batches/{batch.id}/labels", json=LABELS)
    certificate = client.get(f"/api/v1/batches/{batch.id}/certificate")

    assert response.status_code == 409
    message = response.json["message"]
    assert ("安全间隔期未满" in message) if state == "unsafe" else ("扣留或召回" in message)
    assert certificate.status_code == 409
    session.refresh(batch)
    assert batch.serials_issued == 0
    assert _runs(session, batch) == 0


def test_only_members_print(make, login, batch, session, client):
    other_farmer = make.user()
    make.producer(other_farmer, name="别家合作社")
    for user, status in ((other_farmer, 403), (make.user(Role.BUYER), 403),
                         (make.user(Role.INSPECTOR), 403)):
        response = login(user).post(f"/api/v1/batches/{batch.id}/labels", json=LABELS)
        assert response.status_code == status, user.role
    assert client.post(f"/api/v1/batches/{batch.id}/labels", json=LABELS).status_code == 401
    assert client.get(f"/api/v1/batches/{batch.id}/certificate").status_code == 401
    assert login(make.user(Role.BUYER)).get(
        f"/api/v1/batches/{batch.id}/certificate").status_code == 403
    assert _runs(session, batch) == 0


def test_other_producers_cannot_read_runs(make, login, batch, farmer):
    run_url = login(farmer).post(f"/api/v1/batches/{batch.id}/labels",
                                 json=LABELS).headers["Location"]
    outsider = login(make.user(Role.BUYER))
    assert outsider.get(run_url).status_code == 403
    assert outsider.get(run_url + "/pdf").status_code == 403
    assert login(make.user(Role.INSPECTOR)).get(run_url).status_code == 200


@pytest.mark.parametrize("body, field", [
    ({**LABELS, "count": 0}, "count"),
    ({**LABELS, "count": 100_001}, "count"),
    ({**LABELS, "layout": "a5"}, "layout"),
    ({**LABELS, "net_weight": "0"}, "net_weight"),
    ({**LABELS, "unit": "g"}, "unit"),
])
def test_bad_requests_name_the_field(login, batch, farmer, session, body, field):
    response = login(farmer).post(f"/api/v1/batches/{batch.id}/labels", json=body)
    assert response.status_code == 422
    assert field in response.json["errors"]
    assert _runs(session, batch) == 0


def test_certificate_names_the_producer_and_its_qr_is_the_signed_lot_code(
        app, make, login, batch, farmer):
    require_poppler()
    make.residue_test(batch)
    response = login(farmer).get(f"/api/v1/batches/{batch.id}/certificate")

    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pdf = response.get_data()
    assert page_count(pdf) == 1
    words = text(pdf)
    assert "承诺达标合格证" in words
    assert "太和县春生蔬菜专业合作社" in words
    assert "13912345678" in words and "太和县" in words
    (uri,) = _scanned(pdf)
    link = parse_digital_link(uri)
    assert verify(uri, app.extensions["trace_settings"].keyring).genuine
    assert link.lot == batch.lot_code and link.serial is None


def test_inspectors_may_print_a_certificate(make, login, batch):
    response = login(make.user(Role.INSPECTOR)).get(f"/api/v1/batches/{batch.id}/certificate")
    assert response.status_code == 200


def test_runs_inside_a_request_never_start_worker_processes(login, batch, farmer, monkeypatch):
    """A request encodes in the web process: only the background job may use a pool."""
    from freshcircle.platform.batches.services import label_runs
    from freshcircle.traceability import labels

    calls = []

    def spy(*args, **kwargs):
        calls.append(kwargs.get("workers"))
        return labels.render_label_sheet(*args, **kwargs)

    monkeypatch.setattr(label_runs, "render_label_sheet", spy)
    response = login(farmer).post(f"/api/v1/batches/{batch.id}/labels",
                                  json={**LABELS, "count": 400})
    assert response.status_code == 201
    assert calls == [1]


def test_a_producer_starts_at_most_the_daily_quota_of_label_runs(app, make, login, batch,
                                                                  farmer, session, monkeypatch):
    monkeypatch.setitem(app.config, "LABEL_RUNS_PER_DAY", 2)
    other_batch = make.batch(batch.producer)
    client = login(farmer)
    for count in (3, 5):
        assert client.post(f"/api/v1/batches/{batch.id}/labels",
                           json={**LABELS, "count": count}).status_code == 201

    refused = client.post(f"/api/v1/batches/{other_batch.id}/labels", json=LABELS,
                          headers={"Accept-Language": "en"})

    assert refused.status_code == 429, refused.get_data(as_text=True)
    assert "printed labels 2 times today" in refused.json["message"]
    assert 0 < int(refused.headers["Retry-After"]) <= 24 * 3600
    assert _runs(session, other_batch) == 0
    session.refresh(other_batch)
    assert other_batch.serials_issued == 0
    # another producer's quota is its own
    neighbour = make.user()
    their_batch = make.batch(make.producer(neighbour, name="邻村合作社"))
    assert login(neighbour).post(f"/api/v1/batches/{their_batch.id}/labels",
                                 json={**LABELS, "count": 1}).status_code == 201


@pytest.mark.parametrize(("net_weight", "unit"), [("9145019", "jin"), ("1000", "kg")])
def test_a_pack_heavier_than_a_label_can_state_is_refused_by_name(
        login, batch, farmer, session, net_weight, unit):
    """A pack of 9,145,019 斤 answered 500 (the GS1 net weight, AI 3103, holds 999.999 kg)."""
    response = login(farmer).post(f"/api/v1/batches/{batch.id}/labels",
                                  json=LABELS | {"net_weight": net_weight, "unit": unit},
                                  headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert "999.999" in response.json["errors"]["net_weight"][0]
    assert _runs(session, batch) == 0
    heaviest = login(farmer).post(f"/api/v1/batches/{batch.id}/labels",
                                  json=LABELS | {"net_weight": "999.999", "unit": "kg",
                                                 "count": 1})
    assert heaviest.status_code == 201

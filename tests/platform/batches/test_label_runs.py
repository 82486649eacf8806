"""Label runs: serial blocks, refusals, rendering, the background job and interrupted runs."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlalchemy import func, select, text

from freshcircle.platform.batches import label_jobs
from freshcircle.platform.batches.services import label_runs
from freshcircle.platform.core.services.errors import Conflict, InvalidInput, PermissionDenied
from freshcircle.platform.core.services.files import content_bytes
from freshcircle.platform.extensions import db
from freshcircle.platform.models import BatchStatus, LabelRun, LabelRunStatus, Role
from freshcircle.traceability.digital_link import parse_digital_link
from freshcircle.traceability.signing import verify
from tests.factories import Factory
from tests.platform.pg_helpers import delete_trace_records, token_client
from tests.traceability.pdf_helpers import decode_qr, page_count, rasterise, require_poppler


def _start(app, session, user, batch, **overrides):
    args = {"layout": "roll-50x30", "count": 3, "net_weight": "1.5", "unit": "kg",
            "settings": app.extensions["trace_settings"], **overrides}
    return label_runs.start_label_run(session, user, batch, **args)


def test_runs_take_consecutive_serial_blocks(app, make, session):
    farmer = make.user()
    batch = make.batch(make.producer(farmer))

    first = _start(app, session, farmer, batch, count=3)
    second = _start(app, session, farmer, batch, count=4, net_weight="3", unit="jin")

    assert (first.first_serial, second.first_serial, batch.serials_issued) == (0, 3, 7)
    assert (first.net_weight_g, second.net_weight_g) == (1500, 1500)
    assert first.status == LabelRunStatus.QUEUED
    assert first.key_id == app.extensions["trace_settings"].keyring.current


def test_rendered_run_is_stored_for_the_producer_with_every_serial(app, make, session):
    require_poppler()
    farmer = make.user()
    batch = make.batch(make.producer(farmer))
    run = _start(app, session, farmer, batch, count=3)
    seen = []

    label_runs.render_run(session, run, app.extensions["trace_settings"], progress_every=2,
                          on_progress=lambda: seen.append(run.progress))

    assert run.status == LabelRunStatus.DONE and run.progress == 3
    assert run.heartbeat_at is not None  # moved on while it rendered
    assert seen == [0, 2, 3]
    assert run.file.producer_id == batch.producer_id
    assert run.file.content_type == "application/pdf"
    pdf = content_bytes(run.file)
    assert page_count(pdf) == 3
    uris = [uri for page in rasterise(pdf) for uri in decode_qr(page)]
    assert [parse_digital_link(uri).serial for uri in uris] == ["0", "1", "2"]
    assert all(verify(uri, app.extensions["trace_settings"].keyring).genuine for uri in uris)


def test_a_failing_render_marks_the_run_failed(app, make, session, monkeypatch):
    farmer = make.user()
    run = _start(app, session, farmer, make.batch(make.producer(farmer)))

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(label_runs, "render_label_sheet", broken)
    label_runs.render_run(session, run, app.extensions["trace_settings"])

    assert run.status == LabelRunStatus.FAILED
    assert run.error == "OSError: disk full" and run.file_id is None


@pytest.mark.parametrize("state", ["held", "recalled", "unsafe"])
def test_refused_batches_keep_their_serials(app, make, session, state):
    farmer = make.user()
    batch = make.batch(make.producer(farmer))
    if state == "unsafe":
        make.farm_input(batch.producer, applied_on=batch.harvest_date, interval_days=7)
    else:
        batch.status = BatchStatus(state)
    with pytest.raises(Conflict):
        _start(app, session, farmer, batch)
    assert batch.serials_issued == 0
    assert session.scalar(select(func.count()).select_from(LabelRun)) == 0


def test_only_members_and_admins_start_runs(app, make, session):
    batch = make.batch(make.producer(make.user()))
    for role in (Role.FARMER, Role.BUYER, Role.INSPECTOR):
        with pytest.raises(PermissionDenied):
            _start(app, session, make.user(role), batch)
    assert _start(app, session, make.user(Role.ADMIN), batch).count == 3


@pytest.mark.parametrize("overrides, field", [
    ({"count": 0}, "count"), ({"count": 100_001}, "count"), ({"layout": "a3"}, "layout"),
    ({"net_weight": "-1"}, "net_weight"), ({"unit": "g"}, "net_weight"),
])
def test_bad_input_is_refused_per_field(app, make, session, overrides, field):
    farmer = make.user()
    with pytest.raises(InvalidInput) as refused:
        _start(app, session, farmer, make.batch(make.producer(farmer)), **overrides)
    assert field in refused.value.errors


def test_runs_left_behind_by_a_dead_process_are_failed(app, make, session):
    farmer = make.user()
    batch = make.batch(make.producer(farmer))
    old, fresh = _start(app, session, farmer, batch), _start(app, session, farmer, batch)
    old.status = LabelRunStatus.RUNNING
    old.created_at -= label_runs.STALE_AFTER + dt.timedelta(minutes=1)
    session.flush()

    assert label_runs.fail_interrupted_runs(session) == 1
    assert (old.status, old.error) == (LabelRunStatus.FAILED, label_runs.INTERRUPTED)
    assert fresh.status == LabelRunStatus.QUEUED


def test_a_running_run_is_failed_once_its_heartbeat_stops(app, make, session):
    farmer = make.user()
    batch = make.batch(make.producer(farmer))
    alive, dead = _start(app, session, farmer, batch), _start(app, session, farmer, batch)
    now = dt.datetime.now(dt.UTC)
    for run, beat in ((alive, now - dt.timedelta(seconds=20)),
                      (dead, now - label_runs.HEARTBEAT_STALE - dt.timedelta(seconds=1))):
        run.status, run.heartbeat_at = LabelRunStatus.RUNNING, beat
    session.flush()

    assert label_runs.fail_interrupted_runs(session, now) == 1
    assert dead.status == LabelRunStatus.FAILED and alive.status == LabelRunStatus.RUNNING


@pytest.mark.no_db_isolation
def test_background_run_commits_progress_and_finishes(app, monkeypatch):
    """A real background job: committed rows, the worker thread, progress seen by polling.

    The client uses an API token, not the sign-in page: a sign-in is written to the
    append-only audit log, and this test must be able to remove every row it commits.
    """
    require_poppler()
    monkeypatch.setitem(app.config, "LABEL_SYNC_MAX", 1000)
    monkeypatch.setitem(app.config, "LABEL_PROGRESS_EVERY", 250)
    with app.app_context():
        make = Factory(db.session)  # outside the rollback: these rows are really committed
        farmer = make.user()
        batch = make.batch(make.producer(farmer))
        client = token_client(app, db.session, farmer)
        ids = {"user": farmer.id, "producer": batch.producer_id, "batch": batch.id}
        db.session.remove()
    try:
        started = client.post(f"/api/v1/batches/{ids['batch']}/labels",
                              json={"layout": "a4-24", "count": 3000, "net_weight": "5",
                                    "unit": "jin"})
        assert started.status_code == 202, started.get_data(as_text=True)
        assert started.json["status"] == "queued"
        seen, deadline = [], time.monotonic() + 120
        while time.monotonic() < deadline:
            job = client.get(started.json["url"]).json
            seen.append((job["status"], job["progress"]))
            if job["status"] in ("done", "failed"):
                break
            time.sleep(0.05)
        label_jobs.wait_for_jobs()
        assert seen[-1] == ("done", 3000), seen[-3:]
        partial = {p for status, p in seen if status == "running"}
        assert partial <= set(range(0, 3001, 250))  # committed every 250 labels
        assert any(0 < p < 3000 for p in partial)  # a poller saw it part-way
        pdf = client.get(job["pdf_url"])
        assert pdf.status_code == 200
        assert page_count(pdf.get_data()) == 125  # 3000 labels at 24 a sheet
        with app.app_context():
            issued = db.session.scalar(text("SELECT serials_issued FROM batches WHERE id = :id"),
                                       {"id": ids["batch"]})
            db.session.remove()
        assert issued == 3000
    finally:
        label_jobs.wait_for_jobs()
        _delete_committed_rows(app, ids)


def _delete_committed_rows(app, ids) -> None:
    with app.app_context(), db.engine.begin() as conn:
        files = [row[0] for row in conn.execute(
            text("SELECT file_id FROM label_runs WHERE batch_id = :batch AND file_id IS NOT NULL"),
            ids)]
        items = [row[0] for row in conn.execute(
            text("SELECT DISTINCT trade_item_id FROM label_runs WHERE batch_id = :batch"), ids)]
        conn.execute(text("DELETE FROM label_runs WHERE batch_id = :batch"), ids)
        delete_trace_records(conn, ids["batch"])
        for file_id in files:
            conn.execute(text("DELETE FROM stored_files WHERE id = :id"), {"id": file_id})
        for item_id in items:
            conn.execute(text("DELETE FROM trade_items WHERE id = :id"), {"id": item_id})
        conn.execute(text("DELETE FROM batches WHERE id = :batch"), ids)
        conn.execute(text("DELETE FROM memberships WHERE user_id = :user"), ids)
        conn.execute(text("DELETE FROM api_tokens WHERE user_id = :user"), ids)
        conn.execute(text("DELETE FROM plots WHERE producer_id = :producer"), ids)
        conn.execute(text("DELETE FROM producers WHERE id = :producer"), ids)
        conn.execute(text("DELETE FROM users WHERE id = :user"), ids)

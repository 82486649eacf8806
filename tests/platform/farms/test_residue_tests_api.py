"""Residue tests through the API: recorded by members or inspectors, with a report file."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import func, select

from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.models import ResidueTest, Role

TODAY = today_in_china()


def _payload(batch, **overrides):
    body = {
        "batch_id": batch.id,
        "method": "rapid",
        "result": "pass",
        "measured_values": "抑制率 12%",
        "tester": "合作社检测室",
        "tested_on": TODAY.isoformat(),
    }
    body.update(overrides)
    return body


def _count(session):
    return session.scalar(select(func.count()).select_from(ResidueTest))


def test_member_records_rapid_test_with_report_file(make, login):
    farmer = make.user()
    producer = make.producer(farmer)
    batch = make.batch(producer)
    report = make.stored_file(producer)

    response = login(farmer).post("/api/v1/tests", json=_payload(batch, file_id=report.id))

    assert response.status_code == 201, response.json
    body = response.json
    assert body["lot_code"] == batch.lot_code
    assert body["result"] == "pass"
    assert body["file"]["url"] == f"/api/v1/files/{report.id}/content"
    assert body["file"]["content_type"] == "application/pdf"


def test_file_of_another_producer_is_refused(make, login, session):
    farmer = make.user()
    producer = make.producer(farmer)
    batch = make.batch(producer)
    foreign = make.stored_file(make.producer(name="别家"))

    response = login(farmer).post("/api/v1/tests", json=_payload(batch, file_id=foreign.id))

    assert response.status_code == 422
    assert "file_id" in response.json["errors"]
    assert _count(session) == 0


def test_inspector_records_lab_test_for_any_batch(make, login):
    batch = make.batch(make.producer(make.user()))
    inspector = make.user(Role.INSPECTOR)
    response = login(inspector).post("/api/v1/tests", json=_payload(
        batch, method="lab", result="fail", tester="阜阳市农产品质量检测中心"))
    assert response.status_code == 201
    assert response.json["created_by_id"] == inspector.id


def test_bad_input_is_named_and_nothing_written(make, login, session):
    farmer = make.user()
    batch = make.batch(make.producer(farmer))
    client = login(farmer)

    future = client.post("/api/v1/tests", json=_payload(
        batch, tested_on=(TODAY + dt.timedelta(days=2)).isoformat()))
    schema = client.post("/api/v1/tests", json=_payload(batch, result="maybe", tester=""))
    missing = client.post("/api/v1/tests", json=_payload(batch, batch_id=999999))

    assert future.status_code == 422 and "tested_on" in future.json["errors"]
    assert schema.status_code == 422
    assert set(schema.json["errors"]) == {"result", "tester"}
    assert missing.status_code == 422 and "batch_id" in missing.json["errors"]
    assert _count(session) == 0


def test_permissions(make, login, client):
    owner, stranger = make.user(), make.user()
    producer = make.producer(owner)
    make.producer(stranger, name="别家")
    batch = make.batch(producer)
    test = make.residue_test(batch, created_by=owner)
    other = login(stranger)

    assert other.get(f"/api/v1/tests/{test.id}").status_code == 403
    assert other.post("/api/v1/tests", json=_payload(batch)).status_code == 403
    assert other.get("/api/v1/tests").json == []
    assert login(make.user(Role.BUYER)).get("/api/v1/tests").status_code == 403
    assert login(make.user(Role.BUYER)).get(f"/api/v1/tests/{test.id}").status_code == 403
    assert client.get(f"/api/v1/tests/{test.id}").status_code == 401


def test_only_the_recorder_corrects_a_test(make, login):
    farmer, colleague = make.user(), make.user()
    producer = make.producer(farmer, colleague)
    test = make.residue_test(make.batch(producer), created_by=farmer)

    assert login(colleague).patch(f"/api/v1/tests/{test.id}",
                                  json={"result": "fail"}).status_code == 403
    blank = login(farmer).patch(f"/api/v1/tests/{test.id}", json={"tester": ""})
    assert blank.status_code == 422 and "tester" in blank.json["errors"]
    fixed = login(farmer).patch(f"/api/v1/tests/{test.id}", json={"result": "fail"})
    assert fixed.status_code == 200
    assert fixed.json["result"] == "fail"


def test_list_filters_by_batch_and_result(make, login):
    farmer = make.user()
    producer = make.producer(farmer)
    first, second = make.batch(producer), make.batch(producer)
    make.residue_test(first)
    make.residue_test(second, result="fail")
    make.residue_test(second)
    client = login(farmer)

    by_batch = client.get(f"/api/v1/tests?batch_id={second.id}")
    assert len(by_batch.json) == 2
    assert json.loads(by_batch.headers["X-Pagination"])["total"] == 2
    failed = client.get("/api/v1/tests?result=fail").json
    assert [t["batch_id"] for t in failed] == [second.id]
    bad = client.get("/api/v1/tests?result=maybe", headers={"Accept-Language": "en"})
    assert bad.status_code == 422
    assert bad.json["errors"]["result"] == ["Must be one of: pass, fail."]

"""The consumer's journey timeline names what happened: a recall is a recall and a failed
inspection a failed one, though CBV records both under steps shared with their opposites."""

from __future__ import annotations

import datetime as dt

from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.models import Role
from tests.platform.page_helpers import element_html, text_of
from tests.platform.trace_helpers import path_of, printed_codes


def test_journey_shows_a_failed_inspection_and_a_recall(app, make, login, session, client):
    farmer = make.user()
    batch = make.batch(make.producer(farmer))
    uri = printed_codes(app, session, batch)[0]
    inspector = login(make.user(Role.INSPECTOR))
    recorded = inspector.post("/api/v1/tests", json={
        "batch_id": batch.id, "method": "rapid", "result": "fail", "tester": "太和县检测站",
        "tested_on": (today_in_china() - dt.timedelta(days=1)).isoformat()})
    assert recorded.status_code == 201, recorded.json
    assert inspector.post(f"/api/v1/batches/{batch.id}/status",
                          json={"status": "recalled", "reason": "农残超标"}).status_code == 200

    journey = text_of(element_html(client.get(path_of(uri)), "journey"))

    assert "检测不合格" in journey and "召回" in journey
    assert "暂停销售" not in journey  # the recall is not shown as a hold

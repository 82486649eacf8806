"""`flask repair-text`: control characters stored before input refused them are replaced in
every text column (JSON text too); keys and the hash-chained traceability events are reported
and left as they are, and the chain still verifies."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select

from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.models import EpcisEventRecord, Notice, Plot

TODAY = today_in_china()


def _run(app, *args):
    return app.test_cli_runner().invoke(args=["repair-text", *args])


def test_repair_text_cleans_stored_values_and_leaves_the_ledger_verifiable(app, make, login,
                                                                            session):
    farmer = make.user()
    producer = make.producer(farmer)
    plot = make.plot(producer, "东地块\u000b2号")
    batch = make.batch(producer, plot=plot, variety="早熟\u001f", harvest_date=dt.date(1, 1, 1))
    notice = Notice(user_id=farmer.id, kind="recall", subject="召回",
                    payload=json.dumps({"reason": "农残\u000b超标", "n": 1}, ensure_ascii=False))
    session.add(notice)
    session.commit()
    created = login(farmer).post("/api/v1/batches", json={
        "producer_id": producer.id, "product_id": make.product().id, "plot_id": plot.id,
        "harvest_date": TODAY.isoformat(), "quantity": "10", "unit": "kg"})
    assert created.status_code == 201, created.json
    events = session.scalars(select(EpcisEventRecord)).all()
    bodies = {e.id: e.body for e in events}
    assert any("\\u000b" in body or "\u000b" in body for body in bodies.values())

    dry = _run(app, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "Would repair plots.name: 1 rows" in dry.output
    session.expire_all()
    assert session.get(Plot, plot.id).name == "东地块\u000b2号"

    result = _run(app)

    assert result.exit_code == 0, result.output
    assert "Repaired plots.name: 1 rows" in result.output
    assert "traceability events as recorded" in result.output
    assert f"LEFT batch {batch.lot_code}: harvest date before 2000" in result.output
    session.expire_all()
    assert session.get(Plot, plot.id).name == "东地块 2号"
    assert session.get(type(batch), batch.id).variety == "早熟 "
    assert json.loads(session.get(Notice, notice.id).payload) == {"reason": "农残 超标", "n": 1}
    assert {e.id: e.body for e in session.scalars(select(EpcisEventRecord))} == bodies
    verify = app.test_cli_runner().invoke(args=["verify-chain"])
    assert verify.exit_code == 0, verify.output
    assert _run(app).output.startswith("Repaired 0 values in all.")


def test_a_repaired_name_that_is_taken_is_reported_and_left(app, make, session):
    producer = make.producer(make.user())
    make.plot(producer, "南湖 1号地")
    bad = make.plot(producer, "南湖\u000b1号地")
    session.commit()

    result = _run(app)

    assert result.exit_code == 0, result.output
    assert f"plots id={bad.id}: the repaired text is taken" in result.output
    session.expire_all()
    assert session.get(Plot, bad.id).name == "南湖\u000b1号地"

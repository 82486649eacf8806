"""The phone's safety-interval check (static/offline/safety.js, in Chromium) gives the server's
answer (farms/services/safety.harvest_status) on the same records: outcome, first allowed day
and the inputs responsible, over generated plots and harvest dates on every boundary.

The phone judges from the offline snapshot as the API serves it, so this also proves the
snapshot carries what the rule needs (recent inputs, each plot's first pesticide record).
"""

from __future__ import annotations

import datetime as dt
import json
import random

from flask_migrate import upgrade

from freshcircle.platform import create_app
from freshcircle.platform.core.services import accounts
from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.extensions import db
from freshcircle.platform.farms.services.safety import harvest_status
from freshcircle.platform.models import InputKind, Role
from tests.factories import Factory
from tests.platform.browser import BROWSER_MARKS, chromium
from tests.platform.live_server import call, site

TODAY = today_in_china()
PLOTS = 24

pytestmark = BROWSER_MARKS


def _farm(app, rng: random.Random) -> tuple[str, list[int]]:
    """A farmer with PLOTS plots of random input records; (their token, the plot ids)."""
    with app.app_context():
        make = Factory(db.session)
        farmer = make.user(Role.FARMER)
        producer = make.producer(farmer)
        plot_ids = []
        for number in range(PLOTS):
            plot = make.plot(producer, f"地块{number}")
            plot_ids.append(plot.id)
            for _ in range(rng.randint(0, 4)):
                old = rng.random() < 0.15  # beyond the snapshot's window: counts only as a record
                make.farm_input(
                    producer, plot=plot,
                    applied_on=TODAY - dt.timedelta(days=rng.randint(200, 300) if old
                                                    else rng.randint(0, 40)),
                    interval_days=rng.choice([0, 0, 1, 3, 7, 10, 14, 21]),
                    kind=InputKind.PESTICIDE if rng.random() < 0.7 else InputKind.FERTILISER,
                    product_name=rng.choice(["吡虫啉", "毒死蜱", "阿维菌素", "尿素"]))
        _, token = accounts.issue_token(db.session, farmer, "parity")
        db.session.commit()
        db.session.remove()
    return token, plot_ids


def _cases(app, plot_ids, rng: random.Random) -> list[dict]:
    """Harvest dates on every input's boundaries (applied, safe day and the days around them),
    plus random ones from 60 days ago to today; the server's answer for each."""
    from sqlalchemy import select

    from freshcircle.platform.models import FarmInput

    cases = []
    with app.app_context():
        for plot_id in plot_ids:
            days = {TODAY - dt.timedelta(days=rng.randint(0, 60)) for _ in range(8)}
            for record in db.session.scalars(select(FarmInput).where(
                    FarmInput.plot_id == plot_id)):
                for edge in (record.applied_on, record.safe_harvest_date):
                    days |= {edge - dt.timedelta(days=1), edge, edge + dt.timedelta(days=1)}
            for day in sorted(d for d in days if TODAY - dt.timedelta(days=60) <= d <= TODAY):
                status = harvest_status(db.session, plot_id, day)
                cases.append({
                    "plot": plot_id, "day": day.isoformat(), "outcome": status.outcome,
                    "safe_from": status.safe_from.isoformat() if status.safe_from else None,
                    "blocking": [i.id for i in status.blocking]})
        db.session.remove()
    return cases


def test_the_phone_judges_every_harvest_as_the_server_does(tmp_path):
    app = create_app({"SECRET_KEY": "parity",
                      "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "parity.db")})
    with app.app_context():
        upgrade()
        db.session.remove()
    rng = random.Random(15)
    token, plot_ids = _farm(app, rng)
    cases = _cases(app, plot_ids, rng)
    assert len(cases) >= 300
    assert {c["outcome"] for c in cases} == {"passed", "not_passed", "no_records"}

    with site(app) as base:
        port = int(base.rsplit(":", 1)[1])
        answer = call(port, "GET", "/api/v1/offline/snapshot",
                      headers={"Authorization": f"Bearer {token}"})
        assert answer.status == 200
        snapshot = json.loads(answer.body)
        with chromium() as browser:
            page = browser.new_page()
            page.goto(base + "/offline")
            phone = page.evaluate("""async ([cases, snapshot]) => {
              const safety = await import("/static/offline/safety.js");
              return cases.map((c) => {
                const check = safety.harvestCheck(c.day, c.plot, snapshot);
                return {plot: c.plot, day: c.day, outcome: check.outcome,
                        safe_from: check.safe_from, blocking: check.blocking.map(i => i.id)};
              });
            }""", [cases, snapshot])
    with app.app_context():
        db.engine.dispose()

    differing = [(c, p) for c, p in zip(cases, phone, strict=True) if c != p]
    assert not differing, differing[:5]

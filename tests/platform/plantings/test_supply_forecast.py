"""The supply forecast from the tables, on a case worked by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from freshcircle.forecasting.weekly_supply import week_start
from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.models import Role

TODAY = today_in_china()
MONDAY = week_start(TODAY)


def test_a_producer_who_harvested_80_percent_of_plan_is_forecast_at_80_percent(make, login):
    farmer = make.user()
    producer = make.producer(farmer)
    spinach = make.product()
    # Finished: 2 亩 × 3,000 斤 planned = 6,000 斤; harvested 4,800 斤 (one batch).
    done = make.planting(producer, product=spinach, harvest_from=TODAY - dt.timedelta(days=40))
    make.batch(producer, product=spinach, harvest_date=done.harvest_from,
               quantity_g=4800 * 500, planting_id=done.id)
    # Coming: 1 亩 × 3,000 斤 over this week and the next (14 days from Monday).
    make.planting(producer, product=spinach, area_mu="1", harvest_from=MONDAY)

    answer = login(make.user(Role.BUYER)).get("/api/v1/supply-forecast")

    assert answer.status_code == 200, answer.json
    body = answer.json
    assert body["outcomes"] == 1 and body["weeks"][0] == MONDAY.isoformat()
    assert len(body["weeks"]) == 12
    # One producer: its factor and the pool's are both 4,800 / 6,000 = 0.8; too few past weeks
    # for a band of its own, so the default 0.6-1.3.
    assert body["band"] == {"low": 0.6, "high": 1.3, "errors": 0}
    [row] = body["products"]
    assert row["product"]["name_zh"] == "菠菜"
    first, second, third = row["weeks"][:3]
    assert (first["expected_jin"], first["low_jin"], first["high_jin"]) == (1200, 720, 1560)
    assert second["expected_jin"] == 1200 and third["expected_jin"] == 0
    page = login(make.user(Role.BUYER)).get("/forecast", headers={"Accept-Language": "zh-CN"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "预计供应" in text and "约 2,400 斤" in text
    assert "<svg" in text


@pytest.mark.parametrize("county, rows", [("341222", 1), ("341282", 0)])
def test_one_countys_forecast(make, login, county, rows):
    producer = make.producer(make.user())
    make.planting(producer, harvest_from=MONDAY + dt.timedelta(weeks=2))
    answer = login(make.user(Role.BUYER)).get(f"/api/v1/supply-forecast?county_code={county}")
    assert len(answer.json["products"]) == rows

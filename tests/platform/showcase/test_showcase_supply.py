"""The showcase's supply by county: the next 12 weeks' expected harvests, from plantings."""

from __future__ import annotations

import datetime as dt

from freshcircle.forecasting.weekly_supply import week_start
from freshcircle.platform.core.services.clock import today_in_china
from tests.platform.showcase.test_showcase_pages import text

MONDAY = week_start(today_in_china())
TAIHE, JIESHOU = "341222", "341282"


def test_a_countys_page_and_the_home_page_show_its_expected_harvests(client, make, session):
    farmer = make.user()
    producer = make.producer(farmer, county_code=TAIHE)
    # 2 亩 × 3,000 斤 over the two weeks from next Monday: 3,000 斤 a week.
    make.planting(producer, product=make.product("Spinach"),
                  harvest_from=MONDAY + dt.timedelta(weeks=1))
    session.commit()

    county = text(client.get(f"/haowu/counties/{TAIHE}"))
    assert "未来 12 周预计上市" in county
    assert "菠菜 约 6,000 斤" in county and "3,000 斤" in county
    assert producer.name not in county.split("未来 12 周预计上市")[1].split("在售")[0]
    home = text(client.get("/"))
    assert "未来 12 周：菠菜 约 6,000 斤" in home
    elsewhere = text(client.get(f"/haowu/counties/{JIESHOU}"))
    assert "菠菜" not in elsewhere and "未来 12 周没有预计上市的农产品" in elsewhere

    client.get("/lang/en")
    english = text(client.get(f"/haowu/counties/{TAIHE}"))
    assert "Expected harvests, next 12 weeks" in english and "Spinach" in english
    assert "Spinach about 6,000 jin" in english


def test_a_lost_planting_leaves_the_showcase_at_once(client, make, session, login):
    farmer = make.user()
    producer = make.producer(farmer, county_code=TAIHE)
    planting = make.planting(producer, product=make.product("Spinach"), harvest_from=MONDAY)
    session.commit()
    assert "约 6,000" in text(client.get(f"/haowu/counties/{TAIHE}"))

    answer = login(farmer).post(f"/api/v1/plantings/{planting.id}/updates",
                                json={"status": "lost", "reason": "冰雹"})
    assert answer.status_code == 201, answer.json

    page = text(client.get(f"/haowu/counties/{TAIHE}"))
    assert "菠菜" not in page and "未来 12 周没有预计上市的农产品" in page

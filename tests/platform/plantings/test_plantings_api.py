"""Plantings (种植计划) API: recording, validation, ownership, season updates, and batches
registered from a plot linking themselves to the planting they harvest."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.models import Planting, PlantingUpdate, Role

TODAY = today_in_china()
ZH = {"Accept-Language": "zh-CN"}
EN = {"Accept-Language": "en"}


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def _body(plot, product, **extra) -> dict:
    return {"plot_id": plot.id, "product_id": product.id, "area_mu": "2.5",
            "planted_on": (TODAY - dt.timedelta(days=30)).isoformat(),
            "harvest_from": (TODAY + dt.timedelta(days=20)).isoformat(),
            "harvest_to": (TODAY + dt.timedelta(days=40)).isoformat(), **extra}


def test_member_records_lists_reads_and_changes_a_planting(make, login):
    farmer = make.user()
    producer = make.producer(farmer)
    plot = make.plot(producer, "南湖1号地")
    client = login(farmer)

    created = client.post(f"/api/v1/producers/{producer.id}/plantings",
                          json=_body(plot, make.product("Celery"), variety=" 津南实芹 "))

    assert created.status_code == 201, created.json
    planting = created.json
    # No yield given, no past harvests: the product table's 8,000 斤/亩 for celery.
    assert planting["expected_yield_jin_per_mu"] == 8000
    assert planting["expected_jin"] == "20000.00" and planting["variety"] == "津南实芹"
    assert planting["plot"]["name"] == "南湖1号地" and planting["status"] is None
    listed = client.get(f"/api/v1/producers/{producer.id}/plantings").json
    assert [p["id"] for p in listed] == [planting["id"]]
    changed = client.patch(f"/api/v1/plantings/{planting['id']}",
                           json={"area_mu": "3", "expected_yield_jin_per_mu": 7000})
    assert changed.status_code == 200, changed.json
    assert changed.json["expected_jin"] == "21000.00"


def test_bad_fields_are_named_in_chinese_or_english_and_nothing_is_written(make, login,
                                                                           session):
    farmer = make.user()
    producer = make.producer(farmer)
    small = make.plot(producer, "小地块", area_mu=1)
    other = make.plot(make.producer(make.user(), name="别人的社"), "别人的地")
    client = login(farmer)
    url = f"/api/v1/producers/{producer.id}/plantings"

    response = client.post(url, headers=ZH, json=_body(
        small, make.product(), area_mu="1.5", harvest_from=(TODAY - dt.timedelta(days=31))
        .isoformat(), expected_yield_jin_per_mu="0"))

    assert response.status_code == 422
    errors = response.json["errors"]
    assert errors["area_mu"] == ["超过地块面积 1 亩。"]
    assert errors["harvest_from"] == ["采收不能早于种植日期。"]
    assert errors["expected_yield_jin_per_mu"] == ["请输入每亩斤数，1 到 100000 的整数。"]
    foreign = client.post(url, headers=EN, json=_body(other, make.product(), area_mu="-1"))
    assert foreign.json["errors"]["plot_id"] == ["Choose one of this producer's plots."]
    assert foreign.json["errors"]["area_mu"] == ["Enter the area in mu, a number above 0."]
    ends = client.post(url, headers=ZH, json=_body(
        small, make.product(), area_mu="1", harvest_to=(TODAY - dt.timedelta(days=1))
        .isoformat()))
    assert ends.json["errors"] == {"harvest_to": ["采收结束不能早于开始。"]}
    # Mushrooms have no usual yield per 亩: the farmer must give one.
    mushroom = client.post(url, headers=ZH, json=_body(small, make.product("Mushroom (button)"),
                                                       area_mu="1"))
    assert mushroom.json["errors"] == {
        "expected_yield_jin_per_mu": ["这个产品没有常用亩产，请填写预计亩产（斤/亩）。"]}
    unknown = client.post(url, json={**_body(small, make.product()), "acre": 3})
    assert unknown.status_code == 422 and "acre" in str(unknown.json["errors"])
    assert _count(session, Planting) == 0


def test_only_the_producers_members_write_and_staff_read(make, login):
    farmer = make.user()
    producer = make.producer(farmer)
    planting = make.planting(producer, harvest_from=TODAY + dt.timedelta(days=10))
    stranger = make.user(name="别社社员")
    make.producer(stranger, name="别的社")

    for role, read, write in ((None, 403, 403), (Role.INSPECTOR, 200, 403),
                              (Role.ADMIN, 200, 200), (Role.BUYER, 403, 403)):
        client = login(stranger if role is None else make.user(role))
        assert client.get(f"/api/v1/plantings/{planting.id}").status_code == read, role
        assert client.get(f"/api/v1/producers/{producer.id}/plantings").status_code == read
        assert client.patch(f"/api/v1/plantings/{planting.id}",
                            json={"variety": "改"}).status_code == write, role
        assert client.post(f"/api/v1/plantings/{planting.id}/updates",
                           json={"status": "good"}).status_code in (write, 201), role
    assert client.get(f"/api/v1/plantings/{planting.id + 999}").status_code == 404


def test_season_updates_need_a_reason_for_poor_and_lost_and_keep_history(make, login,
                                                                         session):
    farmer = make.user()
    producer = make.producer(farmer)
    planting = make.planting(producer, harvest_from=TODAY + dt.timedelta(days=10))
    client = login(farmer)
    url = f"/api/v1/plantings/{planting.id}/updates"

    refused = client.post(url, headers=ZH, json={"status": "lost", "reason": " "})
    assert refused.status_code == 422
    assert refused.json["errors"] == {"reason": ["请说明长势差或绝收的原因。"]}
    assert client.post(url, json={"status": "bumper"}).status_code == 422
    assert _count(session, PlantingUpdate) == 0

    assert client.post(url, json={"status": "good"}).status_code == 201
    lost = client.post(url, json={"status": "lost", "reason": "冰雹"})
    assert lost.status_code == 201 and lost.json["status"] == "lost"
    shown = client.get(f"/api/v1/plantings/{planting.id}").json
    assert shown["status"] == "lost" and shown["status_reason"] == "冰雹"
    assert [u["status"] for u in shown["updates"]] == ["good", "lost"]


def test_a_batch_from_the_plot_links_to_the_planting_it_harvests(make, login, session):
    farmer = make.user()
    producer = make.producer(farmer)
    plot = make.plot(producer, "东地块")
    spinach, celery = make.product(), make.product("Celery")
    window = make.planting(producer, plot=plot, product=spinach,
                           harvest_from=TODAY - dt.timedelta(days=5))
    make.planting(producer, plot=plot, product=celery, harvest_from=TODAY - dt.timedelta(days=5))
    make.planting(producer, plot=make.plot(producer, "西地块"), product=spinach,
                  harvest_from=TODAY - dt.timedelta(days=5))
    client = login(farmer)

    def register(day, product=spinach, plot_id=plot.id):
        response = client.post("/api/v1/batches", json={
            "producer_id": producer.id, "product_id": product.id, "plot_id": plot_id,
            "harvest_date": day.isoformat(), "quantity": 600, "unit": "jin"})
        assert response.status_code == 201, response.json
        assert "planting_id" in response.json
        return response.json["id"]

    inside = register(TODAY - dt.timedelta(days=1))
    before = register(TODAY - dt.timedelta(days=6))  # the day before the window
    from freshcircle.platform.models import Batch

    assert session.get(Batch, inside).planting_id == window.id
    assert client.get(f"/api/v1/batches/{inside}").json["planting_id"] == window.id
    assert session.get(Batch, before).planting_id is None
    # Moving the harvest date into the window links it; the planted-against-actual page shows it.
    moved = client.patch(f"/api/v1/batches/{before}",
                         json={"harvest_date": (TODAY - dt.timedelta(days=2)).isoformat()})
    assert moved.status_code == 200, moved.json
    assert session.get(Batch, before).planting_id == window.id
    page = client.get(f"/plantings/{window.id}", headers=ZH)
    assert page.status_code == 200
    assert "1,200 斤" in page.get_data(as_text=True)

"""Plots (地块) API: a producer's plots, and inputs and batches choosing one by id."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.models import Batch, FarmInput, Plot, Role

YESTERDAY = today_in_china() - dt.timedelta(days=1)
ZH = {"Accept-Language": "zh-CN"}


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_member_adds_lists_reads_and_changes_a_plot(make, login):
    farmer = make.user()
    producer = make.producer(farmer, township="闻集镇")
    client = login(farmer)
    spinach = make.product()

    created = client.post(f"/api/v1/producers/{producer.id}/plots", json={
        "name": " 南湖1号地 ", "area_mu": "2.5", "township": "闻集镇",
        "latitude": "32.9", "longitude": "115.8", "crop_ids": [spinach.id]})

    assert created.status_code == 201, created.json
    plot = created.json
    assert plot["name"] == "南湖1号地" and plot["area_mu"] == "2.50"
    assert [c["name_zh"] for c in plot["crops"]] == ["菠菜"]
    listed = client.get(f"/api/v1/producers/{producer.id}/plots").json
    assert [p["name"] for p in listed] == ["南湖1号地"]
    changed = client.patch(f"/api/v1/producers/{producer.id}/plots/{plot['id']}",
                           json={"area_mu": "3"})
    assert changed.status_code == 200 and changed.json["area_mu"] == "3.00"
    assert client.get(f"/api/v1/producers/{producer.id}/plots/{plot['id']}").json["name"] \
        == "南湖1号地"


def test_bad_plot_fields_are_named_and_nothing_is_written(make, login, session):
    farmer = make.user()
    producer = make.producer(farmer)
    make.plot(producer, "北大棚")
    client = login(farmer)

    response = client.post(f"/api/v1/producers/{producer.id}/plots", headers=ZH, json={
        "name": "北大棚", "area_mu": "0", "latitude": "95", "longitude": "115"})

    assert response.status_code == 422
    errors = response.json["errors"]
    assert errors["name"] == ["已有同名地块。"]
    assert errors["area_mu"] == ["请输入面积（亩），须大于 0。"]
    assert errors["latitude"] == ["请输入 -90 到 90 之间的数。"]
    blank = client.post(f"/api/v1/producers/{producer.id}/plots", headers=ZH,
                        json={"name": "  ", "area_mu": "abc"})
    assert set(blank.json["errors"]) == {"name", "area_mu"}
    assert _count(session, Plot) == 1


def test_only_members_write_and_only_insiders_read_plots(make, login, client):
    producer = make.producer(make.user())
    plot = make.plot(producer)
    url = f"/api/v1/producers/{producer.id}/plots"

    outsider = login(make.user())
    assert outsider.get(url).status_code == 403
    assert outsider.post(url, json={"name": "偷加的地"}).status_code == 403
    assert outsider.patch(f"{url}/{plot.id}", json={"name": "改名"}).status_code == 403
    assert login(make.user(Role.BUYER)).get(url).status_code == 403
    assert login(make.user(Role.INSPECTOR)).get(url).status_code == 200
    assert login(make.user(Role.ADMIN)).post(url, json={"name": "管理员代加"}).status_code == 201
    assert client.get(url).status_code == 401


def test_inputs_and_batches_refuse_another_producers_plot(make, login, session):
    farmer = make.user()
    producer = make.producer(farmer)
    theirs = make.plot(make.producer(make.user(), name="别家合作社"), "别家的地")
    mine = make.plot(producer, "东地块")
    client = login(farmer)
    batch = {"producer_id": producer.id, "product_id": make.product().id,
             "harvest_date": YESTERDAY.isoformat(), "quantity": "10", "unit": "kg"}
    record = {"producer_id": producer.id, "kind": "fertiliser", "product_name": "尿素",
              "dose": "10 kg/亩", "applied_on": YESTERDAY.isoformat()}

    for url, body in (("/api/v1/batches", batch), ("/api/v1/inputs", record)):
        refused = client.post(url, json=dict(body, plot_id=theirs.id), headers=ZH)
        assert refused.status_code == 422
        assert refused.json["errors"]["plot_id"] == ["请选择本生产主体的地块。"]
    assert _count(session, Batch) == 0 and _count(session, FarmInput) == 0

    saved = client.post("/api/v1/batches", json=dict(batch, plot_id=mine.id))
    assert saved.status_code == 201
    assert saved.json["plot"] == {"id": mine.id, "name": "东地块"}
    assert saved.json["safety"]["outcome"] == "no_records"
    moved = client.patch(f"/api/v1/batches/{saved.json['id']}", json={"plot_id": theirs.id})
    assert moved.status_code == 422 and "plot_id" in moved.json["errors"]

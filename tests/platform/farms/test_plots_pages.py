"""Plot pages, and the plot picker with "add a plot" on the phone forms for inputs and batches."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.models import Batch, FarmInput, Plot
from tests.platform.page_helpers import batch_form, element, field_errors, text

TODAY = today_in_china()


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def _input(producer, **overrides) -> dict:
    data = {"producer_id": str(producer.id), "kind": "pesticide", "product_name": "阿维菌素乳油",
            "active_ingredient": "", "dose": "30 mL/亩", "plot_id": "", "new_plot_name": "",
            "new_plot_area_mu": "", "applied_on": TODAY.isoformat(),
            "pre_harvest_interval_days": "7", "notes": ""}
    data.update(overrides)
    return data


def test_producer_lists_adds_and_changes_plots_in_chinese(make, login, session):
    farmer = make.user()
    producer = make.producer(farmer)
    make.plot(producer, "北大棚")
    client = login(farmer)

    page = client.get(f"/producers/{producer.id}/plots")
    assert page.status_code == 200
    assert "北大棚" in element(page, "plots") and "未填面积" in element(page, "plots")
    added = client.post(f"/producers/{producer.id}/plots", data={
        "name": "南湖1号地", "area_mu": "２.５", "township": "闻集镇", "latitude": "",
        "longitude": "", "crop_ids": [str(make.product().id)]}, follow_redirects=True)
    assert "地块 南湖1号地 已添加。" in text(added)
    plot = session.scalar(select(Plot).where(Plot.name == "南湖1号地"))
    assert plot.area_mu == 2.5 and plot.township == "闻集镇" and plot.crops[0].name_zh == "菠菜"
    assert "2.5 亩" in element(added, f"plot-{plot.id}")

    edit = client.get(f"/producers/{producer.id}/plots/{plot.id}/edit")
    assert 'value="南湖1号地"' in edit.get_data(as_text=True)
    saved = client.post(f"/producers/{producer.id}/plots/{plot.id}/edit", data={
        "name": "南湖1号地", "area_mu": "3", "township": "闻集镇"})
    assert saved.status_code == 302
    session.refresh(plot)
    assert plot.area_mu == 3


def test_bad_plot_is_named_under_each_field_and_nothing_is_added(make, login, session):
    farmer = make.user()
    producer = make.producer(farmer)
    make.plot(producer, "北大棚")
    client = login(farmer)

    response = client.post(f"/producers/{producer.id}/plots",
                           data={"name": "北大棚", "area_mu": "-1"})

    assert response.status_code == 422
    assert field_errors(response, "name") == ["已有同名地块。"]
    assert field_errors(response, "area_mu") == ["请输入面积（亩），须大于 0。"]
    assert _count(session, Plot) == 1
    other = login(make.user())
    assert other.post(f"/producers/{producer.id}/plots", data={"name": "偷加"}).status_code == 403
    assert other.get(f"/producers/{producer.id}/plots").status_code == 403


def test_input_form_adds_a_plot_inline_in_the_same_save(make, login, session):
    farmer = make.user()
    producer = make.producer(farmer)
    client = login(farmer)

    form = client.get("/inputs/new").get_data(as_text=True)
    assert 'name="new_plot_name"' in form and "添加地块" in form

    response = client.post("/inputs/new", data=_input(producer, new_plot_name="李营南湖地块1号",
                                                      new_plot_area_mu="4"))

    assert response.status_code == 302
    record = session.scalar(select(FarmInput))
    assert record.plot.name == "李营南湖地块1号" and record.plot.area_mu == 4


def test_neither_picked_nor_added_says_choose_a_plot_and_a_bad_new_plot_writes_nothing(
        make, login, session):
    farmer = make.user()
    producer = make.producer(farmer)
    client = login(farmer)

    none = client.post("/inputs/new", data=_input(producer))
    assert field_errors(none, "plot_id") == ["请选择地块。"]
    bad_area = client.post("/inputs/new", data=_input(producer, new_plot_name="西地",
                                                      new_plot_area_mu="0"))
    assert bad_area.status_code == 422
    assert field_errors(bad_area, "new_plot_area_mu") == ["请输入面积（亩），须大于 0。"]
    future = client.post("/inputs/new", data=_input(
        producer, new_plot_name="西地", applied_on=(TODAY + dt.timedelta(days=2)).isoformat()))
    assert future.status_code == 422
    assert _count(session, FarmInput) == 0 and _count(session, Plot) == 0


def test_batch_form_offers_the_producers_plots_and_refuses_another_producers(make, login,
                                                                            session):
    farmer = make.user()
    producer = make.producer(farmer)
    mine = make.plot(producer, "南湖1号地")
    theirs = make.plot(make.producer(make.user(), name="别家"), "别家的地")
    client = login(farmer)

    form = client.get("/batches/new").get_data(as_text=True)
    assert f'<option value="{mine.id}">南湖1号地</option>' in form and "别家的地" not in form

    forged = client.post("/batches/new", data=batch_form(
        producer, make.product(), new_plot_name="", plot_id=str(theirs.id)))
    assert forged.status_code == 422
    assert field_errors(forged, "plot_id") == ["请选择本生产主体的地块。"]
    assert _count(session, Batch) == 0

    saved = client.post("/batches/new", data=batch_form(
        producer, make.product(), new_plot_name="", plot_id=str(mine.id)))
    assert saved.status_code == 302
    assert session.scalar(select(Batch)).plot_id == mine.id

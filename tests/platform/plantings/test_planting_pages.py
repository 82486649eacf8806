"""The plantings pages (种植计划) on a farmer's phone: record one, see it listed, report the
season; bad input named under each field in Chinese or English, and nothing written."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.models import Planting, PlantingUpdate
from tests.platform.page_helpers import element, field_errors, text

TODAY = today_in_china()


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def _form(plot, product, **overrides) -> dict:
    data = {"plot_id": str(plot.id), "product_id": str(product.id), "variety": "津南实芹",
            "area_mu": "2.5", "planted_on": (TODAY - dt.timedelta(days=30)).isoformat(),
            "harvest_from": (TODAY + dt.timedelta(days=20)).isoformat(),
            "harvest_to": (TODAY + dt.timedelta(days=40)).isoformat(),
            "expected_yield_jin_per_mu": ""}
    data.update(overrides)
    return data


def test_a_farmer_records_a_planting_and_sees_it_listed_in_chinese(make, login, session):
    farmer = make.user()
    producer = make.producer(farmer)
    plot = make.plot(producer, "南湖1号地")
    client = login(farmer)

    form = client.get(f"/producers/{producer.id}/plantings/new")
    assert "记录种植" in text(form) and "南湖1号地" in text(form)
    saved = client.post(f"/producers/{producer.id}/plantings/new",
                        data=_form(plot, make.product("Celery")), follow_redirects=True)

    assert saved.status_code == 200
    page = text(saved)
    # No yield given and no past harvest: the product table's 8,000 斤/亩 for celery.
    assert "芹菜" in page and "津南实芹" in page and "20,000 斤" in page
    planting = session.scalar(select(Planting))
    assert planting.area_mu == 2.5 and planting.expected_yield_jin_per_mu == 8000
    listed = client.get(f"/producers/{producer.id}/plantings")
    assert "芹菜" in element(listed, f"planting-{planting.id}")


def test_bad_planting_is_named_under_each_field_and_nothing_is_written(make, login, session):
    farmer = make.user()
    producer = make.producer(farmer)
    plot = make.plot(producer, "南湖1号地")
    client = login(farmer)
    bad = _form(plot, make.product("Celery"), area_mu="0",
                harvest_to=(TODAY + dt.timedelta(days=10)).isoformat())

    answer = client.post(f"/producers/{producer.id}/plantings/new", data=bad)

    assert answer.status_code == 422
    area_errors = field_errors(answer, "area_mu")
    assert area_errors and all("亩" in e for e in area_errors)
    assert field_errors(answer, "harvest_to")
    assert _count(session, Planting) == 0
    client.get("/lang/en")
    english = client.post(f"/producers/{producer.id}/plantings/new", data=bad)
    assert english.status_code == 422
    assert "mu" in " ".join(field_errors(english, "area_mu"))
    assert field_errors(english, "harvest_to") != field_errors(answer, "harvest_to")
    assert "Record a planting" in text(english)
    assert _count(session, Planting) == 0
    stranger = login(make.user())
    assert stranger.post(f"/producers/{producer.id}/plantings/new",
                         data=_form(plot, make.product("Celery"))).status_code == 403


def test_a_lost_crop_needs_a_reason_then_shows_on_the_planting(make, login, session):
    farmer = make.user()
    producer = make.producer(farmer)
    planting = make.planting(producer, harvest_from=TODAY + dt.timedelta(days=10))
    client = login(farmer)
    url = f"/plantings/{planting.id}/updates"

    refused = client.post(url, data={"status": "lost", "reason": ""})
    assert refused.status_code == 422 and field_errors(refused, "reason")
    assert _count(session, PlantingUpdate) == 0

    done = client.post(url, data={"status": "lost", "reason": "冰雹"}, follow_redirects=True)
    assert done.status_code == 200
    assert "绝收" in text(done) and "冰雹" in text(done)
    client.get("/lang/en")
    assert "Lost" in text(client.get(f"/plantings/{planting.id}"))

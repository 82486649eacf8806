"""A harvest inside a running pre-harvest interval is registered only when the farmer confirms
it (the lot exists and must be traceable; it can never be sold). Unconfirmed, the API and the
page refuse it with the input, the dates and the first allowed day, and write nothing. The
phone checks the same rule offline (static/offline/safety.js; test_offline_safety_parity.py);
the server checks again on sync and wins (issue 15)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.models import Batch, InputKind
from tests.platform.page_helpers import batch_form

TODAY = today_in_china()


def _body(producer, product, plot, **extra):
    return {"producer_id": producer.id, "product_id": product.id, "plot_id": plot.id,
            "harvest_date": TODAY.isoformat(), "quantity": "50", "unit": "jin", **extra}


def _batches(session) -> int:
    return session.scalar(select(func.count()).select_from(Batch))


def test_an_unconfirmed_harvest_inside_an_interval_is_refused_with_why(make, login, session):
    farmer = make.user()
    producer = make.producer(farmer)
    plot = make.plot(producer, "南地块")
    make.farm_input(producer, plot=plot, applied_on=TODAY - dt.timedelta(days=2),
                    interval_days=10, product_name="毒死蜱")
    before = _batches(session)

    response = login(farmer).post("/api/v1/batches", json=_body(producer, make.product(), plot),
                                  headers={"Accept-Language": "zh-CN"})

    assert response.status_code == 422
    message = response.json["errors"]["harvest_date"][0]
    safe = (TODAY + dt.timedelta(days=8)).isoformat()
    assert "安全间隔期未满" in message and "毒死蜱" in message and "南地块" in message
    assert (TODAY - dt.timedelta(days=2)).isoformat() in message and safe in message
    assert "confirm_in_interval" in response.json["errors"]
    assert _batches(session) == before


def test_a_confirmed_harvest_inside_an_interval_is_stored_and_never_for_sale(make, login):
    farmer = make.user()
    producer = make.producer(farmer)
    plot = make.plot(producer, "南地块")
    make.farm_input(producer, plot=plot, applied_on=TODAY - dt.timedelta(days=2),
                    interval_days=10)
    client = login(farmer)

    response = client.post("/api/v1/batches", json=_body(
        producer, make.product(), plot, confirm_in_interval=True))

    assert response.status_code == 201
    assert response.json["safety"]["outcome"] == "not_passed"
    listed = client.post(f"/api/v1/batches/{response.json['id']}/status",
                         json={"status": "listed"})
    assert listed.status_code in (409, 422)


def test_sprays_elsewhere_and_finished_intervals_never_refuse(make, login):
    farmer = make.user()
    producer = make.producer(farmer)
    here, there = make.plot(producer, "东地块"), make.plot(producer, "西地块")
    make.farm_input(producer, plot=there, applied_on=TODAY - dt.timedelta(days=1),
                    interval_days=14)
    make.farm_input(producer, plot=here, applied_on=TODAY - dt.timedelta(days=7),
                    interval_days=7)  # ends today: a harvest today is allowed
    make.farm_input(producer, plot=here, applied_on=TODAY, interval_days=0,
                    kind=InputKind.FERTILISER, product_name="尿素")
    client = login(farmer)

    response = client.post("/api/v1/batches", json=_body(producer, make.product(), here))

    assert response.status_code == 201, response.json
    assert response.json["safety"]["outcome"] == "passed"


def test_the_page_shows_why_and_the_confirmation_then_takes_it(make, login, session):
    farmer = make.user()
    producer = make.producer(farmer)
    plot = make.plot(producer, "东地块")
    make.farm_input(producer, plot=plot, applied_on=TODAY - dt.timedelta(days=1),
                    interval_days=7, product_name="吡虫啉")
    client = login(farmer)
    data = batch_form(producer, make.product(), plot_id=str(plot.id), new_plot_name="",
                      harvest_date=TODAY.isoformat())

    refused = client.post("/batches/new", data=data, content_type="multipart/form-data")

    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "安全间隔期未满" in page and "吡虫啉" in page
    assert 'id="confirm_in_interval"' in page and "data-confirm-interval hidden" not in page
    assert _batches(session) == 0

    taken = client.post("/batches/new", data={**data, "confirm_in_interval": "y"},
                        content_type="multipart/form-data")

    assert taken.status_code == 302
    assert _batches(session) == 1

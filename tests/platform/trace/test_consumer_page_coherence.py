"""Issue 13: one coherent consumer page (recall first, no green beside it; a used-up shelf life
as a warning; the carrier's excursion figures; the batch photo; the co-op's service phone)."""

from __future__ import annotations

import datetime as dt
import io
import re

from freshcircle.platform.batches.services.batches import attach_photo
from freshcircle.platform.core.services.clock import CHINA, today_in_china
from freshcircle.platform.dispatch.services import shipment_alerts
from freshcircle.platform.dispatch.services.shelf_life_view import produce_for
from freshcircle.platform.models import BatchStatus, Role, ShipmentStatus
from tests.platform.page_helpers import TINY_JPEG, element, element_html
from tests.platform.trace_helpers import path_of, printed_codes


def _page(app, session, client, batch, suffix=""):
    uri = printed_codes(app, session, batch)[0]
    response = client.get(path_of(uri) + suffix)
    assert response.status_code == 200
    return response


def _recalled(make, status):
    producer = make.producer(make.user(), contact_phone="13812345678")
    batch = make.batch(producer, status=status, status_reason="农残超标")
    make.farm_input(producer, applied_on=batch.harvest_date - dt.timedelta(days=20))
    make.residue_test(batch)
    return batch


def test_recalled_page_leads_with_the_recall_and_shows_no_green(app, make, session, client):
    response = _page(app, session, client, _recalled(make, BatchStatus.RECALLED))

    page = response.get_data(as_text=True)
    assert page.index('id="recall"') < page.index('id="verdict"')
    assert "✔" not in page, "a green tick beside a recall"
    assert "verdict-ok" not in page and "ok-note" not in page and "badge-ok" not in page
    verdict = element_html(response, "verdict")
    assert "verdict-plain" in verdict
    assert "此包装的追溯码由鲜链圈为该批次签发" in element(response, "verdict")


def test_held_page_leads_with_the_hold_and_shows_no_green(app, make, session, client):
    response = _page(app, session, client, _recalled(make, BatchStatus.HELD))

    page = response.get_data(as_text=True)
    assert page.index('id="recall"') < page.index('id="verdict"')
    assert "✔" not in page and "verdict-ok" not in page


def _spinach_batch(make, harvest_date):
    producer = make.producer(make.user())
    return make.batch(producer, harvest_date=harvest_date)


def test_used_up_shelf_life_is_a_warning_with_advice(app, make, session, client):
    life_days = produce_for("Spinach").storage_life.days
    batch = _spinach_batch(make, today_in_china() - dt.timedelta(days=life_days + 3))

    response = _page(app, session, client, batch)

    warning = element_html(response, "shelf-life-warning")
    assert 'class="card warn' in warning
    assert "已超过预计保鲜期" in warning and "有异味请勿食用" in warning


def test_under_a_day_left_is_a_warning_not_about_0_days(app, make, session, client):
    life_days = produce_for("Spinach").storage_life.days
    batch = _spinach_batch(make, today_in_china() - dt.timedelta(days=life_days - 1))

    response = _page(app, session, client, batch)

    page = response.get_data(as_text=True)
    assert "约 0 天" not in page
    warning = element(response, "shelf-life-warning")
    assert "不到一天" in warning and "有异味请勿食用" in warning


def _night_trip(make, session, batch, carrier):
    """The demo's trip: 540 minutes at 2-4 °C from 20:10, one door open 01:10-01:50."""
    start = dt.datetime(2026, 11, 20, 20, 10, tzinfo=CHINA)
    shipment = make.shipment(carrier=carrier, lines=[(batch, 100_000)],
                             status=ShipmentStatus.DELIVERED,
                             actual_departure=start,
                             actual_arrival=start + dt.timedelta(minutes=540))
    spike = ("4.8", "6.6", "5.9", "4.4")
    for i in range(55):
        value = spike[i - 30] if 30 <= i < 34 else ("3.1", "2.6", "3.4")[i % 3]
        make.temperature_reading(shipment, value, start + dt.timedelta(minutes=10 * i))
    shipment_alerts.raise_alerts(session, shipment)
    session.commit()
    return shipment


def test_consumer_and_carrier_pages_show_the_same_excursion(app, make, login, session,
                                                             client):
    carrier = make.user(Role.CARRIER)
    batch = _spinach_batch(make, dt.date(2026, 11, 20))
    shipment = _night_trip(make, session, batch, carrier)

    consumer = _page(app, session, client, batch)
    carrier_page = login(carrier).get("/carrier/shipments")

    (alert,) = re.findall(r'id="alert-\d+"', element_html(carrier_page, f"shipment-{shipment.id}"))
    alert_text = element(carrier_page, alert.split('"')[1]).replace("\u00a0", " ")
    assert "6.6 °C" in alert_text and "2026年11月21日 01:10" in alert_text
    assert "2026年11月21日 01:50" in alert_text
    listed = element_html(consumer, f"excursions-{shipment.id}")
    assert listed.count("<li") == 1, listed
    found = element(consumer, f"excursions-{shipment.id}").replace("\u00a0", " ")
    assert "6.6 °C" in found and "40 分钟" in found
    assert "2026年11月21日 01:10" in found and "2026年11月21日 01:50" in found


def test_consumer_page_shows_the_batch_photo_to_anyone(app, make, session, client):
    farmer = make.user()
    batch = make.batch(make.producer(farmer))
    photo = attach_photo(session, farmer, batch, io.BytesIO(TINY_JPEG), "菠菜.jpg", 1 << 20)
    session.commit()

    response = _page(app, session, client, batch)

    src = re.search(r'id="batch-photo"[^>]*src="([^"]+)"', response.get_data(as_text=True))
    assert src, "no batch photo on the consumer page"
    image = app.test_client().get(src.group(1))  # a shopper: not signed in
    assert image.status_code == 200 and image.mimetype.startswith("image/")
    assert src.group(1) == f"/trace/photos/{photo.id}"


def test_photo_of_a_batch_without_a_public_page_is_not_found(app, make, session, client):
    farmer = make.user()
    producer = make.producer(farmer)
    batch = make.batch(producer)
    photo = attach_photo(session, farmer, batch, io.BytesIO(TINY_JPEG), "菠菜.jpg", 1 << 20)
    session.commit()

    assert client.get(f"/trace/photos/{photo.id}").status_code == 404


def test_page_shows_the_service_phone_never_the_masked_mobile(app, make, session, client):
    producer = make.producer(make.user(), contact_phone="13812345678",
                             service_phone="0558-6123456")
    batch = make.batch(producer)

    page = _page(app, session, client, batch).get_data(as_text=True)

    assert "0558-6123456" in page and 'href="tel:05586123456"' in page
    assert "138****5678" not in page and "13812345678" not in page


def test_page_without_a_service_phone_shows_no_phone(app, make, session, client):
    producer = make.producer(make.user(), contact_phone="13812345678")
    batch = make.batch(producer)

    page = _page(app, session, client, batch).get_data(as_text=True)

    assert "138****5678" not in page and 'id="service-phone"' not in page

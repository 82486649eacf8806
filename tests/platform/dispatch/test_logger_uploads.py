"""A logger's CSV export uploaded for a shipment: stored once, or refused line by line."""

from __future__ import annotations

import datetime as dt
import io

from sqlalchemy import func, select

from freshcircle.platform.models import TemperatureReading
from tests.platform.dispatch.test_temperatures_api import _setup, _token

START = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).replace(
    microsecond=0, second=0) - dt.timedelta(hours=3)


def _csv(rows: list[tuple[str, str]], header="时间,温度(℃)") -> bytes:
    return "\n".join([header, *(f"{t},{c}" for t, c in rows)]).encode("utf-8-sig")


def _stamp(minutes: int) -> str:
    return (START + dt.timedelta(minutes=minutes)).strftime("%Y-%m-%d %H:%M")


def _upload(client, shipment, data, headers, name="TL-200.csv"):
    return client.post(f"/api/v1/shipments/{shipment.id}/temperatures/csv",
                       data={"file": (io.BytesIO(data), name), "sensor_id": "TL-200"},
                       headers=headers, content_type="multipart/form-data")


def test_carrier_uploads_a_logger_file_once(make, client, session):
    _, carrier, shipment = _setup(make)
    headers = _token(client, carrier)
    data = _csv([(_stamp(10 * i), "2.5") for i in range(12)])

    first = _upload(client, shipment, data, headers)
    again = _upload(client, shipment, data, headers)

    assert first.status_code == 200, first.json
    assert first.json == {"received": 12, "inserted": 12, "duplicates": 0}
    assert again.json == {"received": 12, "inserted": 0, "duplicates": 12}
    stored = session.scalar(select(func.count()).select_from(TemperatureReading))
    assert stored == 12


def test_bad_lines_are_listed_and_nothing_is_stored(make, client, session):
    _, carrier, shipment = _setup(make)
    data = _csv([(_stamp(0), "2.5"), ("昨天", "3"), (_stamp(20), "很冷")])

    response = _upload(client, shipment, data, {**_token(client, carrier),
                                                "Accept-Language": "zh"})

    assert response.status_code == 422
    assert response.json["errors"]["file"] == ["第 3 行：时间无法识别", "第 4 行：温度不是数字"]
    assert session.scalar(select(func.count()).select_from(TemperatureReading)) == 0


def test_only_people_on_the_shipment_may_upload(make, client, session):
    _, _, shipment = _setup(make)
    stranger = make.user()
    response = _upload(client, shipment, _csv([(_stamp(0), "2.5")]), _token(client, stranger))
    assert response.status_code in (403, 404)
    missing = client.post(f"/api/v1/shipments/{shipment.id}/temperatures/csv",
                          headers=_token(client, stranger))
    assert missing.status_code in (403, 404, 422)


def test_carrier_uploads_from_the_phone_page_and_sees_bad_lines(make, login, session):
    from tests.platform.page_helpers import text

    _, carrier, shipment = _setup(make)
    client = login(carrier)
    bad = client.post(f"/carrier/shipments/{shipment.id}/temperatures", data={
        "file": (io.BytesIO(_csv([(_stamp(0), "2.5"), ("bad", "1")])), "log.csv")},
        content_type="multipart/form-data")
    assert bad.status_code == 422 and "第 3 行：时间无法识别" in text(bad)

    good = client.post(f"/carrier/shipments/{shipment.id}/temperatures", data={
        "file": (io.BytesIO(_csv([(_stamp(10 * i), "3.0") for i in range(6)])), "log.csv")},
        content_type="multipart/form-data", follow_redirects=True)

    assert good.status_code == 200 and "6" in text(good)
    assert session.scalar(select(func.count()).select_from(TemperatureReading)) == 6


def test_readings_from_the_future_are_named_by_line_and_nothing_is_stored(make, login,
                                                                           session):
    from tests.platform.page_helpers import text

    _, carrier, shipment = _setup(make)
    # A logger whose clock runs a day ahead: the last two rows are in the future.
    rows = [(_stamp(0), "2.5"), (_stamp(10), "2.6"), (_stamp(24 * 60), "2.7"),
            (_stamp(24 * 60 + 10), "2.8")]
    page = login(carrier).post(f"/carrier/shipments/{shipment.id}/temperatures", data={
        "file": (io.BytesIO(_csv(rows)), "log.csv")}, content_type="multipart/form-data")

    assert page.status_code == 422
    assert "第 4 行：时间在未来（请检查记录仪的时钟和时区）" in text(page)
    assert "第 5 行：时间在未来" in text(page) and "第 3 行" not in text(page)
    assert f'action="/carrier/shipments/{shipment.id}/temperatures#upload-{shipment.id}"' \
        in page.get_data(as_text=True)  # the answer opens at the form, not the page's top
    assert session.scalar(select(func.count()).select_from(TemperatureReading)) == 0


def test_another_carriers_file_for_the_same_logger_is_stored(make, client, session):
    _, carrier_a, shipment_a = _setup(make)
    _, carrier_b, shipment_b = _setup(make)
    rows = [(_stamp(10 * i), "2.5") for i in range(6)]
    assert _upload(client, shipment_a, _csv(rows), _token(client, carrier_a)).json[
        "inserted"] == 6

    warm = _upload(client, shipment_b, _csv([(t, "14.0") for t, _ in rows]),
                   _token(client, carrier_b))

    assert warm.status_code == 200, warm.json
    assert warm.json == {"received": 6, "inserted": 6, "duplicates": 0}
    assert session.scalar(select(func.count()).select_from(TemperatureReading).where(
        TemperatureReading.shipment_id == shipment_b.id)) == 6


def test_a_file_line_that_conflicts_with_a_stored_reading_is_refused(make, client, session):
    _, carrier, shipment = _setup(make)
    headers = {**_token(client, carrier), "Accept-Language": "zh"}
    rows = [(_stamp(10 * i), "2.5") for i in range(4)]
    assert _upload(client, shipment, _csv(rows), headers).json["inserted"] == 4

    rows[2] = (rows[2][0], "9.5")
    refused = _upload(client, shipment, _csv([*rows, (_stamp(40), "2.5")]), headers)

    assert refused.status_code == 422, refused.json
    (line,) = refused.json["errors"]["file"]
    assert line.startswith("第 4 行：") and "2.50" in line
    assert session.scalar(select(func.count()).select_from(TemperatureReading)) == 4

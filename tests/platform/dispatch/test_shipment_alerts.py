"""Temperature alerts: an excursion in the readings raises one alert (however often the
readings are re-sent), a short door-opening does not, and a person acknowledges it with a
comment."""

from __future__ import annotations

import datetime as dt

from tests.platform.dispatch.test_temperatures_api import _setup, _token

CST = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime.now(CST).replace(microsecond=0, second=0) - dt.timedelta(hours=4)


def _post(client, shipment, headers, temps, sensor="TL-1", offset_min=0):
    readings = [{"sensor_id": sensor, "recorded_at": (
        START + dt.timedelta(minutes=10 * i + offset_min)).isoformat(), "celsius": c}
        for i, c in enumerate(temps)]
    return client.post(f"/api/v1/shipments/{shipment.id}/temperatures",
                       json={"readings": readings}, headers=headers)


def test_an_excursion_raises_one_alert_and_is_acknowledged(make, client, session):
    _, carrier, shipment = _setup(make)  # chilled: 0-4 °C
    headers = _token(client, carrier)
    temps = ["2.5", "2.6", "7.5", "9.1", "8.0", "6.2", "3.0", "2.8"]  # 40 min above 4 °C
    assert _post(client, shipment, headers, temps).status_code == 200
    assert _post(client, shipment, headers, temps).json["inserted"] == 0

    (alert,) = client.get(f"/api/v1/shipments/{shipment.id}/alerts", headers=headers).json
    assert alert["side"] == "above" and alert["extreme_c"] == "9.10"
    assert alert["acknowledged_at"] is None

    url = f"/api/v1/shipments/{shipment.id}/alerts/{alert['id']}/acknowledge"
    assert client.post(url, json={"comment": " "}, headers=headers).status_code == 422
    done = client.post(url, json={"comment": "车门未关严，已重新密封；货温已恢复"},
                       headers=headers)
    assert done.status_code == 200 and done.json["acknowledged_at"]
    assert client.post(url, json={"comment": "again"}, headers=headers).status_code == 409


def test_each_logger_is_judged_on_its_own_and_overlapping_spells_make_one_alert(
        make, client, session):
    _, carrier, shipment = _setup(make)
    headers = _token(client, carrier)
    # The front logger stays cold; the one by the doors, reading 5 minutes later each time,
    # is warm for 40 minutes. Taken together the series would never be out for 30 minutes.
    _post(client, shipment, headers, ["2.5"] * 8, sensor="front")
    _post(client, shipment, headers, ["2.6", "2.7", "7.5", "9.1", "8.0", "6.2", "3.0", "2.8"],
          sensor="doors", offset_min=5)
    (alert,) = client.get(f"/api/v1/shipments/{shipment.id}/alerts", headers=headers).json
    assert alert["side"] == "above" and alert["extreme_c"] == "9.10"
    # A third logger saw the same warm spell, longer and warmer: still one alert, widened.
    _post(client, shipment, headers, ["2.6", "6.0", "7.0", "9.8", "8.0", "6.2", "3.0", "2.8"],
          sensor="middle", offset_min=2)
    (wider,) = client.get(f"/api/v1/shipments/{shipment.id}/alerts", headers=headers).json
    assert wider["id"] == alert["id"] and wider["extreme_c"] == "9.80"
    assert wider["started_at"] < alert["started_at"]


def test_a_short_door_opening_raises_nothing_and_strangers_see_nothing(make, client):
    _, carrier, shipment = _setup(make)
    headers = _token(client, carrier)
    _post(client, shipment, headers, ["2.5", "6.0", "6.5", "3.0"])  # 20 min above
    assert client.get(f"/api/v1/shipments/{shipment.id}/alerts", headers=headers).json == []
    stranger = _token(client, make.user())
    assert client.get(f"/api/v1/shipments/{shipment.id}/alerts",
                      headers=stranger).status_code in (403, 404)


def test_carrier_acknowledges_from_the_phone_page(make, client, login, session):
    from tests.platform.page_helpers import element_html, text_of

    _, carrier, shipment = _setup(make)
    _post(client, shipment, _token(client, carrier),
          ["2.5", "7.5", "9.1", "8.0", "6.2", "3.0"])
    page = login(carrier)
    (alert,) = page.get(f"/api/v1/shipments/{shipment.id}/alerts").json
    listed = element_html(page.get("/carrier/shipments"), f"alert-{alert['id']}")
    assert "温度过高" in text_of(listed)

    empty = page.post(f"/carrier/shipments/{shipment.id}/alerts/{alert['id']}",
                      data={"comment": ""})
    assert empty.status_code == 422
    done = page.post(f"/carrier/shipments/{shipment.id}/alerts/{alert['id']}",
                     data={"comment": "已重新密封车门"}, follow_redirects=True)
    assert "已重新密封车门" in text_of(element_html(done, f"alert-{alert['id']}"))

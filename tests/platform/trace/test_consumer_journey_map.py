"""The scan page's journey map (issue 19): from the batch's county through the cold store to
the buyer's city, naming neither the farm nor the buyer; nothing before the batch ships."""

from __future__ import annotations

import json
import re

from freshcircle.platform.models import PlaceKind
from tests.platform.trace_helpers import path_of, printed_codes


def _map(page: str) -> dict | None:
    found = re.search(r'<script type="application/json" id="journey-map-data">(.*?)</script>',
                      page, re.S)
    return json.loads(found.group(1)) if found else None


def test_the_journey_map_goes_from_the_county_to_the_buyers_city(app, make, session, client):
    producer = make.producer(make.user())
    batch = make.batch(producer)
    store = make.new_place(name_zh="太和香椿冷库", producer=producer)
    buyer = make.new_place(name_zh="上海鲜达配送中心", kind=PlaceKind.BUYER_SITE,
                           latitude="31.112", longitude="121.381")
    make.shipment(lines=[(batch, 100_000)], from_place=store, to_place=buyer)
    uri = printed_codes(app, session, batch)[0]

    page = client.get(path_of(uri)).get_data(as_text=True)

    data = _map(page)
    assert [(p["name"], p["kind"]) for p in data["points"]] == [
        ("太和县", "farm"), ("太和香椿冷库", "store"), ("上海市", "city")]
    assert data["tiles"] is None and data["outlines"].startswith("/static/geo/yrd-outlines.json")
    shanghai = data["points"][-1]
    assert abs(shanghai["lat"] - 31.23) < 0.2 and abs(shanghai["lon"] - 121.47) < 0.2
    assert "上海鲜达配送中心" not in json.dumps(data, ensure_ascii=False)  # no buyer named
    scripts = re.findall(r'<script[^>]* src="([^"?]+)', page)
    assert [s for s in scripts if "leaflet" in s or "route-map" in s] == [
        "/static/leaflet/leaflet.js", "/static/route-map.js"]


def test_gcj02_tiles_get_the_points_moved_and_the_csp_lets_them_in(app, make, session, client,
                                                                  monkeypatch):
    monkeypatch.setitem(app.config, "MAP_TILES", "https://webrd0{s}.is.autonavi.com/appmaptile"
                        "?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}")
    monkeypatch.setitem(app.config, "MAP_SUBDOMAINS", "1234")
    batch = make.batch(make.producer(make.user()))
    make.shipment(lines=[(batch, 100_000)])
    uri = printed_codes(app, session, batch)[0]

    response = client.get(path_of(uri))
    data = _map(response.get_data(as_text=True))

    assert data["tiles"]["datum"] == "gcj02" and data["outlines"] is None
    policy = response.headers["Content-Security-Policy"]
    assert "img-src 'self' data: blob: https://webrd01.is.autonavi.com" in policy
    assert "script-src 'self';" in policy
    taihe = data["points"][0]
    assert taihe["name"] == "太和县" and 0.003 < abs(taihe["lon"] - 115.62) + abs(
        taihe["lat"] - 33.16) < 0.02  # moved a few hundred metres


def test_no_map_before_the_batch_ships(app, make, session, client):
    batch = make.batch(make.producer(make.user()))
    uri = printed_codes(app, session, batch)[0]

    page = client.get(path_of(uri)).get_data(as_text=True)

    assert _map(page) is None and "leaflet" not in page

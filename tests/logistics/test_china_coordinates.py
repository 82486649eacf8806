"""WGS-84 to GCJ-02 on known points: the offset 高德 and 腾讯 tiles are drawn in."""

from __future__ import annotations

import math

import pytest

from freshcircle.logistics.china_coordinates import converter, gcj02_to_wgs84, wgs84_to_gcj02


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    d_lat = math.radians(b[0] - a[0])
    d_lon = math.radians(b[1] - a[1]) * math.cos(math.radians(a[0]))
    return 6_371_000 * math.hypot(d_lat, d_lon)


# (WGS-84, GCJ-02): eviltransform's test points (Shanghai Pudong, Shenzhen, Beijing), and a
# point in Beijing with the GCJ-02 Amap's coordinate-conversion API returned for it.
KNOWN = [
    ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)),
    ((22.543847, 113.912316), (22.540796131694766, 113.9171764808363)),
    ((39.911954, 116.377817), (39.91334545536069, 116.38404722455657)),
    ((39.90734, 116.39089), (39.90874539, 116.39713623)),
]


@pytest.mark.parametrize(("wgs", "gcj"), KNOWN)
def test_wgs84_to_gcj02_matches_the_published_points(wgs, gcj):
    assert metres(wgs84_to_gcj02(*wgs), gcj) < 1.0
    assert 300 < metres(wgs, gcj) < 700  # the offset is hundreds of metres


def test_the_offset_in_fuyang_is_hundreds_of_metres_and_comes_back():
    fuyang = (32.9, 115.82)
    shifted = wgs84_to_gcj02(*fuyang)
    assert 300 < metres(fuyang, shifted) < 700
    assert metres(gcj02_to_wgs84(*shifted), fuyang) < 0.01


def test_outside_china_nothing_moves():
    assert wgs84_to_gcj02(48.8566, 2.3522) == (48.8566, 2.3522)
    assert gcj02_to_wgs84(-33.86, 151.21) == (-33.86, 151.21)


def test_the_datum_of_the_tiles_picks_the_conversion():
    assert converter("wgs84")(31.2, 121.4) == (31.2, 121.4)
    assert converter("gcj02")(31.2, 121.4) == wgs84_to_gcj02(31.2, 121.4)
    with pytest.raises(ValueError):
        converter("bd09")

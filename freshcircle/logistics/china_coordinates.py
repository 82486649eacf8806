"""WGS-84 to GCJ-02, the offset coordinates that 高德 (Amap) and 腾讯 (Tencent) maps draw in.

The platform stores WGS-84 (GPS, OpenStreetMap, 天地图's CGCS2000 within a metre or so). Tiles
from a GCJ-02 service sit a few hundred metres off those points, so what is drawn on them is
shifted the same way first. The formula is the one every open implementation uses (it was
recovered from the Android and Windows Phone map clients; no official publication exists):
the Krasovsky 1940 ellipsoid and a sinusoidal offset of the position. Points outside mainland
China's rough bounding box are left as they are, as the services do.
"""

from __future__ import annotations

import math
from collections.abc import Callable

A = 6378245.0  # Krasovsky 1940 semi-major axis, metres
EE = 0.00669342162296594323  # its first eccentricity squared


def outside_china(lat: float, lon: float) -> bool:
    """True outside the box the services apply the offset in."""
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _offset(lat: float, lon: float) -> tuple[float, float]:
    x, y = lon - 105.0, lat - 35.0
    d_lat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    d_lon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    waves = (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2 / 3
    d_lat += waves + (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2 / 3
    d_lat += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2 / 3
    d_lon += waves + (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2 / 3
    d_lon += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2 / 3
    rad = lat / 180.0 * math.pi
    magic = 1 - EE * math.sin(rad) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((A * (1 - EE)) / (magic * sqrt_magic) * math.pi)
    d_lon = (d_lon * 180.0) / (A / sqrt_magic * math.cos(rad) * math.pi)
    return d_lat, d_lon


def wgs84_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    """(lat, lon) in WGS-84 -> (lat, lon) in GCJ-02."""
    if outside_china(lat, lon):
        return lat, lon
    d_lat, d_lon = _offset(lat, lon)
    return lat + d_lat, lon + d_lon


def gcj02_to_wgs84(lat: float, lon: float) -> tuple[float, float]:
    """(lat, lon) in GCJ-02 -> WGS-84, by fixed-point iteration to under a millimetre
    (the forward offset changes slowly, so a few steps do)."""
    if outside_china(lat, lon):
        return lat, lon
    w_lat, w_lon = lat, lon
    for _ in range(30):
        g_lat, g_lon = wgs84_to_gcj02(w_lat, w_lon)
        e_lat, e_lon = g_lat - lat, g_lon - lon
        w_lat, w_lon = w_lat - e_lat, w_lon - e_lon
        if max(abs(e_lat), abs(e_lon)) < 1e-9:
            break
    return w_lat, w_lon


def converter(datum: str) -> Callable[[float, float], tuple[float, float]]:
    """The function that turns stored WGS-84 (lat, lon) into the tiles' datum: "gcj02" or
    "wgs84" (天地图, OpenStreetMap and the built-in outline map)."""
    if datum == "gcj02":
        return wgs84_to_gcj02
    if datum == "wgs84":
        return lambda lat, lon: (lat, lon)
    raise ValueError(f"unknown datum {datum!r}")

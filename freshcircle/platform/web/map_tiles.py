"""The maps' base layer, from FRESHCIRCLE_MAP_TILES, and what a page hands its map script.

FRESHCIRCLE_MAP_TILES is one of
- unset (the default): no tiles; the map draws the province and prefecture outlines shipped in
  static/geo/yrd-outlines.json (its README says where they come from);
- an OSM-compatible URL template (`https://tile.example.org/{z}/{x}/{y}.png`, `{s}` for
  subdomains listed in FRESHCIRCLE_MAP_SUBDOMAINS, `{-y}` for TMS rows as 腾讯 uses);
- `tianditu:KEY`: 天地图's vector map and its Chinese labels (Web Mercator), with the key.

The tiles' datum is FRESHCIRCLE_MAP_DATUM (`wgs84` or `gcj02`); unset, a 高德 (autonavi) or
腾讯 (map.qq.com, gtimg) host means GCJ-02 and anything else WGS-84 (天地图's CGCS2000 is within
a metre of it). Stored coordinates are WGS-84 and are moved to GCJ-02 before they are drawn on
GCJ-02 tiles (freshcircle.logistics.china_coordinates).
"""

from __future__ import annotations

import functools
from urllib.parse import urlsplit

from flask import current_app, url_for

from freshcircle.logistics.china_coordinates import converter

GCJ02_HOSTS = ("autonavi.com", "amap.com", "map.qq.com", "gtimg.com", "gtimg.cn")
TIANDITU = ("https://t{s}.tianditu.gov.cn/%s_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
            "&LAYER=%s&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}"
            "&TILECOL={x}&tk=%s")
ROUTE_COLORS = ("#1f7a3a", "#2b6cb0", "#c05621", "#6b46c1", "#0f766e", "#b83280", "#744210")


def tile_layers(config) -> dict | None:
    """The configured base layer: {"urls", "subdomains", "attribution", "datum"}, or None."""
    setting = (config.get("MAP_TILES") or "").strip()
    if not setting:
        return None
    if setting.startswith("tianditu:"):
        key = setting.removeprefix("tianditu:")
        urls = [TIANDITU % ("vec", "vec", key), TIANDITU % ("cva", "cva", key)]
        subdomains, attribution = "01234567", "天地图 © 国家地理信息公共服务平台"
    else:
        urls = [setting]
        subdomains = config.get("MAP_SUBDOMAINS") or "abc"
        attribution = config.get("MAP_ATTRIBUTION") or ""
    host = urlsplit(urls[0].replace("{s}", subdomains[0])).hostname or ""
    datum = config.get("MAP_DATUM") or (
        "gcj02" if any(host == h or host.endswith("." + h) for h in GCJ02_HOSTS) else "wgs84")
    return {"urls": urls, "subdomains": subdomains, "attribution": attribution, "datum": datum}


def image_origins(config) -> str:
    """The tiles' origins for the CSP's img-src ("" with no tiles)."""
    if not config.get("MAP_TILES"):
        return ""
    return _origins(config.get("MAP_TILES"), config.get("MAP_SUBDOMAINS"))


@functools.lru_cache(maxsize=8)
def _origins(tiles: str, subdomains: str | None) -> str:
    layers = tile_layers({"MAP_TILES": tiles, "MAP_SUBDOMAINS": subdomains})
    if layers is None:
        return ""
    origins = set()
    for url in layers["urls"]:
        for sub in layers["subdomains"]:
            parts = urlsplit(url.replace("{s}", sub))
            origins.add(f"{parts.scheme}://{parts.netloc}")
    return " ".join(sorted(origins))


class MapData:
    """Builds the JSON a map script draws: base layer, points moved to the tiles' datum."""

    def __init__(self) -> None:
        self.tiles = tile_layers(current_app.config)
        self.move = converter(self.tiles["datum"] if self.tiles else "wgs84")

    def point(self, lat, lon, **fields) -> dict:
        lat, lon = self.move(float(lat), float(lon))
        return {"lat": round(lat, 6), "lon": round(lon, 6), **fields}

    def base(self, **fields) -> dict:
        """The base layer and the outlines' URL (when there are no tiles), with `fields`."""
        outlines = (None if self.tiles else url_for("static", filename="geo/yrd-outlines.json"))
        return {"tiles": self.tiles, "outlines": outlines, **fields}

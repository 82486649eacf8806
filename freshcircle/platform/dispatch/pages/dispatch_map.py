"""The dispatch plan's map: routes drawn by pygal as an inline SVG, no map tiles.

Longitude on x and latitude on y (scaled by cos(latitude) so distances look right in the YRD),
the cold store and each route's stops in order as a line, with the YRD cities as grey dots for
orientation; works offline and on a 360 px phone. Each point's tooltip names the stop.
"""

from __future__ import annotations

import math

import pygal
from markupsafe import Markup, escape
from pygal.style import Style

from freshcircle.platform.web.charts import STYLE_OPTIONS, compact

ROUTE_COLORS = ("#1f7a3a", "#2b6cb0", "#c05621", "#6b46c1", "#0f766e", "#b83280", "#744210")
CITY_COLOR = "#bbbbbb"
DEPOT_COLOR = "#222222"


def plan_map_svg(result: dict, depot: tuple[float, float, str], cities: list[tuple],
                 *, title: str, store_label: str, route_label: str) -> Markup | None:
    routes = result.get("routes") or []
    if not routes:
        return None
    lat0 = math.radians(depot[0])
    colors = [ROUTE_COLORS[i % len(ROUTE_COLORS)] for i in range(len(routes))]
    style = Style(**STYLE_OPTIONS, colors=(CITY_COLOR, DEPOT_COLOR, *colors))
    chart = pygal.XY(width=360, height=360, style=style, js=(), disable_xml_declaration=True,
                     show_x_labels=False, show_y_labels=False, show_x_guides=False,
                     show_y_guides=False, legend_at_bottom=True, legend_box_size=12,
                     truncate_legend=-1, margin=6, spacing=6, explicit_size=False,
                     dots_size=4, stroke_style={"width": 2.5}, print_labels=False,
                     print_values=False)

    def xy(lat: float, lon: float) -> tuple[float, float]:
        return lon * math.cos(lat0), lat

    def point(lat: float, lon: float, label: str) -> dict:
        return {"value": xy(lat, lon), "label": label}

    chart.add(None, [point(lat, lon, name) for lat, lon, name in cities], stroke=False,
              dots_size=2, show_in_legend=False, print_labels=False)
    chart.add(store_label, [point(depot[0], depot[1], depot[2])], stroke=False, dots_size=6)
    for route in routes:
        stops = [point(depot[0], depot[1], depot[2])] + [
            point(s["lat"], s["lon"], f"{n}. {s['site_zh']}")
            for n, s in enumerate(route["stops"], start=1)]
        chart.add(f"{route_label} {route['no']} {route['plate']}", stops, print_labels=True)
    compact(chart, repr((routes, depot, cities, title, store_label, route_label)))
    svg = chart.render(is_unicode=True).replace(
        "<title>Pygal</title>", f"<title>{escape(title)}</title>", 1)
    return Markup(svg)

"""The cold-chain chart on the consumer page: an inline SVG drawn by pygal on the server.

No script and no web font: the SVG scales to the card's width (360 px phones included) and
the page stays one request. The allowed band is drawn as two dashed lines, readings as a line,
and readings outside the band as red dots.

Drawing takes pygal tens of milliseconds, most of a scan page's time, while a shipment's
readings change rarely next to how often its packs are scanned. So each process keeps the
last CHART_CACHE_SIZE charts, keyed by everything drawn (every reading, the band and the
labels): a new reading, a changed band or another language is another key, never a stale chart.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import pygal
from markupsafe import Markup, escape
from pygal.style import Style

from freshcircle.platform.core.services.clock import CHINA
from freshcircle.platform.trace.services.consumer_story import ColdChain
from freshcircle.platform.web.charts import STYLE_OPTIONS, compact

SENSOR_COLORS = ("#1f7a3a", "#2b6cb0", "#6b46c1", "#0f766e", "#4a5568")
BAND_COLOR, OUTSIDE_COLOR = "#d97706", "#c53030"
CHART_CACHE_SIZE = 256  # about 25 KB each: a few MB per worker process at most


def cold_chain_svg(chain: ColdChain, *, readings_label: str, band_label: str,
                   excursion_label: str) -> Markup | None:
    """The chart as inline SVG markup, or None when there is nothing to draw."""
    if not chain.readings:
        return None
    return _chart(tuple(chain.readings), tuple(chain.band), str(readings_label),
                  str(band_label), str(excursion_label))


@lru_cache(maxsize=CHART_CACHE_SIZE)
def _chart(readings: tuple, band: tuple, readings_label: str, band_label: str,
           excursion_label: str) -> Markup:
    """Draw one chart; the arguments are the whole input, so they are the cache key."""
    low, high = (float(v) if v is not None else None for v in band)  # None: an open end
    first, last = readings[0][0], readings[-1][0]
    values = [float(c) for _, c, _ in readings]
    ends = [v for v in (low, high) if v is not None]
    short = last - first < dt.timedelta(hours=20)
    x_format = "%H:%M" if short else "%m-%d"
    sensors: dict[str, list] = {}
    for at, celsius, sensor in readings:
        sensors.setdefault(sensor, []).append((at, float(celsius)))
    colors = [SENSOR_COLORS[i % len(SENSOR_COLORS)] for i in range(len(sensors))]
    style = Style(**STYLE_OPTIONS, colors=(*colors, *(BAND_COLOR for _ in ends), OUTSIDE_COLOR))
    chart = pygal.DateTimeLine(
        width=360, height=240, style=style, js=(), disable_xml_declaration=True,
        show_dots=False, stroke_style={"width": 2.5}, show_y_guides=False,
        legend_at_bottom=True, legend_box_size=12,
        truncate_legend=-1, truncate_label=-1, x_label_rotation=0, show_minor_x_labels=False,
        x_labels_major_count=4,
        margin=6, spacing=8, explicit_size=False, dynamic_print_values=False,
        x_value_formatter=lambda d: d.astimezone(CHINA).strftime(x_format),
        value_formatter=lambda v: f"{v:.1f} °C",
        range=(min([*ends, *values]) - 1, max([*ends, *values]) + 1),
    )
    for sensor, points in sensors.items():  # one line per logger, never zig-zag between two
        chart.add(readings_label if len(sensors) == 1 else f"{readings_label} {sensor}", points)
    dashed = {"width": 2, "dasharray": "8, 4"}
    for n, end in enumerate(ends):
        chart.add(band_label if n == 0 else None, [(first, end), (last, end)],
                  stroke_style=dashed, show_in_legend=n == 0)
    outside = [(at, float(c)) for at, c, _ in readings
               if (high is not None and float(c) > high) or (low is not None and float(c) < low)]
    if outside:
        chart.add(excursion_label, outside, stroke=False, show_dots=True, dots_size=3)
    compact(chart, repr((readings, band, readings_label, band_label, excursion_label)))
    svg = chart.render(is_unicode=True).replace(
        "<title>Pygal</title>", f"<title>{escape(readings_label)}</title>", 1
    )
    return Markup(svg)

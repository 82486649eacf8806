"""The look every server-drawn chart shares (pygal): the scan page's cold-chain chart and the
supply forecast's; and `compact`, which makes the same drawing a smaller SVG. (The maps are
Leaflet's: static/route-map.js.)"""

from __future__ import annotations

import hashlib
import re

STYLE_OPTIONS = dict(
    background="white",
    plot_background="white",
    foreground="#333",
    foreground_strong="#222",
    foreground_subtle="#ddd",
    font_family="system-ui, 'PingFang SC', 'Noto Sans CJK SC', sans-serif",
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=13,
    value_font_size=12,
    tooltip_font_size=12,
    stroke_opacity=1,
)
# Attributes that hold coordinates or lengths in the chart's 360-unit-wide view box.
GEOMETRY = frozenset({"d", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "width",
                      "height", "transform", "points"})
_LONG_DECIMAL = re.compile(r"-?\d+\.\d\d+")


def compact(chart, key: str) -> None:
    """Draw `chart` as a smaller SVG that looks the same.

    pygal scopes each of its ~100 style rules with the chart's random 36-character id and writes
    coordinates with up to 15 decimals: together about a third of a scan page. The id becomes
    a short hash of `key` (what is drawn: one id per drawing, so still unique on a page of
    different charts) and coordinates keep one decimal, a tenth of a unit in a 360-unit box,
    well under a pixel on any screen."""
    chart.uuid = hashlib.blake2s(key.encode(), digest_size=4).hexdigest()
    chart.add_xml_filter(_round_geometry)


def _round_geometry(root):
    for element in root.iter():
        for name, value in element.attrib.items():
            if name in GEOMETRY:
                element.set(name, _LONG_DECIMAL.sub(_one_decimal, value))
    return root


def _one_decimal(number: re.Match) -> str:
    return f"{float(number[0]):.1f}"

"""A product's supply forecast as an inline SVG (pygal, drawn on the server): expected 斤 per
week as a line, the 80 % band as two dashed lines. No script; it scales to a 360 px phone."""

from __future__ import annotations

from functools import lru_cache

import pygal
from markupsafe import Markup, escape
from pygal.style import Style

from freshcircle.platform.plantings.services.supply_forecast import ProductSupply
from freshcircle.platform.web.charts import STYLE_OPTIONS, compact

EXPECTED_COLOR, BAND_COLOR = "#1f7a3a", "#d97706"


def supply_chart_svg(supply: ProductSupply, *, title: str, expected_label: str,
                     band_label: str) -> Markup:
    weeks = tuple((w.week, round(w.expected_jin), round(w.low_jin), round(w.high_jin))
                  for w in supply.weeks)
    return _chart(weeks, str(title), str(expected_label), str(band_label))


@lru_cache(maxsize=128)
def _chart(weeks: tuple, title: str, expected_label: str, band_label: str) -> Markup:
    """Draw one chart; the arguments are the whole input, so they are the cache key."""
    style = Style(**STYLE_OPTIONS, colors=(EXPECTED_COLOR, BAND_COLOR, BAND_COLOR))
    chart = pygal.Line(
        width=360, height=220, style=style, js=(), disable_xml_declaration=True,
        legend_at_bottom=True, legend_box_size=12, truncate_legend=-1, truncate_label=-1,
        show_y_guides=True, x_label_rotation=0, show_minor_x_labels=False,
        x_labels_major_every=3, margin=6, spacing=8, explicit_size=False, dots_size=3,
        stroke_style={"width": 2.5}, value_formatter=lambda v: f"{v:,.0f} 斤",
        include_x_axis=True, show_minor_y_labels=False, y_labels_major_count=5,
    )
    chart.x_labels = [f"{week:%m-%d}" for week, *_ in weeks]
    chart.add(expected_label, [expected for _, expected, _, _ in weeks])
    dashed = {"width": 2, "dasharray": "6, 3"}
    chart.add(band_label, [high for *_, high in weeks], stroke_style=dashed, show_dots=False)
    chart.add(None, [low for _, _, low, _ in weeks], stroke_style=dashed, show_dots=False,
              show_in_legend=False)
    compact(chart, repr((weeks, title, expected_label, band_label)))
    svg = chart.render(is_unicode=True).replace("<title>Pygal</title>",
                                                f"<title>{escape(title)}</title>", 1)
    return Markup(svg)

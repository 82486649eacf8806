"""The look every server-drawn chart shares (pygal): the scan page's cold-chain chart and the
dispatch plan's route map."""

from __future__ import annotations

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

"""The scan page's small journey map: the batch's way from its county to its buyer's city
(trace/services/journey_map.py), for static/route-map.js to draw with Leaflet."""

from __future__ import annotations

from flask_babel import get_locale

from freshcircle.platform.extensions import db
from freshcircle.platform.trace.services.journey_map import journey_points
from freshcircle.platform.web.map_tiles import MapData


def journey_map(story) -> dict | None:
    """None until the batch has shipped somewhere (a map of one point says nothing)."""
    points = journey_points(db.session, story.producer, story.legs)
    if len(points) < 2:
        return None
    zh = str(get_locale() or "zh") == "zh"
    data = MapData()
    return data.base(points=[data.point(p.lat, p.lon, name=p.name_zh if zh else p.name_en,
                                        kind=p.kind) for p in points], labels={})

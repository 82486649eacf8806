"""The data the dispatch maps draw (static/route-map.js with Leaflet): the plan's routes, one
driver's route, on the configured tiles or the shipped outlines with the served cities' names.

Each route in its own colour from the cold store along its stops in order; a stop carries its
number, site, arrival and unload times; a leg the driver takes legal rests on carries their
count (drawn half way along it: the plan knows how many rests, not where).
"""

from __future__ import annotations

import datetime as dt

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from freshcircle.platform.extensions import db
from freshcircle.platform.models import Place, PlaceKind
from freshcircle.platform.web.map_tiles import ROUTE_COLORS, MapData


def _hhmm(moment: dt.datetime | str | None) -> str | None:
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    return moment.strftime("%H:%M")


def labels() -> dict:
    """The words the map script shows, in the page's language."""
    return {"depot": _("Cold store"), "truck": _("Truck"), "arrives": _("arrives"),
            "unloads": _("unloads"), "rests": _("Legal rests on this leg: %(n)s × 20 min"),
            "rest": _("Rest"), "map": _("Route map")}


def city_points(data: MapData) -> list[dict]:
    """The cities' names in the page's language."""
    name = Place.name_zh if str(get_locale()) == "zh" else Place.name_en
    rows = db.session.execute(select(Place.latitude, Place.longitude, name).where(
        Place.kind == PlaceKind.CITY).order_by(Place.name_zh)).all()
    return [data.point(lat, lon, name=name) for lat, lon, name in rows]


def _route(data: MapData, index: int, no, plate: str, depot: dict, stops: list[dict]) -> dict:
    return {"no": no, "plate": plate, "color": ROUTE_COLORS[index % len(ROUTE_COLORS)],
            "depot": depot, "stops": stops}


def plan_map(result: dict, depot: Place, locale: str) -> dict | None:
    """Every truck of a finished plan, or None when it has no routes."""
    routes = result.get("routes") or []
    if not routes:
        return None
    data = MapData()
    start = data.point(depot.latitude, depot.longitude,
                       name=depot.name_zh if locale == "zh" else depot.name_en)
    drawn = [_route(data, i, r["no"], r["plate"], start, [
        data.point(s["lat"], s["lon"], n=n, rests=s.get("rests") or 0,
                   name=s["site_zh"] if locale == "zh" else s["site_en"],
                   arrival=_hhmm(s["arrival"]), unload=_hhmm(s["start"]))
        for n, s in enumerate(r["stops"], start=1)]) for i, r in enumerate(routes)]
    return data.base(routes=drawn, cities=city_points(data), labels=labels())


def driver_map(route, place_label) -> dict | None:
    """One driver's route (fleet.Route: shipments in stop order) for the driver's page."""
    if not route.stops:
        return None
    data = MapData()
    home = route.stops[0].from_place
    start = data.point(home.latitude, home.longitude, name=place_label(home))
    stops = [data.point(s.to_place.latitude, s.to_place.longitude, n=s.stop_no or n,
                        name=place_label(s.to_place), arrival=_hhmm(s.planned_arrival), rests=0)
             for n, s in enumerate(route.stops, start=1)]
    drawn = [_route(data, 0, route.route_no or 1, route.plate or "", start, stops)]
    return data.base(routes=drawn, cities=city_points(data), labels=labels())

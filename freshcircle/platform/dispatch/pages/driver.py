"""今日路线: the phone page a driver opens in the morning.

The driver's stops for a dispatch day (today in China time; a switch for yesterday and
tomorrow), by route and stop order, each route on a map (dispatch_map.py): where (with a geo:
link for the phone's map app), when the site receives, when the truck is due, and what to
unload from which compartment.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, render_template, request

from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.dispatch.pages.dispatch_map import driver_map
from freshcircle.platform.dispatch.pages.fleet import TEMP_CLASS_LABELS
from freshcircle.platform.dispatch.services import fleet
from freshcircle.platform.extensions import db
from freshcircle.platform.models import Role
from freshcircle.platform.web.pages import actor, place_label, roles_required

bp = Blueprint("driver_pages", __name__, url_prefix="/driver")


def _day() -> tuple[dt.date, dt.date]:
    """(the day asked for with ?day=YYYY-MM-DD, today); a bad date shows today."""
    today = today_in_china()
    try:
        return dt.date.fromisoformat(request.args.get("day", "")), today
    except ValueError:
        return today, today


@bp.get("")
@roles_required(Role.CARRIER)
def index():
    day, today = _day()
    routes = fleet.driver_day(db.session, actor(), day)
    maps = [driver_map(route, place_label) for route in routes]
    return render_template("dispatch/driver/day.html", day=day, today=today, routes=routes,
                           maps=maps, one_day=dt.timedelta(days=1),
                           temp_classes=TEMP_CLASS_LABELS)

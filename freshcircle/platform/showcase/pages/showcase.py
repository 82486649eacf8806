"""阜阳好物: the public showcase (no sign-in). Home, each county, each regional brand, each
producer's public profile; listings without prices ("sign in to see wholesale prices").

Every page is a `web.http_cache.public_page`: ETag/Last-Modified from the showcase's data
version, 304s, shared caching for a short time, gzip made once per version.
"""

from __future__ import annotations

import time

from babel.dates import get_month_names
from flask import Blueprint, Flask, current_app, render_template
from flask_babel import get_locale

from freshcircle.platform.extensions import db
from freshcircle.platform.showcase.services import catalog, data_version
from freshcircle.platform.web.front_cache import FrontCache
from freshcircle.platform.web.http_cache import Freshness, PageCache, public_page

bp = Blueprint("showcase", __name__, url_prefix="/haowu")
pages = PageCache()


def _version():
    ttl = current_app.config["SHOWCASE_VERSION_SECONDS"]
    version = data_version.current(db.session, ttl)
    if ttl > 0:
        current_app.extensions["showcase_version"] = (version.read_at, version.tag)
    return version.tag, version.changed_at


def init_app(app: Flask) -> None:
    """Put the front cache (web/front_cache.py) before the app for the showcase's pages:
    replays to cookie-less visitors while the version they were rendered at is current."""

    def current_tag() -> str | None:
        seen = app.extensions.get("showcase_version")
        ttl = app.config["SHOWCASE_VERSION_SECONDS"]
        if seen is None or time.monotonic() - seen[0] >= ttl:
            return None
        return seen[1]

    app.wsgi_app = FrontCache(  # type: ignore[method-assign]
        app.wsgi_app, current_tag, lambda path: path == "/" or path.startswith("/haowu/"))


def _freshness() -> Freshness:
    config = current_app.config
    return Freshness(config["SHOWCASE_MAX_AGE"],
                     config["SHOWCASE_STALE_WHILE_REVALIDATE"])


showcase_page = public_page(_version, pages, _freshness)


@bp.context_processor
def _month_names():
    return {"month_names": get_month_names("abbreviated", locale=str(get_locale()))}


@bp.get("/")
@showcase_page
def index():
    """阜阳好物 home: the counties, the region's brands, the latest listings."""
    return render_template("showcase/home.html", page=catalog.home(db.session))


@bp.get("/counties/<county_code>")
@showcase_page
def county(county_code: str):
    return render_template("showcase/county.html",
                           page=catalog.county_page(db.session, county_code))


@bp.get("/brands/<brand>")
@showcase_page
def brand(brand: str):
    return render_template("showcase/brand.html", page=catalog.brand_page(db.session, brand))


@bp.get("/producers/<int:producer_id>")
@showcase_page
def producer(producer_id: int):
    return render_template("showcase/producer.html",
                           page=catalog.producer_profile(db.session, producer_id))

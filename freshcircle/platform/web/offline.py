"""The farmer app on the home screen and in a dead zone (离线): its web app manifest, its
service worker, the page shown for what needs a network, and which pages it may keep.

How it fits together (README, "Offline farmer app"):
- `/manifest.webmanifest` makes 鲜链圈 installable (start URL 我的批次, standalone);
- `/sw.js` is `static/offline/sw.js` with this release's name and app-shell URLs put in front;
  a new release is a new name, so the phone installs it, takes over at once and drops the old
  shell (the outbox lives in IndexedDB, which no release touches);
- the pages in OFFLINE_PAGES, shown to a farm member, carry `X-Offline-User: <user id>`; the
  service worker keeps only such responses, and shows them offline only to that user;
- `static/offline/app.js` (only on farm members' pages) keeps the outbox and syncs it to the
  API with one Idempotency-Key per record.
"""

from __future__ import annotations

import json
from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, g, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from freshcircle.platform.static_assets import folder_hash
from freshcircle.platform.web.offline_strings import strings_for_pages
from freshcircle.platform.web.pages import FARM_ROLES

bp = Blueprint("offline", __name__)

OFFLINE_USER_HEADER = "X-Offline-User"

# Farmer pages the phone may keep and show offline (their forms queue to the outbox).
OFFLINE_PAGES = frozenset({
    "home.index",                 # 我的批次
    "batch_pages.new",            # 登记新批次
    "batch_pages.detail",
    "record_pages.inputs",        # 投入品记录
    "record_pages.new_input",
    "record_pages.new_test",      # 快速检测
    "lot_pages.lots",             # 拆分 / 合并
})

# What the service worker stores when it installs: every page's style and scripts, the
# offline page, the icons. Pages and data are kept as the farmer opens them.
SHELL_FILES = (
    "app.css", "photo.js", "weight-units.js",
    "offline/app.js", "offline/outbox.js", "offline/records.js", "offline/sync.js",
    "offline/data.js", "offline/safety.js",
    "offline/vendor/idb-keyval.js",
)
ICONS = (("icons/icon-192.png", "192x192", "any"), ("icons/icon-512.png", "512x512", "any"),
         ("icons/maskable-512.png", "512x512", "maskable"))


def release() -> str:
    """This release of the app shell: changes whenever any static file does."""
    return folder_hash(current_app.static_folder, "")


def shell_urls() -> list[str]:
    return [url_for("offline.page"), *(url_for("static", filename=name) for name in SHELL_FILES)]


@bp.get("/sw.js")
def service_worker():
    """The service worker, served from the root so that it may look after every page."""
    source = Path(current_app.static_folder, "offline", "sw.js").read_text(encoding="utf-8")
    prelude = (f"const RELEASE = {json.dumps(release())};\n"
               f"const SHELL = {json.dumps(shell_urls())};\n"
               f"const OFFLINE_URL = {json.dumps(url_for('offline.page'))};\n"
               f"const USER_HEADER = {json.dumps(OFFLINE_USER_HEADER)};\n")
    response = Response(prelude + source, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"  # a new release is found on the next visit
    g.worker_script = True  # security.py: a worker's own policy lets it fetch from us
    return response


@bp.get("/manifest.webmanifest")
def manifest():
    icons = [{"src": url_for("static", filename=name), "sizes": sizes, "type": "image/png",
              "purpose": purpose} for name, sizes, purpose in ICONS]
    data = {
        "id": "/",
        "name": _("FreshCircle"),
        "short_name": _("FreshCircle"),
        "description": _("Farm records, traceability labels and the market for Fuyang's "
                         "produce."),
        "lang": "zh-CN" if str(get_locale()) == "zh" else "en",
        "start_url": url_for("home.index"),
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": "#1f7a3a",
        "icons": icons,
    }
    response = Response(json.dumps(data, ensure_ascii=False), mimetype="application/manifest+json")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/offline")
def page():
    """What the phone shows for a page it does not keep, with no network."""
    return render_template("offline.html")


def offline_app_enabled() -> bool:
    """The offline app runs on the pages of farm members (who record in the field)."""
    return (current_user.is_authenticated and not current_user.must_set_password
            and current_user.role in FARM_ROLES)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.add_template_global(offline_app_enabled, "offline_app_enabled")
    app.add_template_global(strings_for_pages, "offline_strings")

    @app.after_request
    def _mark_kept_pages(response):
        if (response.status_code == 200 and response.mimetype == "text/html"
                and request.endpoint in OFFLINE_PAGES and offline_app_enabled()):
            response.headers[OFFLINE_USER_HEADER] = str(current_user.id)
            response.headers["Cache-Control"] = "private, no-cache"
        return response


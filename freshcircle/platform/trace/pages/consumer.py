"""The consumer scan page and GS1 resolver, served at the Digital Link path itself.

`https://{TRACE_DOMAIN}/01/{gtin}[/22/{cpv}][/10/{lot}][/21/{serial}]?...` is what the QR
holds; a plain GET answers with the page (the default link). `linkType` picks another link
(302 with the query passed on), `linkType=linkset` or `Accept: application/linkset+json` lists
them (RFC 9264), a malformed URI is a 400 (DOMAIN.md section 2). No sign-in; every page view
logs one scan: a row, or with FRESHCIRCLE_REDIS_URL an entry in the Redis stream that
`flask scan-writer` stores (trace/services/scan_stream.py). With Redis, most scans never reach
this module: trace/pages/scan_front.py answers them with a page this module rendered.

The batch's story (everything below the verdict) is rendered once per batch, GTIN, language
and China date, and kept for SCAN_STORY_CACHE_SECONDS in a small per-process cache: most scans
of a popular batch then cost the resolve query, the scan row and the copied-code query. The
verdict, the recall or hold banner and the copied-code warning are worked out on every view,
and the batch's status, status reason and `updated_at` (loaded by the resolve query anyway)
are part of the cache key, so a hold, a recall or an edit of the batch shows on the next view.
trace/services/consumer_story.py says what may be up to that many seconds old, and why that is fine.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from flask import (
    Blueprint,
    current_app,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
)
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from werkzeug.routing import PathConverter

from freshcircle.platform.core.services import files as file_service
from freshcircle.platform.extensions import db
from freshcircle.platform.security import csp_nonce
from freshcircle.platform.trace.pages import scan_front
from freshcircle.platform.trace.pages.story_html import story_html
from freshcircle.platform.trace.services import consumer_story, scan_verdict, scans
from freshcircle.platform.trace.services.consumer_story import CodeState, Resolution
from freshcircle.platform.trace.services.scan_verdict import scan_redis
from freshcircle.platform.transactions import write_lock_first
from freshcircle.traceability.digital_link import DigitalLink, DigitalLinkError, parse_digital_link

bp = Blueprint("trace", __name__)


class CodePathConverter(PathConverter):
    """The rest of a Digital Link path, empty segments included ("/01//0952..." is a code with
    an empty GTIN, which the parser refuses with a 400, not a path no route matches)."""

    regex = ".*"
    part_isolating = False  # spans "/" (werkzeug infers True from a regex without one)


bp.record_once(lambda state: state.app.url_map.converters.setdefault("code_path",
                                                                      CodePathConverter))

LINKSET_TYPE = scan_front.LINKSET_TYPE
GS1_VOC = "https://gs1.org/voc/"
LANGUAGES = ("zh", "en")
HREFLANG = {"zh": "zh-CN", "en": "en"}
LINK_TITLES = {
    "gs1:traceability": _l("Traceability: where and how this was grown and shipped"),
    "gs1:pip": _l("Product information"),
    "gs1:certificationInfo": _l("Certifications"),
    "gs1:epcis": _l("EPCIS events for this lot"),
}
ALLOW = "GET, HEAD, OPTIONS"
PHOTO_PX = 480  # the batch photo across a phone's card on a 2x-3x screen
@bp.after_request
def _cors(response):
    """Any site or app may read resolver answers (GS1 resolvers are public and CORS-open)."""
    if request.path.startswith(("/01/", "/.well-known/gs1resolver")):
        response.headers["Access-Control-Allow-Origin"] = "*"
        if request.method == "OPTIONS":  # a preflight: what the real request may use
            response.headers["Access-Control-Allow-Methods"] = ALLOW
            response.headers["Access-Control-Allow-Headers"] = "Accept, Accept-Language"
        response.headers["Access-Control-Expose-Headers"] = "Link, Location, Content-Language"
        response.vary.add("Accept")
        response.vary.add("Accept-Language")
    return response


def _raw_path() -> str:
    return scan_front.raw_path(request.environ, request.path)


def _scanned_uri() -> str:
    return scan_front.scanned_uri(request.environ, request.path,
                                  current_app.config["TRACE_DOMAIN"])


def _wants_linkset() -> bool:
    if request.args.get("linkType") == "linkset":
        return True
    return scan_front.wants_linkset(request.accept_mimetypes)


def _link_language() -> str:
    """?lang, then the language chosen with the switch, then Accept-Language; Chinese first."""
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES) or "zh"


def _passthrough(extra: dict[str, str] | None = None) -> str:
    """The scanned query without `linkType` (and `lang` when a language is added)."""
    pairs = [p for p in request.query_string.decode("latin-1").split("&") if p]
    skip = {"linkType", *(extra or {})}
    kept = [p for p in pairs if p.partition("=")[0] not in skip]
    if extra:
        kept.append(urlencode(extra))
    return "?" + "&".join(kept) if kept else ""


def _links(resolution: Resolution) -> dict[str, str]:
    """linkType -> target path for this code (what the resolver has; others are 404)."""
    link = resolution.link
    path = _raw_path()
    links = {"gs1:traceability": path}
    if resolution.product is not None:
        links["gs1:pip"] = f"/01/{link.gtin}"
    if resolution.shows_story:
        links["gs1:certificationInfo"] = path + "#certifications"
        links["gs1:epcis"] = "/api/v1/epcis/events?" + urlencode(
            {"lot": link.lot, "gtin": link.gtin}
        )
    return links


def _target(href: str, language: str, *, passthrough: bool = True) -> str:
    """`href` with the scanned query passed on, and lang=en when English was negotiated."""
    base, _, fragment = href.partition("#")
    extra = {"lang": language} if language != "zh" and "lang" not in request.args else None
    if "?" in base:  # the EPCIS query URL carries its own parameters
        query = _passthrough(extra)[1:] if passthrough else ""
        base = base + ("&" + query if query else "")
    elif passthrough:
        base += _passthrough(extra)
    return base + (f"#{fragment}" if fragment else "")


def _linkset(resolution: Resolution):
    root = request.host_url.rstrip("/")
    entry: dict[str, object] = {"anchor": resolution.link.to_uri()}
    links = _links(resolution)
    for link_type, href in links.items():
        targets = []
        for language in LANGUAGES:
            with force_locale(language):
                title = str(LINK_TITLES[link_type])
            targets.append({
                "href": root + _target(href, language, passthrough=False),
                "title": title,
                "type": "application/json" if link_type == "gs1:epcis" else "text/html",
                "hreflang": [HREFLANG[language]],
            })
        entry[GS1_VOC + link_type.split(":", 1)[1]] = targets
    entry[GS1_VOC + "defaultLink"] = entry[GS1_VOC + "traceability"]
    response = make_response(jsonify({"linkset": [entry]}))
    response.content_type = LINKSET_TYPE
    return response


def _bad_link(error: DigitalLinkError):
    if _wants_linkset():
        response = jsonify({"code": 400, "error": error.code, "message": str(error)})
        return response, 400
    message = _("This code is not a valid GS1 Digital Link: %(reason)s", reason=str(error))
    return render_template("trace/bad_link.html", message=message, reason=error.code), 400


# merge_slashes=False: "/01//09520123456788" is a malformed code (400), not a redirect.
def _unknown_key():
    """A GTIN FreshCircle never assigned: 404 for every media type, in the type asked for
    (a linkset or JSON client gets JSON). A plain view gets the page, which says so."""
    message = _("FreshCircle did not assign this product code.")
    if _wants_linkset():
        return jsonify({"code": 404, "error": "unknown_key", "message": message}), 404
    return render_template("error.html", code=404, message=message), 404


@bp.route("/01/<code_path:keys>", methods=["GET", "OPTIONS"],
          provide_automatic_options=False, merge_slashes=False)
@write_lock_first  # every page view appends a scan row
def resolve(keys: str):
    """A scanned code: the page, another link (linkType), or the linkset."""
    if request.method == "OPTIONS":
        response = make_response("", 204)
        response.headers["Allow"] = ALLOW
        return response
    try:
        link: DigitalLink = parse_digital_link(_scanned_uri())
    except DigitalLinkError as error:
        return _bad_link(error)
    settings = current_app.extensions["trace_settings"]
    resolution = consumer_story.resolve_code(db.session, settings, link)
    link_type = request.args.get("linkType")
    if resolution.state is CodeState.UNKNOWN and (_wants_linkset() or link_type):
        return _unknown_key()
    if _wants_linkset():
        return _linkset(resolution)
    if link_type:
        href = _links(resolution).get(link_type)
        if href is None:
            message = _("This code has no link of the type %(type)s.", type=link_type)
            return render_template("error.html", code=404, message=message), 404
        return redirect(_target(href, _link_language()), 302)
    return _page(resolution)


def _page(resolution: Resolution):
    now = dt.datetime.now(dt.UTC)
    front = scan_front.front()
    ticket: scan_front.Ticket | None = request.environ.get(scan_front.TICKET)
    verdict = scan_verdict.judge_scan(
        db.session, resolution, now=now,
        rule=scans.CopyRule.from_config(current_app.config),
        network=scans.network_hash(request.remote_addr, current_app.config["SECRET_KEY"]),
        viewer=current_user if current_user.is_authenticated else None,
        counted=request.method == "GET", redis=scan_redis(),
        logged=ticket is not None, suspicion=ticket.suspicion if ticket else None,
        on_recovery=front.pages.clear if front is not None else None,
        unanswered=request.environ.get(scan_front.UNANSWERED),
    )
    batch, link = resolution.batch, resolution.link
    if front is not None and verdict.shows_story and link.lot is not None:
        front.remember(link.gtin, link.lot, batch.id, batch.serials_issued)
    story = (story_html(resolution, now, ticket.version if ticket else None)
             if verdict.shows_story else None)
    keep = ticket is not None and ticket.scan.batch_id == (batch.id if batch else None)
    if keep:
        g.page_path_slot = scan_front.PATH_SLOT
    html = render_template(
        "trace/scan.html", resolution=resolution, state=verdict.state.value,
        link=link, product=resolution.product, story=story,
        shown_serial=scan_front.SERIAL_SLOT if keep else link.serial,
        suspicion=verdict.suspicion, warning=verdict.warning,
        warning_reason=verdict.warning_reason,
    )
    nonce = csp_nonce()  # the story keeps a slot for it (story_html)
    if keep:
        ticket.parts = scan_front.split_page(html.replace(nonce, scan_front.NONCE_SLOT))
        ticket.nonce = nonce
        html = scan_front.fill_page(ticket.parts, link.serial, request.full_path, nonce)
    else:
        html = html.replace(scan_front.NONCE_SLOT, nonce)
    response = make_response(html, verdict.http_status)
    response.headers["Cache-Control"] = "no-store"  # every view is a scan to count
    response.headers["Content-Language"] = "en" if str(get_locale()) == "en" else "zh-CN"
    response.headers["Link"] = scan_front.linkset_header(_raw_path(), LINKSET_TYPE)
    return response


@bp.app_template_filter("plain_claims")
def plain_claims(html: str, calm: bool) -> Markup:
    """A story section with its green claims stated plainly (no tick, no green) when `calm`:
    on a recalled or held batch nothing on the page may read as an all-clear beside the recall.
    Used around sections whose wording other code owns (the safety claim)."""
    html = Markup(html)
    if not calm:
        return html
    return Markup(str(html).replace('class="ok-note">✔ ', 'class="claim">')
                  .replace("✔", "").replace(" badge-ok", ""))


@bp.get("/trace/photos/<int:photo_id>")
def batch_photo(photo_id: int):
    """The farmer's photo of a batch, for its public consumer page (no sign-in); only photos
    of batches that have a consumer page (`consumer_story.public_photo`)."""
    stored = consumer_story.public_photo(db.session, photo_id)
    etag = f"{stored.sha256}-{PHOTO_PX}"
    if etag in request.if_none_match:
        response = make_response("", 304)
    else:
        small = file_service.thumbnail(stored, PHOTO_PX)
        response = make_response(small or file_service.content_bytes(stored))
        response.mimetype = "image/jpeg" if small else stored.content_type
    response.set_etag(etag)
    # Public and unchanging, like the page's static files, but a recall must not linger a year.
    response.headers["Cache-Control"] = "public, max-age=86400"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/.well-known/gs1resolver", methods=["GET", "OPTIONS"],
          provide_automatic_options=False)
def resolver_description():
    """The resolver description file (GS1-Conformant Resolver standard)."""
    if request.method == "OPTIONS":
        response = make_response("", 204)
        response.headers["Allow"] = ALLOW
        return response
    domain = current_app.config["TRACE_DOMAIN"]
    return jsonify({
        "name": "FreshCircle 鲜链圈",
        "resolverRoot": f"https://{domain}",
        "supportedPrimaryKeys": ["01"],
        "supportedQualifiers": ["22", "10", "21"],
        "linkTypeDefaultCanBeLinkset": False,
        "supportedLinkType": [
            {"namespace": GS1_VOC, "prefix": "gs1:", "profile": GS1_VOC + "?show=linktypes"}
        ],
        "linkTypes": sorted(["gs1:traceability", "gs1:pip", "gs1:certificationInfo",
                             "gs1:epcis", "linkset"]),
        "supportedLanguages": [HREFLANG[language] for language in LANGUAGES],
        "defaultLanguage": "zh-CN",
    })

"""The consumer scan page's fast path, in front of the app (WSGI), for scans through Redis.

Most scans are a shopper's phone, with no cookie, opening a genuine pack's code. For those the
front does the whole request itself, without the app's per-request work (session, sign-in,
rate limits, the ORM):

1. parse the Digital Link and check its signature (offline: traceability/signing.py);
2. find the code's lot in `facts`, this process's table of what never changes about a lot
   (its batch id, and how many serials were printed, which only grows), filled by the app;
3. in one Redis round trip log the scan to the stream, update the serial's copied-code counters
   and read the lot's version (trace/services/lot_versions.py);
4. answer with the page kept in `pages` for that lot, version, language, day and copied-code
   verdict, its slots filled with this pack's serial and this URL.

Anything else goes to the app, as does any step that cannot be taken: a cookie, another
method or link type, a forged or unknown code, a lot or serial not yet in `facts`, Redis not
configured, down or just failed (its breaker open), a page not kept yet. When the front has
logged the scan before handing over, it says so in `environ[TICKET]` and the app does not log
it again; the app renders the page with its slots (consumer.py `_page`), and the front keeps it.
So the front and the app answer with the same bytes (tests/platform/trace/test_scan_front.py
compares them). A kept page lives SCAN_PAGE_CACHE_SECONDS at most (30 by default), a backstop
for a version change Redis missed; a recall, a hold or a new temperature reading is a new
version, seen by every node on its next scan.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import quote, quote_plus, unquote_plus, urlsplit

from flask import Flask, current_app
from flask_compress.flask_compress import _compress_data  # the same encoder the app uses
from markupsafe import escape
from redis.exceptions import RedisError
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from freshcircle.platform.core.services import random_pool
from freshcircle.platform.core.services.clock import ChinaDay
from freshcircle.platform.ledger.services.trace_codes import serial_number
from freshcircle.platform.metrics import REQUEST_SECONDS
from freshcircle.platform.trace.services import lot_versions, scan_stream, scans
from freshcircle.platform.trace.services.consumer_story import StoryCache
from freshcircle.platform.trace.services.scan_verdict import scan_redis
from freshcircle.platform.web.front_layer import FrontLayer
from freshcircle.traceability.code_reader import CodeReader
from freshcircle.traceability.digital_link import DigitalLinkError

TICKET = "freshcircle.scan_ticket"
# The scan the front sent to Redis without an answer (a timeout may come after Redis ran it):
# the app stores it under the same id and time, so the writer's copy and the app's are one row.
UNANSWERED = "freshcircle.scan_unanswered"
# Where a kept page takes this request's values (letters only: unchanged by escaping and by
# url_for's query encoding, so they stand where the real values would be).
SERIAL_SLOT = "fcslotserialx"
PATH_SLOT = "fcslotpathx"
NONCE_SLOT = "fcslotnoncex"  # this response's CSP nonce (security.py), in the page and header
SLOTS = (SERIAL_SLOT, PATH_SLOT, NONCE_SLOT)
# url_for's encoding of a query value (werkzeug.urls._urlencode).
QUERY_SAFE = "!$'()*,/:;?@"
_SKIPPED_HEADERS = {"content-length", "content-encoding", "link"}
_NOT_FOR_FRONT = ("HTTP_COOKIE", "HTTP_AUTHORIZATION", "HTTP_IF_NONE_MATCH",
                  "HTTP_IF_MODIFIED_SINCE", "HTTP_RANGE")
LANGUAGES = ("zh", "en")


def raw_path(environ: dict, decoded_path: str) -> str:
    """The path as the client sent it, still percent-encoded (werkzeug decodes PATH_INFO)."""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        # urlsplit drops an absolute-form request line's scheme and host (and a "//host"
        # prefix), so redirects built from this path always stay on this site.
        path = urlsplit(raw).path
        if path.startswith("/01/"):
            return path
    return quote(decoded_path, safe="/")


def scanned_uri(environ: dict, decoded_path: str, domain: str) -> str:
    return code_uri(domain, raw_path(environ, decoded_path), environ.get("QUERY_STRING", ""))


def code_uri(domain: str, sent_path: str, query: str) -> str:
    """The code as scanned: this site's domain, the path as sent, the query."""
    return f"https://{domain}{sent_path}" + (f"?{query}" if query else "")


def _wsgi_text(value: str) -> str:
    """A WSGI environ string (bytes as latin-1) as the text werkzeug makes of it (UTF-8)."""
    return value.encode("latin-1").decode("utf-8", "replace")


def _language(query: str) -> str:
    """The page's language for a visitor with no session: ?lang=en, else Chinese (i18n.py)."""
    for pair in query.split("&"):
        name, _, value = pair.partition("=")
        if unquote_plus(name) == "lang":  # the first, as request.args.get takes it
            return value if (value := unquote_plus(value)) in LANGUAGES else "zh"
    return "zh"


LINKSET_TYPE = "application/linkset+json"


def wants_linkset(accept: str | MIMEAccept | None) -> bool:
    """Whether the Accept header names the linkset (or JSON) and prefers it to the page.

    Only a client that names the type gets the linkset: `*/*` (curl, most scanner apps)
    gets the default link, the page, as the GS1 Conformant Resolver standard says."""
    if not accept:
        return False
    if isinstance(accept, str):
        accept = parse_accept_header(accept, MIMEAccept)
    named = {value for value, quality in accept if quality > 0}
    best = accept.best_match([LINKSET_TYPE, "application/json", "text/html"])
    return best in named and best in (LINKSET_TYPE, "application/json")


def linkset_header(path: str, linkset_type: str = LINKSET_TYPE) -> str:
    return f'<{path}?linkType=linkset>; rel="linkset"; type="{linkset_type}"'


@dataclass(frozen=True)
class Facts:
    """What never changes about a lot, as far as a scan goes (serials_issued only grows)."""

    batch_id: int
    serials_issued: int


@dataclass
class Ticket:
    """What the front did with a request it handed to the app."""

    scan: scan_stream.Scan
    suspicion: scans.CopySuspicion | None
    version: int
    key: tuple
    parts: tuple[str, ...] | None = field(default=None)  # the page split at its slots
    nonce: str | None = None  # the nonce the app's response carries


@dataclass(frozen=True)
class KeptPage:
    status: str
    headers: tuple[tuple[str, str], ...]
    parts: tuple[bytes, ...]  # text, slot, text, slot, ..., text (UTF-8)
    encoding: str | None  # Content-Encoding the app chose for this Accept-Encoding


def split_page(html: str) -> tuple[str, ...]:
    """The page's text split at its slots: text, slot, text, ..., text."""
    parts: list[str] = []
    rest = html
    while True:
        at = [(rest.find(slot), slot) for slot in SLOTS]
        found = [(index, slot) for index, slot in at if index >= 0]
        if not found:
            parts.append(rest)
            return tuple(parts)
        index, slot = min(found)
        parts += [rest[:index], slot]
        rest = rest[index + len(slot):]


# quote_plus(c, safe=QUERY_SAFE) of each ASCII character: an ASCII path is quoted by one
# str.translate instead of quote_plus's encode, per-byte lookup and join.
_QUOTED_ASCII = {code: quote_plus(chr(code), safe=QUERY_SAFE) for code in range(128)}


def _query_value(text: str) -> str:
    """`text` as url_for encodes a query value (quote_plus with QUERY_SAFE)."""
    return text.translate(_QUOTED_ASCII) if text.isascii() else quote_plus(text, QUERY_SAFE)


def _slot_values(serial: str | None, full_path: str, nonce: str) -> dict[str, str]:
    """This pack's serial as the template escapes it, this URL as url_for encodes a query value
    and the template escapes it, this response's nonce."""
    return {SERIAL_SLOT: str(escape(serial or "")),
            PATH_SLOT: str(escape(_query_value(full_path))), NONCE_SLOT: nonce}


def fill_page(parts: tuple[str, ...], serial: str | None, full_path: str, nonce: str) -> str:
    """The page for this pack from a page split at its slots."""
    values = _slot_values(serial, full_path, nonce)
    return "".join(values.get(part, part) for part in parts)


def _slot_bytes(serial: str | None, full_path: str, nonce: str) -> dict[bytes, bytes]:
    """_slot_values for a page kept as UTF-8 (so 20 KB are not encoded again for every scan)."""
    return {slot.encode(): value.encode()
            for slot, value in _slot_values(serial, full_path, nonce).items()}


class ScanFront(FrontLayer):
    """The WSGI layer; `app` is the Flask app whose settings and caches it uses."""

    def __init__(self, app: Flask, wsgi_app, *, facts_size: int = 4096, pages_size: int = 256):
        super().__init__(app, wsgi_app, REQUEST_SECONDS.labels("trace.resolve", "GET"))
        self.facts: dict[tuple[str, str], Facts] = {}
        self.facts_size = facts_size
        self.pages = StoryCache(pages_size)  # an LRU whose entries also expire
        self._day = ChinaDay()
        self._codes: CodeReader | None = None

    @property
    def codes(self) -> CodeReader:
        """Parses and verifies the scanned codes with the app's keyring, each lot once."""
        if self._codes is None:
            self._codes = CodeReader(self.app.extensions["trace_settings"].keyring)
        return self._codes

    # --- what the app tells the front ------------------------------------------------------

    def remember(self, gtin: str, lot: str, batch_id: int, serials_issued: int) -> None:
        if len(self.facts) >= self.facts_size:
            self.facts.clear()  # the app tells the front again on the next scan of each lot
        self.facts[(gtin, lot)] = Facts(batch_id, serials_issued)

    # --- the request ----------------------------------------------------------------------

    def takes(self, environ) -> bool:
        return (environ.get("REQUEST_METHOD") == "GET"
                and environ.get("PATH_INFO", "").startswith("/01/")
                and not any(name in environ for name in _NOT_FOR_FRONT)
                and "linkType" not in environ.get("QUERY_STRING", "")
                and not wants_linkset(environ.get("HTTP_ACCEPT")))

    def answer(self, environ):
        """(status, headers, body), a Ticket for the app to render, or None (the app does
        everything)."""
        app, config = self.app, self.app.config
        redis = scan_redis(app)
        if redis is None or not redis.breaker.closed():
            return None
        path = _wsgi_text(environ.get("PATH_INFO", ""))
        query = environ.get("QUERY_STRING", "")
        sent_path = raw_path(environ, path)
        try:
            link = self.codes.read(code_uri(config["TRACE_DOMAIN"], sent_path, query))
        except DigitalLinkError:
            return None
        facts = self.facts.get((link.gtin, link.lot)) if link.lot is not None else None
        if facts is None:
            return None
        if link.serial is not None:
            number = serial_number(link.serial)
            if number is None or number >= facts.serials_issued:
                return None  # perhaps printed since: the app looks
        if not link.verdict.genuine:
            return None
        state = "genuine" if link.serial is not None else "lot"
        now = dt.datetime.now(dt.UTC)
        scan = scan_stream.Scan(
            scan_id=scan_stream.new_scan_id(), gtin=link.gtin, lot=link.lot[:20] or None,
            serial=(link.serial or "")[:20] or None, batch_id=facts.batch_id, verdict=state,
            network=scans.network_hash(environ.get("REMOTE_ADDR"), config["SECRET_KEY"]),
            scanned_at=now)
        try:
            suspicion, version = scan_stream.record(
                redis.client, scan, scans.CopyRule.from_config(config), counted=True,
                judge=state == "genuine", version_key=lot_versions.key(facts.batch_id))
        except RedisError as error:
            redis.breaker.failed(error)
            environ[UNANSWERED] = scan
            return None  # the app writes the scan itself while the breaker is open
        if redis.breaker.succeeded():
            self.pages.clear()  # versions may have moved while Redis was away
        version = lot_versions.version_of(version)
        copied = None if suspicion is None else (suspicion.scans, suspicion.networks,
                                                 suspicion.hours)
        key = (facts.batch_id, version, link.gtin, state, copied, _language(query),
               self._day.at(now),
               environ.get("wsgi.url_scheme"), environ.get("HTTP_ACCEPT_ENCODING", ""))
        kept = self.pages.get(key, float(config.get("SCAN_PAGE_CACHE_SECONDS", 30)))
        if kept is None:
            return Ticket(scan, suspicion, version, key)
        nonce = random_pool.token_urlsafe(16)
        values = _slot_bytes(link.serial, f"{path}?{_wsgi_text(query)}", nonce)
        body = b"".join(values.get(part, part) for part in kept.parts)
        headers = [(name, value.replace(NONCE_SLOT, nonce)) for name, value in kept.headers]
        if kept.encoding:
            body = _compress_data(app, body, kept.encoding)
            headers.append(("Content-Encoding", kept.encoding))
        headers.append(("Link", linkset_header(sent_path)))
        headers.append(("Content-Length", str(len(body))))
        return kept.status, headers, body

    def through(self, environ, start_response, ticket: Ticket) -> Iterable[bytes]:
        """The app renders the page (with the scan already logged); keep it for the next."""
        environ[TICKET] = ticket
        seen: dict = {}

        def capture(status, headers, exc_info=None):
            seen["status"], seen["headers"] = status, headers
            return start_response(status, headers, exc_info)

        result = self.wsgi_app(environ, capture)
        headers = seen.get("headers") or []
        names = {name.lower(): value for name, value in headers}
        if (ticket.parts is not None and str(seen.get("status", "")).startswith("200")
                and "set-cookie" not in names
                and names.get("content-type", "").startswith("text/html")):
            kept = tuple((name, value.replace(ticket.nonce, NONCE_SLOT) if ticket.nonce
                          else value)
                         for name, value in headers if name.lower() not in _SKIPPED_HEADERS)
            parts = tuple(part.encode() for part in ticket.parts)
            self.pages.put(ticket.key, KeptPage(seen["status"], kept, parts,
                                                names.get("content-encoding")),
                           float(self.app.config.get("SCAN_PAGE_CACHE_SECONDS", 30)))
        return result


def front(app: Flask | None = None) -> ScanFront | None:
    return (app or current_app).extensions.get("scan_front")


def init_app(app: Flask) -> None:
    """Put the front before the app (inside ProxyFix, which security.trust_proxies adds last),
    and bump lot versions after commits when Redis is configured."""
    from freshcircle.platform.extensions import db

    scan_front = ScanFront(app, app.wsgi_app)
    app.extensions["scan_front"] = scan_front
    app.wsgi_app = scan_front  # type: ignore[method-assign]
    lot_versions.listen(db.session)

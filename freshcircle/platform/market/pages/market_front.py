"""The market page's fast path for signed-in users, in front of the app (WSGI).

A buyer browses the same few searches again and again, and most views change nothing the page
shows. For `GET /market` with a session cookie the front does the whole request itself,
without the app's per-request work (session, Flask-Login, hooks, the ORM, templates):

1. read the session cookie as the app would (web/session_cookie.py): its session id, raw CSRF
   token and language. A session the app would change otherwise than Flask-Login's "basic"
   protection does (it marks a session seen from another browser not fresh: the front sends
   that cookie as the app would) goes to the app: a flashed message, no CSRF token yet,
   anything unknown in it;
2. in one statement (market/services/browse_facts.py) find the session's user with what the
   page shows of them: their sites and default site, their unread notices, and the market's
   cache stamp (data version, day in China, minute). The statement also reads the sessions of
   the process's other threads waiting at that moment (web/read_batches.py: under load one
   round trip serves several views), and is always sent after this request came. A
   signed-out session (its id rotated), a disabled account or one that must set a password
   finds none, on the very next request in every process: the app answers (the sign-in or
   password page);
3. answer with the page kept for exactly those facts and this URL, language and encoding,
   with a CSRF token signed for this session filled in (as the app signs one per render).

Anything else goes to the app, which renders the page (the form, cards and pager from its
`PAGES` cache: the same for every buyer of a site and search) and says with which facts; the
front keeps it only when they are the facts it read, so a page is never kept under facts it
was not made from, and holds nothing of another user (the user is one of the facts). A listing
change raises the market version, a new notice the count: either is a new key, rendered by the
app on the next view (once per process: other views of that key wait for it, WAIT_SECONDS at
most). MARKET_RESULTS_CACHE_SECONDS <= 0 (the tests' default) turns it off;
otherwise it bounds how long an unused page is kept.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask import Flask
from flask_compress.flask_compress import _compress_data  # the same encoder the app uses
from werkzeug.http import http_date

from freshcircle.platform.market.services import browse_facts
from freshcircle.platform.market.services.browse_facts import BrowseFacts
from freshcircle.platform.metrics import REQUEST_SECONDS
from freshcircle.platform.web.front_db import FrontDatabase
from freshcircle.platform.web.front_layer import FrontLayer
from freshcircle.platform.web.read_batches import ReadBatches, Unanswered
from freshcircle.platform.web.result_cache import FragmentCache
from freshcircle.platform.web.session_cookie import SessionCookies

PATH = "/market"
ENDPOINT = "market_pages.index"
TICKET = "freshcircle.market_ticket"
# Where a kept page takes this response's CSRF token (letters only: unchanged by escaping).
CSRF_SLOT = "fcslotcsrfx"
_CSRF_SLOT_BYTES = CSRF_SLOT.encode()
_NOT_FOR_FRONT = ("HTTP_AUTHORIZATION", "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE",
                  "HTTP_RANGE")
# What a signed-in session holds that the app reads on this page without changing it.
_SESSION_KEYS = frozenset({"_fresh", "_id", "_user_id", "csrf_token", "lang"})
# How long a view waits for the page another thread of the process is rendering for the same
# key (a minute's first views of a search, a change): one render, not one per thread.
WAIT_SECONDS = 2.0
# Set per answer: the body's length and encoding, the session cookie, the time (Flask-Compress
# dates a compressed response).
_SKIPPED_HEADERS = {"content-length", "content-encoding", "set-cookie", "date"}


@dataclass
class Ticket:
    """A request the front handed to the app, and what the app rendered for it."""

    key: tuple
    facts: BrowseFacts
    cookie: str | None  # the session cookie the app is to send (session protection), if any
    first: bool = True  # no other thread of the process is rendering this key
    parts: tuple[str, ...] | None = field(default=None)  # the page split at its CSRF slot
    rendered_with: BrowseFacts | None = None

    def rendered(self, facts: BrowseFacts, html: str, csrf_token: str | None) -> None:
        """The view's page for this request, rendered with `facts` and `csrf_token`."""
        if csrf_token:
            self.parts, self.rendered_with = split_page(html, csrf_token), facts


@dataclass(frozen=True)
class KeptPage:
    status: str
    headers: tuple[tuple[str, str], ...]
    parts: tuple[bytes, ...]  # text, slot, text, ..., text (UTF-8)
    encoding: str | None  # Content-Encoding the app chose for this Accept-Encoding
    dated: bool  # the app's answer had a Date header


def split_page(html: str, csrf_token: str) -> tuple[str, ...]:
    """The page split at each place its CSRF token stands: text, slot, text, ..., text."""
    pieces = html.split(csrf_token)
    parts = [pieces[0]]
    for piece in pieces[1:]:
        parts += [CSRF_SLOT, piece]
    return tuple(parts)


class MarketFront(FrontLayer):
    def __init__(self, app: Flask, wsgi_app, size: int = 1024) -> None:
        super().__init__(app, wsgi_app, REQUEST_SECONDS.labels(ENDPOINT, "GET"))
        self.sessions = SessionCookies(app)
        self.database = FrontDatabase(app)
        self.reads = ReadBatches(self._read_facts, most=browse_facts.MOST)
        self.pages = FragmentCache(size)
        self._rendering: dict[tuple, threading.Event] = {}
        self._lock = threading.Lock()

    def takes(self, environ) -> bool:
        return (environ.get("PATH_INFO") == PATH and environ.get("REQUEST_METHOD") == "GET"
                and "HTTP_COOKIE" in environ
                and not any(name in environ for name in _NOT_FOR_FRONT))

    def _read_facts(self, session_ids: list[str]) -> dict | None:
        """The facts of these sessions, in one statement (None: no answer)."""
        try:
            return browse_facts.read_many(self.database, session_ids)
        except browse_facts.Unanswered:
            return None

    def answer(self, environ):
        """(status, headers, body), a Ticket for the app to render, or None (the app does
        everything)."""
        ttl = float(self.app.config.get("MARKET_RESULTS_CACHE_SECONDS", 3600))
        if ttl <= 0:
            return None
        session = self.sessions.read(environ)
        if session is None or not session.keys() <= _SESSION_KEYS:
            return None
        protection = self.sessions.protection(environ, session)
        if protection is False:
            return None
        cookie = protection if isinstance(protection, str) else None
        session_id = session.get("_user_id")
        token = self.sessions.csrf_token(session)
        if not isinstance(session_id, str) or token is None:
            return None
        try:
            facts = self.reads.read(session_id)
        except Unanswered:
            return None  # the app answers, on its own connection
        if facts is None:
            return None
        key = (facts, session.get("lang"), environ.get("QUERY_STRING", ""),
               environ.get("SCRIPT_NAME", ""), environ.get("HTTP_HOST"),
               environ.get("wsgi.url_scheme"), environ.get("HTTP_ACCEPT_ENCODING", ""))
        kept = self.pages.get(key, ttl)
        if kept is None:
            with self._lock:
                rendering = self._rendering.get(key)
                if rendering is None:
                    self._rendering[key] = threading.Event()
                    return Ticket(key, facts, cookie)
            rendering.wait(WAIT_SECONDS)
            kept = self.pages.get(key, ttl)
            if kept is None:  # that render was not kept (or is slow): render this one too
                return Ticket(key, facts, cookie, first=False)
        filled = token.encode()
        body = b"".join(filled if part == _CSRF_SLOT_BYTES else part for part in kept.parts)
        headers = list(kept.headers)
        if cookie is not None:
            headers.append(("Set-Cookie", cookie))
        if kept.encoding:
            body = _compress_data(self.app, body, kept.encoding)
            headers.append(("Content-Encoding", kept.encoding))
        if kept.dated:
            headers.append(("Date", http_date(time.time())))
        headers.append(("Content-Length", str(len(body))))
        return kept.status, headers, body

    def through(self, environ, start_response, ticket: Ticket) -> Iterable[bytes]:
        """The app answers; its page is kept when it was rendered with the ticket's facts."""
        environ[TICKET] = ticket
        seen: dict = {}

        def capture(status, headers, exc_info=None):
            seen["status"], seen["headers"] = status, headers
            return start_response(status, headers, exc_info)

        try:
            result = self.wsgi_app(environ, capture)
            self._keep(ticket, seen.get("status", ""), seen.get("headers") or [])
        finally:
            if ticket.first:  # threads waiting for this render take the page, or render
                with self._lock:
                    self._rendering.pop(ticket.key).set()
        return result

    def _keep(self, ticket: Ticket, status: str, headers: list) -> None:
        names = {name.lower(): value for name, value in headers}
        if (ticket.parts is not None and ticket.rendered_with == ticket.facts
                and str(status).startswith("200")
                and self._expected_cookies(ticket, headers)
                and names.get("content-type", "").startswith("text/html")
                and "nonce-" not in names.get("content-security-policy", "")):
            kept = tuple((name, value) for name, value in headers
                         if name.lower() not in _SKIPPED_HEADERS)
            self.pages.put(ticket.key, KeptPage(status, kept,
                                                tuple(part.encode() for part in ticket.parts),
                                                names.get("content-encoding"), "date" in names))

    def _expected_cookies(self, ticket: Ticket, headers: list) -> bool:
        """Whether the app set only the cookie the front expected: none, or the session
        cookie when session protection marked the session not fresh (the front sets its own
        on each answer)."""
        cookies = [value for name, value in headers if name.lower() == "set-cookie"]
        if ticket.cookie is None:
            return not cookies
        return len(cookies) == 1 and \
            self.sessions.cookie_session(cookies[0]) == \
            self.sessions.cookie_session(ticket.cookie) is not None


def ticket(environ: dict) -> Ticket | None:
    """The front's ticket for this request, when the front handed it to the app."""
    return environ.get(TICKET)


def init_app(app: Flask) -> None:
    """Put the front before the app (inside ProxyFix, which security.trust_proxies adds
    last)."""
    front = MarketFront(app, app.wsgi_app)
    app.extensions["market_front"] = front
    app.wsgi_app = front  # type: ignore[method-assign]

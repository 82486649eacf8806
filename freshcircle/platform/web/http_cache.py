"""Public pages a CDN or nginx may keep: validators, 304s, shared caching, compressed bodies.

`public_page(version)` wraps a view whose output depends only on the URL, the language and a
data version (a cheap value that changes whenever the data shown changes):

- the ETag is made from the version, the language and the URL, so a repeat is answered 304
  without rendering, and any change of the data gives a new ETag (the old one no longer 304s);
- Last-Modified is the version's latest change, for caches that only speak If-Modified-Since;
- `Cache-Control: public, max-age=<short>, stale-while-revalidate=<n>`; `Vary: Cookie,
  Accept-Encoding` (the language comes from the session cookie or ?lang=; pages never read
  Accept-Language, so varying on it would only split the cache);
- rendered pages are kept per (URL, language, version) in a bounded in-process cache, with their
  gzip body made once, so a miss in front costs a dictionary look-up here, not a render.

A signed-in visitor (their name and sign-out form are on the page) or one with a message
waiting gets the page rendered for them, `Cache-Control: private, no-cache`, no ETag.
"""

from __future__ import annotations

import datetime as dt
import functools
import gzip
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Response, make_response, request, session
from flask_babel import get_locale
from flask_login import current_user

from freshcircle.platform.web.front_cache import VERSION_KEY

# Suffixes compressing proxies (and Flask-Compress) append to a strong ETag.
_ENCODING_SUFFIXES = ("-gzip", ":gzip", ":br", ":zstd", ":deflate")


@dataclass
class _Entry:
    body: bytes
    _gzipped: bytes | None = field(default=None, repr=False)

    def gzipped(self) -> bytes:
        if self._gzipped is None:
            self._gzipped = gzip.compress(self.body, 6, mtime=0)
        return self._gzipped


class PageCache:
    """A bounded LRU of rendered pages, shared by a process's threads."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._items: OrderedDict[tuple, _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> _Entry | None:
        with self._lock:
            entry = self._items.get(key)
            if entry is not None:
                self._items.move_to_end(key)
            return entry

    def put(self, key: tuple, body: bytes) -> _Entry:
        entry = _Entry(body)
        with self._lock:
            self._items[key] = entry
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return entry

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


@dataclass(frozen=True)
class Freshness:
    max_age: int = 60
    stale_while_revalidate: int = 300

    @property
    def header(self) -> str:
        return (f"public, max-age={self.max_age}, "
                f"stale-while-revalidate={self.stale_while_revalidate}")


def personal() -> bool:
    """Whether this visitor's page holds something of theirs (so it may not be shared)."""
    return bool(current_user.is_authenticated) or "_flashes" in session


def etag_for(version_tag: str, language: str, url: str) -> str:
    raw = f"{version_tag}|{language}|{url}".encode()
    return hashlib.sha256(raw).hexdigest()[:24]


def _matches(etag: str) -> bool:
    header = request.headers.get("If-None-Match")
    if not header:
        return False
    for candidate in header.split(","):
        value = candidate.strip().removeprefix("W/").strip('"')
        for suffix in _ENCODING_SUFFIXES:
            value = value.removesuffix(suffix)
        if value in (etag, "*"):
            return True
    return False


def _not_modified_since(changed_at: dt.datetime) -> bool:
    """If-Modified-Since (only when no If-None-Match came, RFC 9110). A date has whole seconds:
    a change in the current second could follow the one the client saw, so data changed less
    than a second ago is never "not modified"."""
    if request.headers.get("If-None-Match"):
        return False
    since = request.if_modified_since
    if since is None or dt.datetime.now(dt.UTC) - changed_at < dt.timedelta(seconds=1):
        return False
    return changed_at.replace(microsecond=0) <= since


def public_page(version: Callable[[], tuple[str, dt.datetime]], cache: PageCache,
                freshness: Callable[[], Freshness]):
    """Decorate a GET view: cached, validated and compressed as the module docstring says.

    `version()` gives (tag, latest change) of the data the pages show."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if personal():
                response = make_response(view(*args, **kwargs))
                response.headers["Cache-Control"] = "private, no-cache"
                return response
            tag, changed_at = version()
            request.environ[VERSION_KEY] = tag  # for web/front_cache.py
            language = str(get_locale())
            url = request.full_path
            etag = etag_for(tag, language, url)
            gzipped = request.accept_encodings["gzip"] > 0
            if _matches(etag) or _not_modified_since(changed_at):
                response = Response(status=304)
                response.set_etag(etag + "-gzip" if gzipped else etag)
            else:
                key = (request.endpoint, url, language, tag)
                entry = cache.get(key)
                if entry is None:
                    rendered = make_response(view(*args, **kwargs))
                    if rendered.status_code != 200:
                        return rendered
                    entry = cache.put(key, rendered.get_data())
                response = _body_response(entry, etag, gzipped)
            response.headers["Cache-Control"] = freshness().header
            response.headers["Vary"] = "Cookie, Accept-Encoding"
            response.last_modified = changed_at.replace(microsecond=0)
            return response

        return wrapped

    return decorator


def _body_response(entry: _Entry, etag: str, gzipped: bool) -> Response:
    if gzipped:
        response = Response(entry.gzipped(), mimetype="text/html")
        response.headers["Content-Encoding"] = "gzip"  # Flask-Compress leaves it as it is
        response.set_etag(etag + "-gzip")
    else:
        response = Response(entry.body, mimetype="text/html")
        response.set_etag(etag)
    return response

"""A micro-cache in front of the app for public pages, as nginx's proxy_cache would be.

A visitor with no cookie at all (so no session, no sign-in, no language chosen but by ?lang=)
asking for a public page gets the exact response a previous such visitor got (status, every
header, body), while the data version it was rendered at is still the current one. Anything
else -- a cookie, a conditional request, another method, a page that is not `public` -- goes
to the app as usual; the app's own answer is what gets stored. The replay skips the app's
per-request work (session, sign-in, rate limits), which is what a CDN in front would skip too.

`current_tag()` gives the version tag the app last read, or None when that is older than the
app would reuse it (then the request goes to the app, which reads the version again). A view
says which version it rendered at by setting `environ[VERSION_KEY]`.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable

VERSION_KEY = "freshcircle.page_version"
_CONDITIONAL = ("HTTP_COOKIE", "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE",
                "HTTP_AUTHORIZATION")


class FrontCache:
    def __init__(self, wsgi_app, current_tag: Callable[[], str | None],
                 is_public_path: Callable[[str], bool], size: int = 1024) -> None:
        self.wsgi_app = wsgi_app
        self.current_tag = current_tag
        self.is_public_path = is_public_path
        self.size = size
        self._items: OrderedDict[tuple, tuple[str, str, list, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, environ, start_response) -> Iterable[bytes]:
        if (environ.get("REQUEST_METHOD") != "GET" or any(k in environ for k in _CONDITIONAL)
                or not self.is_public_path(environ.get("PATH_INFO", ""))):
            return self.wsgi_app(environ, start_response)
        key = (environ.get("PATH_INFO"), environ.get("QUERY_STRING", ""),
               environ.get("HTTP_ACCEPT_ENCODING", ""), environ.get("wsgi.url_scheme"),
               environ.get("HTTP_X_FORWARDED_PROTO"), environ.get("HTTP_HOST"))
        tag = self.current_tag()
        hit = self._items.get(key) if tag is not None else None
        if hit is not None and hit[0] == tag:
            start_response(hit[1], list(hit[2]))
            return [hit[3]]
        return self._through(environ, start_response, key)

    def _through(self, environ, start_response, key: tuple) -> Iterable[bytes]:
        seen: dict = {}

        def capture(status, headers, exc_info=None):
            seen["status"], seen["headers"] = status, headers
            return start_response(status, headers, exc_info)

        result = self.wsgi_app(environ, capture)
        tag = environ.get(VERSION_KEY)
        headers = seen.get("headers") or []
        names = {name.lower(): value for name, value in headers}
        if (tag is None or not str(seen.get("status", "")).startswith("200")
                or "set-cookie" in names or "public" not in names.get("cache-control", "")):
            return result
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        with self._lock:
            self._items[key] = (tag, seen["status"], list(headers), body)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return [body]

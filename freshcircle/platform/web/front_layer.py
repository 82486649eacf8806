"""The shape of a WSGI layer in front of the app that answers its own kind of request itself
(the scan page's `ScanFront`, the signed-in market page's `MarketFront`).

For each request a layer says whether it is of its kind (`takes`), then `answer`s it with one
of three things:
- None: the app does everything, as if the layer were not there;
- (status, headers, body): the layer's own answer, timed in the app's latency histogram;
- anything else, a ticket: what the layer already did, handed to `through`, which lets the
  app render the page and keeps what it needs from the app's response.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from flask import Flask


class FrontLayer:
    def __init__(self, app: Flask, wsgi_app, latency) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self._latency = latency  # a child of the app's request histogram

    def takes(self, environ) -> bool:
        raise NotImplementedError

    def answer(self, environ):
        raise NotImplementedError

    def through(self, environ, start_response, ticket) -> Iterable[bytes]:
        raise NotImplementedError

    def __call__(self, environ, start_response) -> Iterable[bytes]:
        if not self.takes(environ):
            return self.wsgi_app(environ, start_response)
        started = time.perf_counter()
        answer = self.answer(environ)
        if answer is None:
            return self.wsgi_app(environ, start_response)
        if not isinstance(answer, tuple):
            return self.through(environ, start_response, answer)
        status, headers, body = answer
        start_response(status, headers)
        self._latency.observe(time.perf_counter() - started)
        return [body]

"""Flask's session cookie read in front of the app (WSGI), as the app itself would read it.

A front (market/pages/market_front.py) answers some signed-in requests without the app's
per-request work; it must take the cookie exactly as Flask, Flask-Login and Flask-WTF would:

- `SessionCookies.read(environ)`: the session the app would open (same cookie name, key,
  fallback keys, salt and lifetime), or None when there is none or it does not verify. A
  decoded cookie is remembered per process (its signature was checked once; its age is
  checked again on every read).
- `protection(environ, session)`: what Flask-Login's session protection would do for this
  request: nothing, mark the session not fresh (the Set-Cookie the app would send), or end
  it (then only the app may answer).
- `csrf_token(session)`: the signed CSRF token Flask-WTF's `csrf_token()` would put in a page
  for this session (re-signed each second, as the app re-signs it on each render).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict

from flask import Flask
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.http import dump_cookie, parse_cookie


class SessionCookies:
    def __init__(self, app: Flask, size: int = 4096) -> None:
        self.app = app
        self.size = size
        self._decoded: OrderedDict[str, tuple[dict, float]] = OrderedDict()
        self._tokens: dict[str, tuple[int, str]] = {}
        self._cookies: dict[tuple, str] = {}
        self._idents: dict[tuple, str | bool] = {}
        self._lock = threading.Lock()

    def read(self, environ: dict) -> dict | None:
        """The session in this request's cookie (a dict not to be changed), or None."""
        header = environ.get("HTTP_COOKIE")
        if not header:
            return None
        max_age = self.app.permanent_session_lifetime.total_seconds()
        hit = self._decoded.get(header)  # the same Cookie header: the same session
        if hit is None:
            hit = self._decode(header)
        if hit is None or time.time() - hit[1] > max_age:
            return None
        return hit[0]

    def _decode(self, header: str) -> tuple[dict, float] | None:
        app = self.app
        value = parse_cookie(header).get(app.config["SESSION_COOKIE_NAME"])
        serializer = app.session_interface.get_signing_serializer(app)
        if not value or serializer is None:
            return None
        try:
            data, signed = serializer.loads(
                value, max_age=int(app.permanent_session_lifetime.total_seconds()),
                return_timestamp=True)
        except BadSignature:
            return None
        if not isinstance(data, dict):
            return None
        with self._lock:
            self._decoded[header] = (data, signed.timestamp())
            while len(self._decoded) > self.size:
                self._decoded.popitem(last=False)
        return data, signed.timestamp()

    def protection(self, environ: dict, session: dict) -> str | bool:
        """What Flask-Login's session protection would do with this session on this request
        (flask_login: `_session_protection_failed`, `utils._create_identifier`, from the first
        X-Forwarded-For address, else the client's, and the User-Agent):

        - True: nothing (the browser the session was made for, or protection off);
        - a Set-Cookie header: "basic" protection marks the session not fresh, and the app
          would send this cookie (as Flask saves a changed session) with an unchanged page;
        - False: the front cannot tell or do what the app does ("strong" protection ends the
          session; header bytes that are not ASCII): the app answers.
        """
        mode = self.app.config.get("SESSION_PROTECTION",
                                   self.app.login_manager.session_protection)
        if not mode or mode not in ("basic", "strong"):
            return True
        browser = (environ.get("HTTP_X_FORWARDED_FOR", environ.get("REMOTE_ADDR")),
                   environ.get("HTTP_USER_AGENT"))
        ident = self._idents.get(browser)
        if ident is None:
            ident = _identifier(*browser)
            with self._lock:
                if len(self._idents) >= self.size:
                    self._idents.clear()
                self._idents[browser] = ident
        if ident is False:
            return False
        if not session or ident == session.get("_id"):
            return True
        if mode != "basic" or session.get("_permanent"):
            return False
        if session.get("_fresh") is False:
            return True
        return self._not_fresh(environ, session)

    def _not_fresh(self, environ: dict, session: dict) -> str:
        """The Set-Cookie header Flask sends for `session` marked not fresh (a non-permanent
        session: SecureCookieSessionInterface.save_session; Secure as
        security.SessionCookies makes it), signed this second."""
        app, interface = self.app, self.app.session_interface
        key = (environ.get("HTTP_COOKIE"), environ.get("wsgi.url_scheme"), int(time.time()))
        made = self._cookies.get(key)
        if made is not None:
            return made
        session = {**session, "_fresh": False}
        secure = app.config.get("COOKIE_SECURE") == "always" or \
            environ.get("wsgi.url_scheme") == "https"
        value = interface.get_signing_serializer(app).dumps(session)
        header = dump_cookie(
            interface.get_cookie_name(app), value, expires=None,
            httponly=interface.get_cookie_httponly(app),
            domain=interface.get_cookie_domain(app), path=interface.get_cookie_path(app),
            secure=secure, partitioned=interface.get_cookie_partitioned(app),
            samesite=interface.get_cookie_samesite(app),
            max_size=app.config["MAX_COOKIE_SIZE"])
        with self._lock:
            if len(self._cookies) >= self.size:
                self._cookies.clear()
            self._cookies[key] = header
        return header

    def cookie_session(self, header: str) -> dict | None:
        """The session a Set-Cookie header for the session cookie carries (None: another
        cookie, or one that does not verify)."""
        pair = header.split(";", 1)[0]
        name, _, value = pair.partition("=")
        if name.strip() != self.app.config["SESSION_COOKIE_NAME"]:
            return None
        serializer = self.app.session_interface.get_signing_serializer(self.app)
        try:
            data = serializer.loads(value.strip()) if serializer is not None else None
        except BadSignature:
            return None
        return data if isinstance(data, dict) else None

    def csrf_token(self, session: dict) -> str | None:
        """`csrf_token()` of a page for `session` (None when the session has no raw token
        yet: the app would add one, changing the session)."""
        config = self.app.config
        raw = session.get(config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
        if not isinstance(raw, str):
            return None
        second = int(time.time())
        made = self._tokens.get(raw)
        if made is not None and made[0] == second:
            return made[1]
        secret = config.get("WTF_CSRF_SECRET_KEY") or self.app.secret_key
        token = URLSafeTimedSerializer(secret, salt="wtf-csrf-token").dumps(raw)
        with self._lock:
            if len(self._tokens) >= self.size:
                self._tokens.clear()
            self._tokens[raw] = (second, token)
        return token


def _identifier(address: str | None, agent: str | None) -> str | bool:
    """flask_login.utils._create_identifier for this address and User-Agent (False: header
    bytes that are not ASCII, which only the app reads as it does)."""
    if (address is not None and not address.isascii()) or (
            agent is not None and not agent.isascii()):
        return False
    first = address.encode().split(b",")[0].strip() if address is not None else None
    return hashlib.sha512(f"{first}|{agent.encode() if agent is not None else None}"
                          .encode()).hexdigest()

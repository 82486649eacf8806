"""What every response carries for the browser's protection, and what makes HTTPS count.

- Headers on every response (pages, API, static files, errors): a Content-Security-Policy the
  pages satisfy (scripts only from our static files; style sheets only from our static files or
  a `<style>` that carries this response's nonce; no inline style attributes; responses that
  are not pages load nothing, and PDFs keep Chrome's viewer working), no framing,
  no MIME sniffing, no referrer to other sites, HSTS over HTTPS.
- Cookies (session, remember, any other) are Secure whenever the request came over HTTPS, or
  always with COOKIE_SECURE=always; plain HTTP in development keeps them without Secure (a
  browser would not send them back otherwise): COOKIE_SECURE=auto, the default.
- Behind PROXY_COUNT reverse proxies (`make serve` behind TLS), X-Forwarded-Proto and
  X-Forwarded-For from them are trusted (werkzeug's ProxyFix), so request.is_secure and the
  client address are the browser's.
"""

from __future__ import annotations

import re
import secrets

from flask import Flask, g, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from markupsafe import Markup
from werkzeug.middleware.proxy_fix import ProxyFix

from freshcircle.platform.web import map_tiles

HSTS = "max-age=31536000; includeSubDomains"


def csp_nonce() -> str:
    """This response's nonce for a `<style>` element (one per request, made when first asked)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


# Responses that are not documents (JSON, CSS, JS, images, spreadsheets) may load nothing and
# be framed by nobody. A PDF gets only the framing rule: Chrome shows it in a page it builds
# with an <embed> and inline styles, which object-src 'none' or default-src 'none' would blank.
NOT_A_DOCUMENT = "default-src 'none'; frame-ancestors 'none'"
PDF = "frame-ancestors 'none'"
# The service worker's own policy (it governs the worker): it fetches and caches our pages.
WORKER = "default-src 'self'; object-src 'none'; frame-ancestors 'none'"
DOCUMENTS = ("text/html", "image/svg+xml")


def content_security_policy(nonce: str | None, tile_origins: str = "") -> str:
    """The policy of a page (or an SVG opened as a document); `tile_origins`: the map tile
    server's origins (web/map_tiles.py), which pages may load images from."""
    styles = f"'self' 'nonce-{nonce}'" if nonce else "'self'"
    return "; ".join((
        "default-src 'self'",
        "script-src 'self'",
        f"style-src {styles}",
        "style-src-attr 'none'",
        # photo previews (blob:), pygal's tiny data: images, the configured map tiles
        " ".join(("img-src 'self' data: blob:", tile_origins)).strip(),
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ))


def cookies_secure(app: Flask) -> bool:
    if app.config.get("COOKIE_SECURE") == "always":
        return True
    return has_request_context() and request.is_secure


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed cookie session, Secure per request; it is saved after every
    after_request hook (Flask-Login's remember cookie included), so it also marks the
    response's other cookies Secure."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return cookies_secure(app)

    def save_session(self, app, session, response) -> None:
        super().save_session(app, session, response)
        if cookies_secure(app):
            _mark_cookies_secure(response)


def _mark_cookies_secure(response) -> None:
    cookies = response.headers.getlist("Set-Cookie")
    if not cookies:
        return
    response.headers.remove("Set-Cookie")
    for cookie in cookies:
        flags = {part.strip().lower() for part in cookie.split(";")[1:]}
        response.headers.add("Set-Cookie", cookie if "secure" in flags else cookie + "; Secure")


_SVG_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.S)
_STYLE_ATTRIBUTE = re.compile(r'\sstyle="([^"]*)"')


def _presentation_attributes(match: re.Match) -> str:
    """style="opacity: 0; stroke: red" -> opacity="0" stroke="red" (SVG's own attributes,
    which a CSP does not count as inline style)."""
    pairs = (part.split(":", 1) for part in match.group(1).split(";") if ":" in part)
    return "".join(f' {name.strip()}="{value.strip()}"' for name, value in pairs)


def csp_svg(svg: str | None) -> Markup | None:
    """A server-drawn (pygal) SVG made to satisfy the policy: its config script, which only
    pygal's tooltip script reads and the pages never load, removed; its style attributes as
    presentation attributes; its `<style>` given this response's nonce."""
    if svg is None:
        return None
    svg = _SVG_SCRIPT.sub("", str(svg))
    svg = _STYLE_ATTRIBUTE.sub(_presentation_attributes, svg)
    svg = svg.replace("<style", f'<style nonce="{csp_nonce()}"')
    return Markup(svg)  # the chart was already safe markup; only its attributes changed


def trust_proxies(app: Flask) -> None:
    """Behind PROXY_COUNT proxies, take the client's address and scheme from them. The
    outermost WSGI layer, added last, so the layers inside it (scan_front, front_cache) see
    what the app sees."""
    proxies = int(app.config.get("PROXY_COUNT") or 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)


def init_app(app: Flask) -> None:
    app.session_interface = SessionCookies()
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.jinja_env.filters["csp_svg"] = csp_svg

    @app.after_request
    def _security_headers(response):
        headers = response.headers
        if response.mimetype in DOCUMENTS:
            policy = content_security_policy(g.get("csp_nonce"),
                                             map_tiles.image_origins(app.config))
        elif g.get("worker_script"):
            policy = WORKER
        else:
            policy = PDF if response.mimetype == "application/pdf" else NOT_A_DOCUMENT
        headers["Content-Security-Policy"] = policy
        headers["X-Frame-Options"] = "DENY"
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "same-origin"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if request.is_secure:
            headers["Strict-Transport-Security"] = HSTS
        return response

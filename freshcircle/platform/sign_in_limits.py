"""Brute force: failed sign-ins are counted per mobile number and per network, and past the
limit a sign-in is refused (429, with the wait in words and in Retry-After) even with the
right password.

Flask-Limiter, one Limiter per app (its storage and switch are per instance, and a process may
hold several apps, as the tests do). The page /login and the API POST /api/v1/tokens share the
counts (one scope each for the number and the network), and only failures are counted
(deduct_when: a 401). Counts live in Redis when RATELIMIT_STORAGE_URI is a redis:// URL
(FRESHCIRCLE_RATELIMIT_STORAGE_URL, else FRESHCIRCLE_REDIS_URL), so every app process sees
the same counts; in memory otherwise (one process). RATELIMIT_ENABLED=False (the test
suite's shared app) builds no limiter.
"""

from __future__ import annotations

import ipaddress
import math
import time

from flask import Flask, current_app, render_template, request
from flask_babel import gettext as _
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded

from freshcircle.platform.api_errors import error_response, wants_json
from freshcircle.platform.core.services.identifiers import normalise_mobile

# Endpoints whose 401 answer counts as a failed sign-in.
SIGN_IN_ENDPOINTS = ("auth.login", "tokens.issue_token")


def _posted_phone() -> str:
    if request.is_json:
        body = request.get_json(silent=True)
        value = body.get("phone") if isinstance(body, dict) else None
    else:
        value = request.form.get("phone")
    text = value.strip() if isinstance(value, str) else ""
    # The stored form of the number, so "138 1234 5678" and "+8613812345678" count together.
    return normalise_mobile(text) or text[:32] or "-"


def client_network() -> str:
    """The client's /24 (IPv4) or /48 (IPv6) network; behind PROXY_COUNT proxies, the
    address they forwarded (security.init_app installs ProxyFix)."""
    address = request.remote_addr or "-"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def _failed(response) -> bool:
    return response.status_code == 401


def _limit(count_key: str) -> str:
    config = current_app.config
    return f"{int(config[count_key])} per {int(config['SIGN_IN_WINDOW_MINUTES'])} minutes"


def wait_seconds(limiter: Limiter) -> int:
    """Seconds until the breached count lets one more attempt through."""
    breached = limiter.current_limit
    window = int(current_app.config["SIGN_IN_WINDOW_MINUTES"]) * 60
    if breached is None:
        return window
    # `limits` gives the reset as a whole second, up to a second late: never more than the
    # window itself (a test saw 901 s for a 900 s window).
    return min(window, max(1, math.ceil(breached.reset_at - time.time())))


def init_app(app: Flask) -> None:
    if not app.config.get("RATELIMIT_ENABLED", True):
        return
    # Redis unreachable: each process counts in memory meanwhile (never a 500 at sign-in).
    limiter = Limiter(key_func=client_network, app=app, default_limits=[],
                      strategy="moving-window", key_prefix="freshcircle",
                      in_memory_fallback_enabled=True, swallow_errors=True)
    app.extensions["sign_in_limiter"] = limiter
    per_phone = limiter.shared_limit(lambda: _limit("SIGN_IN_FAILURES_PER_PHONE"),
                                     scope="sign-in-phone", key_func=_posted_phone,
                                     methods=["POST"], deduct_when=_failed)
    per_network = limiter.shared_limit(lambda: _limit("SIGN_IN_FAILURES_PER_NETWORK"),
                                       scope="sign-in-network", key_func=client_network,
                                       methods=["POST"], deduct_when=_failed)
    for endpoint in SIGN_IN_ENDPOINTS:
        app.view_functions[endpoint] = per_phone(per_network(app.view_functions[endpoint]))

    @app.errorhandler(RateLimitExceeded)
    def _too_many(_error):
        seconds = wait_seconds(limiter)
        message = _("Too many failed sign-ins. Please try again in %(minutes)s minutes.",
                    minutes=math.ceil(seconds / 60))
        if wants_json():
            response, status = error_response(429, message)
        else:
            status = 429
            response = current_app.make_response(render_template(
                "core/login.html", error=message, phone=request.form.get("phone", "")))
        response.status_code = status
        response.headers["Retry-After"] = str(seconds)
        return response

"""Who is asking: browser sessions (Flask-Login) and bearer tokens for machines."""

from __future__ import annotations

from flask import Flask, g, request
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager

from freshcircle.platform.core.services import accounts
from freshcircle.platform.extensions import db

METRICS_ENDPOINT = "metrics.metrics"


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def init_app(app: Flask, login_manager: LoginManager) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in first.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def _load_user(session_id: str):
        # Looked up by the rotating session id, never the user id: a cookie from before the
        # last sign-out, password change or deactivation finds nobody.
        return accounts.user_for_session(db.session, session_id)

    @login_manager.request_loader
    def _load_from_token(_request):
        token = bearer_token()
        if token is None or request.endpoint == METRICS_ENDPOINT:
            return None  # /metrics' bearer is the scrape token (web/metrics.py), no account
        user = accounts.user_for_token(db.session, token)
        g.authenticated_by_token = user is not None
        return user

"""The JSON API under /api/v1 (flask-smorest), its OpenAPI document and offline docs page."""

from __future__ import annotations

from pathlib import Path

import swagger_ui_bundle
from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    g,
    render_template,
    request,
    send_from_directory,
)
from flask_login import current_user
from flask_smorest import Api

from ..extensions import csrf

SWAGGER_DIR = Path(swagger_ui_bundle.swagger_ui_path)
ANONYMOUS_ENDPOINTS = {"tokens.issue_token"}


def _blueprints():
    from . import (
        batches,
        buyer_accounts,
        cart,
        certifications,
        dispatch,
        epcis,
        feedback,
        files,
        genealogy,
        inputs,
        labels,
        listings,
        notices,
        order_documents,
        orders,
        places,
        producers,
        products,
        quotes,
        sales_reports,
        shipments,
        temperatures,
        tests,
        tokens,
        vehicles,
    )

    return [
        tokens.blp, products.blp, producers.blp, batches.blp, inputs.blp, tests.blp,
        certifications.blp, files.blp, places.blp, shipments.blp, temperatures.blp,
        labels.blp, epcis.blp, genealogy.blp, genealogy.records_blp,
        notices.blp, orders.blp, listings.blp,
        quotes.blp, feedback.blp,
        cart.blp, buyer_accounts.blp,
        order_documents.blp, sales_reports.blp,
        vehicles.blp, dispatch.blp,
    ]


def register_api(app: Flask, api: Api) -> None:
    api.init_app(app)
    for blp in _blueprints():
        api.register_blueprint(blp, url_prefix=f"/api/v1{blp.url_prefix or ''}")
        csrf.exempt(blp)

    @app.before_request
    def _who_is_asking():
        """Every /api/v1 endpoint but token issuing needs a signed-in user or a bearer token.

        Checked before the body is parsed, so an anonymous caller learns nothing from
        validation messages.
        """
        if (
            request.path.startswith("/api/v1")
            and request.endpoint is not None  # unknown paths stay 404
            and request.endpoint not in ANONYMOUS_ENDPOINTS
            and not current_user.is_authenticated
        ):
            abort(401)

    @app.before_request
    def _csrf_for_cookie_clients():
        """Bearer-token clients need no CSRF token; browser sessions calling the API do."""
        if (
            current_app.config.get("WTF_CSRF_ENABLED", True)
            and request.path.startswith("/api/v1")
            and request.method not in ("GET", "HEAD", "OPTIONS")
            and current_user.is_authenticated
            and not g.get("authenticated_by_token")
        ):
            csrf.protect()

    docs = Blueprint("api_docs", __name__, template_folder="../templates")

    @docs.get("/api/docs")
    def swagger_ui():
        return render_template("api_docs.html")

    @docs.get("/api/docs/assets/<path:filename>")
    def swagger_assets(filename):
        return send_from_directory(SWAGGER_DIR, filename, max_age=86400)

    app.register_blueprint(docs)

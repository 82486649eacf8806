"""What every feature's API shares: the acting user, pagination of SELECTs, upload reading, and
putting the API on the app (who may call it, CSRF for browser sessions, the offline docs page)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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
from flask import abort as flask_abort
from flask_login import current_user
from flask_smorest import Api, Page
from flask_smorest import Blueprint as FlaskSmorestBlueprint
from sqlalchemy import Select, func, select

from freshcircle.platform.core.services.errors import PermissionDenied
from freshcircle.platform.extensions import csrf, db
from freshcircle.platform.models import Role, User
from freshcircle.platform.web.arguments import BoundedParser
from freshcircle.platform.web.schemas import Decimal, decimal_properties

# Every flask-smorest Blueprint parses its arguments (and pagination) with this parser
# (flask-smorest's hook for a custom parser). `@blp.arguments` takes the parser when it
# decorates, so it is set here, on import: blueprints.py (and every API module) imports this
# module before any API.
FlaskSmorestBlueprint.ARGUMENTS_PARSER = BoundedParser()
FlaskSmorestBlueprint.PAGINATION_ARGUMENTS_PARSER = BoundedParser()  # ?page=2**63 too

SWAGGER_DIR = Path(swagger_ui_bundle.swagger_ui_path)
ANONYMOUS_ENDPOINTS = {"tokens.issue_token"}


def actor() -> User:
    """The signed-in user or token owner; 401 for anonymous requests."""
    if not current_user.is_authenticated:
        flask_abort(401)
    return current_user._get_current_object()


def actor_with_role(*roles: Role) -> User:
    user = actor()
    if user.role not in roles:
        raise PermissionDenied()
    return user


@dataclass(frozen=True)
class Listing:
    """A `select()` to paginate, and a function that readies one page of rows for the schema.

    For lists whose output depends on the reader (a phone masked for outsiders, say): the
    function sees only the rows of the page, so it costs one query per page, not per row.
    """

    stmt: Select
    prepare: Callable[[list], list]


class SelectPage(Page):
    """Paginate a SQLAlchemy `select()` (or a `Listing`) with LIMIT/OFFSET and a COUNT."""

    @property
    def _stmt(self) -> Select:
        return self.collection.stmt if isinstance(self.collection, Listing) else self.collection

    @property
    def items(self):
        stmt = self._stmt.limit(self.page_params.page_size).offset(self.page_params.first_item)
        rows = db.session.scalars(stmt).all()
        if isinstance(self.collection, Listing):
            return self.collection.prepare(list(rows))
        return rows

    @property
    def item_count(self):
        count = select(func.count()).select_from(self._stmt.order_by(None).subquery())
        return db.session.scalar(count)


def read_upload(storage) -> bytes:
    return storage.read(current_app.config["MAX_FILE_BYTES"] + 1)


def register_api(app: Flask, api: Api, blueprints: list) -> None:
    """The Api on the app with `blueprints` under /api/v1, who may call it, and the docs page."""
    api.init_app(app)
    api.ma_plugin.map_to_openapi_type(Decimal, "string", "decimal")
    api.ma_plugin.converter.add_attribute_function(decimal_properties)
    for blp in blueprints:
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

    docs = Blueprint("api_docs", __name__)

    @docs.get("/api/docs")
    def swagger_ui():
        return render_template("api_docs.html")

    @docs.get("/api/docs/assets/<path:filename>")
    def swagger_assets(filename):
        return send_from_directory(SWAGGER_DIR, filename, max_age=86400)

    app.register_blueprint(docs)

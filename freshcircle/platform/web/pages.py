"""What every page module shares: who is asking, role checks, and showing service errors."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort, current_app, render_template, url_for
from flask_babel import get_locale
from flask_login import current_user, login_required
from sqlalchemy import Select
from sqlalchemy.orm import selectinload

from freshcircle.platform.core.services.errors import DomainError, InvalidInput
from freshcircle.platform.extensions import db
from freshcircle.platform.models import Batch, Place, Product, Role, User

FARM_ROLES = (Role.FARMER, Role.COOP_ADMIN)
STAFF_ROLES = (Role.INSPECTOR, Role.ADMIN)


def actor() -> User:
    """The signed-in user as a plain model object (the services take a User, not a proxy)."""
    return current_user._get_current_object()


def roles_required(*roles: Role) -> Callable:
    """Signed in (else the sign-in page) and holding one of `roles` (else the 403 page)."""

    def decorate(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorate


def landing_url(user: User) -> str:
    """Where each role starts after signing in."""
    if user.role == Role.INSPECTOR:
        return url_for("inspector.batches")
    if user.role == Role.ADMIN:
        return url_for("admin.users")
    if user.role == Role.CARRIER:
        return url_for("carrier_pages.shipments")
    return url_for("home.index")


def show_errors(form, error: InvalidInput) -> None:
    """Put each service message under the form field of the same name (else at the top)."""
    for name, messages in (error.errors or {}).items():
        if isinstance(messages, dict):
            continue  # structured details for API clients; the message says it in words
        texts = [str(m) for m in (messages if isinstance(messages, list | tuple) else [messages])]
        field = form._fields.get(name)
        if field is not None:
            field.errors = [*field.errors, *texts]
        else:
            form.form_errors.extend(texts)
    if not error.errors:
        form.form_errors.append(str(error.message))


def refusal(error: DomainError, *, rollback: bool = False) -> DomainError:
    """A service's refusal of a form's request, to re-render the form with: a 403 is raised
    instead (the 403 page, with the service's reason). `rollback` first discards what the
    refused change left in the session, so the page shows the record as stored."""
    if error.status_code == 403:
        raise error
    if rollback:
        db.session.rollback()
    return error


def form_page(template: str, form, error: DomainError | None = None, **context):
    """Render a form page; with a service error, show it and answer with its status code.

    422 (or 403/409) makes transactions.py roll back whatever the failed call flushed.
    """
    status = 200
    if error is not None:
        status = error.status_code
        if isinstance(error, InvalidInput):
            show_errors(form, error)
        else:
            form.form_errors.append(str(error.message))
    elif form.errors:
        status = 422
    return render_template(template, form=form, **context), status


def for_batch_cards(stmt: Select) -> Select:
    """Load what a batch card shows (product, producer, photos) in three queries, not 3 per row."""
    return stmt.options(selectinload(Batch.product), selectinload(Batch.producer),
                        selectinload(Batch.photos))


def product_label(product: Product) -> str:
    return product.name_en if str(get_locale()) == "en" else product.name_zh


def place_label(place: Place) -> str:
    return place.name_en if str(get_locale()) == "en" else place.name_zh


def max_file_bytes() -> int:
    return current_app.config["MAX_FILE_BYTES"]

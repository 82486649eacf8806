"""Helpers every API module uses: the acting user, pagination of SELECTs, upload reading."""

from __future__ import annotations

from flask import abort as flask_abort
from flask import current_app
from flask_login import current_user
from flask_smorest import Page
from sqlalchemy import func, select

from ..extensions import db
from ..models import Role, User
from ..services.errors import PermissionDenied


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


class SelectPage(Page):
    """Paginate a SQLAlchemy `select()` with LIMIT/OFFSET and a COUNT for the headers."""

    @property
    def items(self):
        stmt = self.collection.limit(self.page_params.page_size).offset(
            self.page_params.first_item
        )
        return db.session.scalars(stmt).all()

    @property
    def item_count(self):
        count = select(func.count()).select_from(self.collection.order_by(None).subquery())
        return db.session.scalar(count)


def read_upload(storage) -> bytes:
    return storage.read(current_app.config["MAX_FILE_BYTES"] + 1)

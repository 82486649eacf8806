"""Helpers every API module uses: the acting user, pagination of SELECTs, upload reading."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import abort as flask_abort
from flask import current_app
from flask_login import current_user
from flask_smorest import Page
from sqlalchemy import Select, func, select

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

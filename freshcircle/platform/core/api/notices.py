"""The caller's own inbox: hold and recall notices."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint

from freshcircle.platform.core.services import notices
from freshcircle.platform.extensions import db
from freshcircle.platform.web import fields
from freshcircle.platform.web.api import actor

blp = Blueprint("notices", __name__, url_prefix="/notices", description="The caller's inbox")


class NoticeSchema(ma.Schema):
    id = fields.Function(lambda v: v.notice.id)
    kind = fields.Function(lambda v: v.notice.kind)
    lot = fields.Function(lambda v: v.notice.subject)
    batch_id = fields.Function(lambda v: v.notice.batch_id)
    created_at = fields.Function(lambda v: v.notice.created_at.isoformat())
    read = fields.Function(lambda v: v.notice.read_at is not None)
    facts = fields.Dict()


class ReadSchema(ma.Schema):
    marked = fields.Integer()


@blp.get("")
@blp.response(200, NoticeSchema(many=True))
def list_notices():
    """The caller's notices, newest first (the latest 100)."""
    return notices.inbox(db.session, actor(), limit=100)


@blp.post("/<int:notice_id>/read")
@blp.response(200, ReadSchema)
@blp.alt_response(404, description="No notice of the caller's with this id")
def mark_read(notice_id):
    """Mark one of the caller's notices read (another user's id answers 404, as a missing one)."""
    return {"marked": notices.mark_read(db.session, actor(), notice_id)}

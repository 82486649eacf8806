"""Rating and dispute schemas."""

from __future__ import annotations

import marshmallow as ma
from flask_babel import lazy_gettext as _l
from marshmallow import validate

from freshcircle.platform.web import fields
from freshcircle.platform.web.schemas import StrictSchema, optional_text, required_text


class RatingInSchema(StrictSchema):
    stars = fields.Integer(required=True, strict=True, validate=validate.Range(
        min=1, max=5, error=_l("Give 1 to 5 stars.")))
    comment = optional_text(500)


class DisputeInSchema(StrictSchema):
    """JSON body; with a photo, send multipart/form-data with `text` and `photo` instead."""

    text = required_text(2000)


class ReplyInSchema(StrictSchema):
    reply = required_text(2000)


class RatingSchema(ma.Schema):
    order_id = fields.Integer()
    producer_id = fields.Integer()
    stars = fields.Integer()
    comment = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()


class RecentRatingSchema(ma.Schema):
    stars = fields.Integer()
    comment = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()


class DisputeSchema(ma.Schema):
    id = fields.Integer()
    order_id = fields.Integer()
    text = fields.String()
    status = fields.Function(lambda d: d.status.value)
    photo_url = fields.Function(
        lambda d: f"/api/v1/disputes/{d.id}/photo" if d.photo_id else None)
    reply = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    replied_at = fields.AwareDateTime(allow_none=True)


class RatingSummarySchema(ma.Schema):
    producer_id = fields.Integer()
    count = fields.Integer()
    average = fields.Decimal(as_string=True, allow_none=True,
                             metadata={"description": "Average stars, one decimal"})
    recent = fields.List(fields.Nested(RecentRatingSchema))

"""After delivery: ratings, disputes with a photo, the producer's answer, producer ratings."""

from __future__ import annotations

import marshmallow as ma
from flask import current_app, request
from flask_babel import lazy_gettext as _l
from flask_smorest import Blueprint

from freshcircle.platform.core.services.errors import InvalidInput, NotFound
from freshcircle.platform.extensions import db
from freshcircle.platform.market.schemas.feedback import (
    DisputeInSchema,
    DisputeSchema,
    RatingInSchema,
    RatingSchema,
    RatingSummarySchema,
    ReplyInSchema,
)
from freshcircle.platform.market.services import feedback, orders
from freshcircle.platform.models import Producer
from freshcircle.platform.web.api import actor, read_upload
from freshcircle.platform.web.downloads import stored_file_response

blp = Blueprint("feedback", __name__, description="Ratings and disputes after delivery")

DISPUTE_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": DisputeInSchema},
        "multipart/form-data": {"schema": {
            "type": "object", "required": ["text"],
            "properties": {"text": {"type": "string", "maxLength": 2000},
                           "photo": {"type": "string", "format": "binary",
                                     "description": "JPEG, PNG or WebP"}}}},
    },
}


@blp.post("/orders/<int:order_id>/rating")
@blp.arguments(RatingInSchema)
@blp.response(200, RatingSchema)
@blp.alt_response(409, description="The order has not been delivered")
def rate_order(data, order_id):
    """Rate the quality of your delivered order, 1 to 5 stars; again changes the rating."""
    user = actor()
    order = orders.get_order(db.session, user, order_id)
    return feedback.rate(db.session, user, order, data["stars"], data.get("comment"))


@blp.post("/orders/<int:order_id>/disputes")
@blp.doc(requestBody=DISPUTE_BODY)
@blp.response(201, DisputeSchema)
@blp.alt_response(409, description="The order has not been delivered")
def open_dispute(order_id):
    """Open a dispute about your delivered order: JSON `{"text"}`, or multipart/form-data with
    `text` and a `photo` (JPEG, PNG or WebP) kept with the dispute."""
    user = actor()
    order = orders.get_order(db.session, user, order_id)
    photo = None
    if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        text = request.form.get("text")
        upload = request.files.get("photo")
        if upload is not None and upload.filename:
            photo = (upload.filename, read_upload(upload))
    else:
        try:
            text = DisputeInSchema().load(request.get_json(silent=True) or {})["text"]
        except ma.ValidationError as error:
            raise InvalidInput(errors=error.messages) from None
    return feedback.open_dispute(db.session, user, order, text, photo=photo,
                                 max_bytes=current_app.config["MAX_FILE_BYTES"]), 201


@blp.get("/disputes/<int:dispute_id>")
@blp.response(200, DisputeSchema)
def get_dispute(dispute_id):
    """A dispute, for its order's buyer and producer; others get 404."""
    return feedback.get_dispute(db.session, actor(), dispute_id)


@blp.get("/disputes/<int:dispute_id>/photo")
@blp.response(200, description="The photo's bytes")
def dispute_photo(dispute_id):
    """The dispute's photo."""
    stored = feedback.dispute_photo(db.session, actor(), dispute_id)
    return stored_file_response(stored, as_attachment=False, cache_control="private, max-age=0")


@blp.post("/disputes/<int:dispute_id>/reply")
@blp.arguments(ReplyInSchema)
@blp.response(200, DisputeSchema)
@blp.alt_response(409, description="The dispute is closed")
def reply_dispute(data, dispute_id):
    """Answer a dispute (members of the order's producer); the status becomes answered."""
    user = actor()
    dispute = feedback.get_dispute(db.session, user, dispute_id)
    return feedback.reply(db.session, user, dispute, data["reply"])


@blp.post("/disputes/<int:dispute_id>/close")
@blp.response(200, DisputeSchema)
@blp.alt_response(409, description="Already closed")
def close_dispute(dispute_id):
    """Close your dispute (the buyer)."""
    user = actor()
    dispute = feedback.get_dispute(db.session, user, dispute_id)
    return feedback.close(db.session, user, dispute)


@blp.get("/producers/<int:producer_id>/ratings")
@blp.response(200, RatingSummarySchema)
def producer_ratings(producer_id):
    """A producer's average stars, how many ratings, and the latest 20 with their comments."""
    actor()
    if db.session.get(Producer, producer_id) is None:
        raise NotFound(_l("No such producer."))
    summary = feedback.rating_summary(db.session, producer_id)
    return {"producer_id": summary.producer_id, "count": summary.count,
            "average": summary.average,
            "recent": feedback.recent_ratings(db.session, producer_id)}

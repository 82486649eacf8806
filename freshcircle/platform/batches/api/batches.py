"""Batches (lots): register, read, edit, list, change status, add photos."""

from __future__ import annotations

from flask import current_app, jsonify, request
from flask_babel import lazy_gettext as _l
from flask_smorest import Blueprint

from freshcircle.platform.api_errors import error_body
from freshcircle.platform.batches.schemas.batches import (
    BatchCreateSchema,
    BatchKeyConflictSchema,
    BatchQuerySchema,
    BatchSchema,
    BatchStatusChangeSchema,
    BatchUpdateSchema,
)
from freshcircle.platform.batches.services import batches
from freshcircle.platform.batches.services.idempotency import IdempotencyKeyReused
from freshcircle.platform.contracts.services import offers
from freshcircle.platform.core.services.errors import InvalidInput
from freshcircle.platform.extensions import db
from freshcircle.platform.models import Role
from freshcircle.platform.trace.services import recalls
from freshcircle.platform.web.api import Listing, SelectPage, actor, actor_with_role
from freshcircle.platform.web.idempotency import idempotent

blp = Blueprint("batches", __name__, url_prefix="/batches", description="Produce batches (lots)")
READERS = (Role.FARMER, Role.COOP_ADMIN, Role.INSPECTOR, Role.ADMIN)


@blp.get("")
@blp.arguments(BatchQuerySchema, location="query", as_kwargs=True)
@blp.response(200, BatchSchema(many=True))
@blp.paginate(SelectPage)
def list_batches(**filters):
    """List batches the caller may see, newest harvest first.

    Farmers see their producers' batches; inspectors and admins see all; buyers and
    carriers see none (farm-internal records).
    """
    stmt = batches.batches_query(actor_with_role(*READERS), **filters)
    return Listing(stmt, lambda page: batches.attach_facts(db.session, page))


@blp.post("")
@idempotent(blp)
@blp.arguments(BatchCreateSchema)
@blp.response(201, BatchSchema)
@blp.alt_response(200, schema=BatchSchema, description="Replay of an earlier idempotency key")
@blp.alt_response(409, schema=BatchKeyConflictSchema,
                  description="The idempotency key registered a different batch: that batch")
def create_batch(data):
    """Register a batch; the lot code is assigned (county, harvest date, sequence)."""
    user = actor()
    try:
        batch, created = batches.create_batch(db.session, user, data)
    except IdempotencyKeyReused as reused:
        batches.attach_facts(db.session, [reused.existing])
        body = error_body(reused.status_code, reused.message, reused.errors)
        body["existing"] = BatchSchema().dump(reused.existing)
        return jsonify(body), reused.status_code
    if created:  # a contracted planting's harvest goes to its forward contract first
        offers.offer_registered_batch(db.session, user, batch)
    batches.attach_facts(db.session, [batch])
    return batch, 201 if created else 200


@blp.get("/<int:batch_id>")
@blp.response(200, BatchSchema)
def get_batch(batch_id):
    """One batch, with its safety-interval status and stock left."""
    batch = batches.get_batch(db.session, actor(), batch_id)
    return batches.attach_facts(db.session, [batch])[0]


@blp.patch("/<int:batch_id>")
@blp.arguments(BatchUpdateSchema)
@blp.response(200, BatchSchema)
def update_batch(changes, batch_id):
    """Edit a batch's variety, plot, harvest date, quantity, grade or notes."""
    user = actor()
    batch = batches.update_batch(db.session, user, batches.get_batch(db.session, user, batch_id),
                                 changes)
    return batches.attach_facts(db.session, [batch])[0]


@blp.post("/<int:batch_id>/status")
@blp.arguments(BatchStatusChangeSchema)
@blp.response(200, BatchSchema)
@blp.alt_response(409, description="Transition not allowed, e.g. 安全间隔期未满")
def change_status(data, batch_id):
    """Move a batch to another status (list, unlist, sold out; hold or recall by inspectors).

    A hold or recall reaches every lot made from this one (splits, merges) and sends a notice
    to every buyer, carrier and producer member concerned; `GET .../trace` lists them."""
    user = actor()
    batch = batches.get_batch(db.session, user, batch_id)
    if data["status"] in recalls.RESTRICTIONS:
        recalls.restrict(db.session, user, batch, data["status"], data.get("reason"))
    else:
        batches.change_status(db.session, user, batch, data["status"], data.get("reason"))
    return batches.attach_facts(db.session, [batch])[0]


@blp.post("/<int:batch_id>/photos")
@idempotent(blp)
@blp.response(201, BatchSchema)
def add_photo(batch_id):
    """Attach a photo (multipart form field `photo`: JPEG, PNG or WebP)."""
    user = actor()
    batch = batches.get_batch(db.session, user, batch_id)
    upload = request.files.get("photo")
    if upload is None or not upload.filename:
        raise InvalidInput.field("photo", _l("Choose a photo to upload."))
    batches.attach_photo(db.session, user, batch, upload, upload.filename,
                         current_app.config["MAX_FILE_BYTES"])
    return batches.attach_facts(db.session, [batch])[0], 201

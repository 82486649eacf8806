"""Batches (lots): registration with lot codes, edits, status changes and stock."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import BinaryIO

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from freshcircle.platform.batches.services.idempotency import IdempotencyKeyReused, request_hash
from freshcircle.platform.batches.services.lot_stock import LotStock, remaining, remaining_by_batch
from freshcircle.platform.core.services import files
from freshcircle.platform.core.services.access import (
    internal_filter,
    require_member,
    require_view_internal,
)
from freshcircle.platform.core.services.clock import today_in_china, too_early
from freshcircle.platform.core.services.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from freshcircle.platform.core.services.quantities import to_grams
from freshcircle.platform.farms.services.plots import chosen_plot
from freshcircle.platform.farms.services.safety import (
    SafetyStatus,
    harvest_status,
    interval_refusal,
    safety_status,
    safety_statuses,
)
from freshcircle.platform.ledger.services import epcis_events
from freshcircle.platform.models import (
    Batch,
    BatchPhoto,
    BatchStatus,
    Producer,
    Product,
    Role,
    StoredFile,
    User,
)
from freshcircle.platform.plantings.services.plantings import planting_harvested

# GS1 AI (10) allows up to 20 characters of the GS1 82-character set; ours are a readable subset.
LOT_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9\-]{0,19}$")
EDITABLE_FIELDS = ("variety", "grade", "notes", "harvest_date")
# A held or recalled batch is in an inspector's hands: its record stays as it was.
LOCKED_STATUSES = (BatchStatus.RECALLED, BatchStatus.HELD)
LOCKED_MESSAGE = _l("A held or recalled batch cannot be edited.")

# Who may move a batch from one status to another: producer members, or staff only.
MEMBER_TRANSITIONS = {
    BatchStatus.REGISTERED: {BatchStatus.LISTED},
    BatchStatus.LISTED: {BatchStatus.REGISTERED, BatchStatus.SOLD_OUT},
    BatchStatus.SOLD_OUT: {BatchStatus.LISTED},
}
STAFF_TRANSITIONS = {
    BatchStatus.REGISTERED: {BatchStatus.HELD, BatchStatus.RECALLED},
    BatchStatus.LISTED: {BatchStatus.HELD, BatchStatus.RECALLED},
    BatchStatus.SOLD_OUT: {BatchStatus.HELD, BatchStatus.RECALLED},
    BatchStatus.USED_UP: {BatchStatus.HELD, BatchStatus.RECALLED},
    BatchStatus.HELD: {BatchStatus.REGISTERED, BatchStatus.RECALLED},
}



def lot_code_prefix(producer: Producer, harvest_date: dt.date) -> str:
    return f"FY{producer.county_code}-{harvest_date:%y%m%d}-"


def next_lot_code(session: Session, producer: Producer, harvest_date: dt.date) -> str:
    """`FY341222-261126-003`: county code, harvest date (YYMMDD), sequence; 19 characters."""
    prefix = lot_code_prefix(producer, harvest_date)
    existing = session.scalars(
        select(Batch.lot_code).where(
            Batch.producer_id == producer.id, Batch.lot_code.startswith(prefix)
        )
    ).all()
    numbers = [int(code[len(prefix):]) for code in existing if code[len(prefix):].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


def get_batch(session: Session, actor: User, batch_id: int) -> Batch:
    batch = session.get(Batch, batch_id)
    if batch is None:
        raise NotFound(_l("No such batch."))
    require_view_internal(session, actor, batch.producer_id)
    return batch


def create_batch(session: Session, actor: User, data: dict) -> tuple[Batch, bool]:
    """Register a batch; returns (batch, created).

    A repeated `idempotency_key` for the same producer and the same request returns the first
    batch unchanged, so a phone that resends a form on a flaky network does not register the
    lot twice; the same key with a different request raises IdempotencyKeyReused (409).
    """
    producer = session.get(Producer, data.get("producer_id") or 0)
    if producer is None:
        raise InvalidInput.field("producer_id", _l("No such producer."))
    require_member(session, actor, producer.id)
    key = (data.get("idempotency_key") or "").strip() or None
    if key:
        earlier = session.scalar(
            select(Batch).where(Batch.producer_id == producer.id, Batch.idempotency_key == key)
        )
        if earlier is not None:
            if earlier.idempotency_hash not in (None, request_hash(data)):
                raise IdempotencyKeyReused(earlier)
            return earlier, False
    errors: dict[str, list] = {}
    product = session.get(Product, data.get("product_id") or 0)
    if product is None:
        errors["product_id"] = [_l("Choose a product from the catalog.")]
    grams = to_grams(data.get("quantity"), data.get("unit") or "kg")
    if grams is None:
        errors["quantity"] = [_l("Enter a weight above zero (whole grams).")]
    harvest_date = data.get("harvest_date")
    if harvest_date is None:
        errors["harvest_date"] = [_l("This field is required.")]
    elif harvest_date > today_in_china():
        errors["harvest_date"] = [_l("The harvest date cannot be in the future.")]
    elif too_early(harvest_date):
        errors["harvest_date"] = [_l("Enter a date from 2000-01-01 on.")]
    try:
        plot = chosen_plot(session, actor, producer.id, data, create=not errors)
    except InvalidInput as error:
        errors.update(error.errors)
    if not errors and plot.id is not None:
        status = harvest_status(session, plot.id, harvest_date)
        if not status.ok and not data.get("confirm_in_interval"):
            errors.update(interval_refusal(plot.name, status))
    if errors:
        raise InvalidInput(errors=errors)
    if product not in plot.crops:
        plot.crops.append(product)
    batch = Batch(
        producer=producer,
        product=product,
        lot_code=next_lot_code(session, producer, harvest_date),
        variety=(data.get("variety") or "").strip() or None,
        plot=plot,
        # Planned against actual builds up by itself: the planting this harvest comes from.
        planting=planting_harvested(session, plot.id, product.id, harvest_date)
        if plot.id is not None else None,
        harvest_date=harvest_date,
        quantity_g=grams,
        grade=(data.get("grade") or "").strip() or None,
        notes=(data.get("notes") or "").strip() or None,
        idempotency_key=key,
        idempotency_hash=request_hash(data) if key else None,
        created_by_id=actor.id,
    )
    session.add(batch)
    session.flush()
    epcis_events.record_batch_registered(session, batch, actor)
    return batch, True


def lock_batch(session: Session, batch_id: int) -> Batch | None:
    """The batch, its row locked until the transaction ends (FOR UPDATE; SQLite serialises
    writers anyway).

    Whoever changes what is committed from a batch (shipment lines, its quantity) takes this
    lock before counting, so two requests cannot both see the same grams remaining.
    """
    return session.scalar(
        select(Batch)
        .where(Batch.id == batch_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def update_batch(session: Session, actor: User, batch: Batch, changes: dict) -> Batch:
    """Edit a batch's descriptive fields or quantity. The lot code never changes."""
    require_member(session, actor, batch.producer_id)
    if batch.status in LOCKED_STATUSES:
        raise Conflict(LOCKED_MESSAGE)
    errors: dict[str, list] = {}
    grams = None
    if "quantity" in changes:
        # Lock first, so a shipment line added meanwhile is counted (see lock_batch).
        lock_batch(session, batch.id)
        grams = to_grams(changes["quantity"], changes.get("unit") or "kg")
        if grams is None:
            errors["quantity"] = [_l("Enter a weight above zero (whole grams).")]
        elif grams < committed_grams(session, batch):
            errors["quantity"] = [_l("Less than what is already on shipments.")]
    if changes.get("harvest_date") and changes["harvest_date"] > today_in_china():
        errors["harvest_date"] = [_l("The harvest date cannot be in the future.")]
    elif too_early(changes.get("harvest_date")):
        errors["harvest_date"] = [_l("Enter a date from 2000-01-01 on.")]
    plot = None
    if "plot_id" in changes or (changes.get("new_plot_name") or "").strip():
        try:
            plot = chosen_plot(session, actor, batch.producer_id, changes, create=not errors)
        except InvalidInput as error:
            errors.update(error.errors)
    if errors:
        raise InvalidInput(errors=errors)
    if grams is not None:  # nothing changes until every field has passed
        batch.quantity_g = grams
    if plot is not None:
        batch.plot = plot
    for key in EDITABLE_FIELDS:
        if key in changes:
            value = changes[key]
            setattr(batch, key, value.strip() or None if isinstance(value, str) else value)
    if plot is not None or "harvest_date" in changes:
        session.flush()  # a new plot gets its id
        batch.planting = planting_harvested(session, batch.plot_id, batch.product_id,
                                            batch.harvest_date)
    session.flush()
    return batch


def change_status(
    session: Session, actor: User, batch: Batch, new_status: BatchStatus, reason: str | None = None
) -> Batch:
    """Move a batch along its life cycle; listing is refused while a safety interval runs."""
    new_status = check_status_change(session, actor, batch, new_status, reason)
    batch.status = new_status
    batch.status_reason = (reason or "").strip() or None
    session.flush()
    epcis_events.record_batch_status(session, batch, actor)
    return batch


def check_status_change(session: Session, actor: User, batch: Batch, new_status: BatchStatus,
                        reason: str | None = None) -> BatchStatus:
    """Refuse (with the reason) what `change_status` would refuse; changes nothing. The recall
    confirm page asks this before it shows who would be told."""
    require_view_internal(session, actor, batch.producer_id)
    new_status = BatchStatus(new_status)
    staff = actor.is_staff
    allowed = (STAFF_TRANSITIONS if staff else MEMBER_TRANSITIONS).get(batch.status, set())
    if actor.role == Role.ADMIN:
        allowed = allowed | MEMBER_TRANSITIONS.get(batch.status, set())
    if new_status not in allowed:
        if not staff and new_status in (BatchStatus.HELD, BatchStatus.RECALLED):
            raise PermissionDenied(_l("Only an inspector can hold or recall a batch."))
        raise Conflict(
            _l("A batch cannot go from %(old)s to %(new)s.",
               old=batch_status_label(batch.status), new=batch_status_label(new_status))
        )
    if not staff:
        require_member(session, actor, batch.producer_id)
    if new_status in (BatchStatus.HELD, BatchStatus.RECALLED) and not (reason or "").strip():
        raise InvalidInput.field("reason", _l("Give a reason for holding or recalling."))
    if new_status == BatchStatus.LISTED:
        status = safety_status(session, batch)
        if not status.ok:
            raise Conflict(
                _l("安全间隔期未满: harvested before the pre-harvest interval ended. "
                   "A harvest from this plot is allowed from %(date)s.",
                   date=format_date(status.safe_from, "long")),
                errors={"safety_interval": {"safe_from": status.safe_from.isoformat()}},
            )
    return new_status


def batch_status_label(status: BatchStatus):
    return {
        BatchStatus.REGISTERED: _l("registered"),
        BatchStatus.LISTED: _l("listed"),
        BatchStatus.SOLD_OUT: _l("sold out"),
        BatchStatus.USED_UP: _l("all made into new lots"),
        BatchStatus.HELD: _l("held"),
        BatchStatus.RECALLED: _l("recalled"),
    }[BatchStatus(status)]


def committed_grams(session: Session, batch: Batch) -> int:
    """Grams of the batch no longer free: transformed away, on shipments, ordered, or still
    offered by its listing (`lot_stock`)."""
    return batch.quantity_g - remaining(session, batch).free_g


def remaining_grams(session: Session, batch: Batch) -> int:
    """What a shipment or a new listing may still take: what remains of the lot beyond its
    listing's unsold offer (`LotStock.free_g`). The figure pages show is
    `lot_stock.remaining(...).remaining_g`."""
    return remaining(session, batch).free_g


@dataclass(frozen=True)
class BatchFacts:
    """What a reader of a batch needs beside its columns: safety interval and stock left."""

    safety: SafetyStatus
    stock: LotStock

    @property
    def remaining_g(self) -> int:
        return self.stock.remaining_g


def attach_facts(session: Session, batches: list[Batch]) -> list[Batch]:
    """Set `batch.facts` on each batch with a few queries in all (no N+1 on lists)."""
    safety = safety_statuses(session, batches)
    stock = remaining_by_batch(session, batches)
    for batch in batches:
        batch.facts = BatchFacts(safety[batch.id], stock[batch.id])
    return batches


def attach_photo(session: Session, actor: User, batch: Batch, upload: BinaryIO, filename: str,
                 max_bytes: int) -> BatchPhoto:
    """Keep an uploaded photo (JPEG, PNG or WebP, at most `max_bytes`) and add it to `batch`."""
    stored = files.attach_file(session, actor, producer_id=batch.producer_id, upload=upload,
                               filename=filename, max_bytes=max_bytes,
                               allowed=files.IMAGE_TYPES, field="photo")
    return add_photo(session, actor, batch, stored)


def add_photo(session: Session, actor: User, batch: Batch, stored: StoredFile) -> BatchPhoto:
    require_member(session, actor, batch.producer_id)
    if not stored.content_type.startswith("image/"):
        raise InvalidInput.field("photo", _l("A photo must be a JPEG, PNG or WebP image."))
    photo = BatchPhoto(batch=batch, file=stored)
    session.add(photo)
    session.flush()
    return photo


def batches_query(
    actor: User,
    *,
    producer_id: int | None = None,
    product_id: int | None = None,
    status: BatchStatus | None = None,
    harvested_from: dt.date | None = None,
    harvested_to: dt.date | None = None,
    q: str | None = None,
) -> Select:
    """Batches the actor may see, newest harvest first, with optional filters."""
    stmt = (
        select(Batch)
        .where(internal_filter(actor, Batch.producer_id))
        .order_by(Batch.harvest_date.desc(), Batch.id.desc())
    )
    if producer_id:
        stmt = stmt.where(Batch.producer_id == producer_id)
    if product_id:
        stmt = stmt.where(Batch.product_id == product_id)
    if status:
        stmt = stmt.where(Batch.status == status)
    if harvested_from:
        stmt = stmt.where(Batch.harvest_date >= harvested_from)
    if harvested_to:
        stmt = stmt.where(Batch.harvest_date <= harvested_to)
    if q:
        stmt = stmt.where(Batch.lot_code.contains(q.upper(), autoescape=True)
                          | Batch.variety.contains(q, autoescape=True))
    return stmt


def search_batches_query(actor: User, *, county_code: str | None = None, **filters) -> Select:
    """`batches_query` plus a filter on the producer's county (the inspector's search)."""
    stmt = batches_query(actor, **filters)
    if county_code:
        stmt = stmt.where(
            Batch.producer_id.in_(select(Producer.id).where(Producer.county_code == county_code))
        )
    return stmt

"""After delivery: the buyer's quality rating, disputes with a photo, the producer's answer.

Once an order is delivered (or completed) its buyer rates the quality 1 to 5 stars with an
optional comment; one rating per order, which the buyer may change. The buyer may open a
dispute with a text and an optional photo (JPEG, PNG or WebP, kept in the same transaction as
the dispute); a member of the order's producer answers it (`answered`) and the buyer closes it.
The photo is stored for the order's producer, so the producer's members see it through the
files pages too; the buyer sees it through `dispute_photo`.

Everyone else gets 404 for these orders and disputes (`orders.get_order`), so their existence
does not leak.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from freshcircle.platform.core.services import files
from freshcircle.platform.core.services.access import PRODUCER_ROLES, is_member
from freshcircle.platform.core.services.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from freshcircle.platform.market.services import orders
from freshcircle.platform.models import (
    Dispute,
    DisputeStatus,
    Order,
    OrderStatus,
    Rating,
    Role,
    StoredFile,
    User,
)

AFTER_DELIVERY = (OrderStatus.DELIVERED, OrderStatus.COMPLETED)
COMMENT_MAX = 500
TEXT_MAX = 2000


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now(dt.UTC)


def _require_buyer(order: Order, buyer: User) -> None:
    if order.buyer_id != buyer.id:
        raise PermissionDenied(_l("Only the buyer can do this."))


def _require_delivered(order: Order) -> None:
    if order.status not in AFTER_DELIVERY:
        raise Conflict(_l("This can be done once the order has been delivered."))


def _text(value, limit: int, required: bool) -> tuple[str | None, object | None]:
    text = (value or "").strip()
    if required and not text:
        return None, _l("This field is required.")
    if len(text) > limit:
        return None, _l("At most %(max)d characters.", max=limit)
    return text or None, None


# --- ratings ------------------------------------------------------------------------------

def rating_for(session: Session, order: Order) -> Rating | None:
    return session.get(Rating, order.id)


def rate(session: Session, buyer: User, order: Order, stars, comment=None,
         now: dt.datetime | None = None) -> Rating:
    """Rate a delivered order 1-5 stars (again changes the one rating)."""
    _require_buyer(order, buyer)
    _require_delivered(order)
    errors: dict[str, list] = {}
    try:
        value = int(stars)
    except (TypeError, ValueError):
        value = 0
    if str(stars).strip() != str(value) or not 1 <= value <= 5:
        errors["stars"] = [_l("Give 1 to 5 stars.")]
    text, problem = _text(comment, COMMENT_MAX, required=False)
    if problem:
        errors["comment"] = [problem]
    if errors:
        raise InvalidInput(errors=errors)
    rating = session.get(Rating, order.id)
    if rating is None:
        rating = Rating(order_id=order.id, producer_id=order.producer_id,
                        created_at=_now(now))
        session.add(rating)
    rating.stars, rating.comment = value, text
    session.flush()
    return rating


@dataclass(frozen=True)
class RatingSummary:
    producer_id: int
    count: int
    average: Decimal | None  # one decimal, None before the first rating


def rating_summary(session: Session, producer_id: int) -> RatingSummary:
    """A producer's average stars (one decimal) and how many ratings it has."""
    count, total = session.execute(
        select(func.count(Rating.order_id), func.coalesce(func.sum(Rating.stars), 0))
        .where(Rating.producer_id == producer_id)).one()
    if not count:
        return RatingSummary(producer_id, 0, None)
    average = (Decimal(int(total)) / count).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return RatingSummary(producer_id, count, average)


def recent_ratings(session: Session, producer_id: int, limit: int = 20) -> list[Rating]:
    return list(session.scalars(select(Rating).where(Rating.producer_id == producer_id)
                                .order_by(Rating.created_at.desc()).limit(limit)))


# --- disputes -----------------------------------------------------------------------------

def _photo_problem(data: bytes, max_bytes: int):
    """What save_upload would refuse, checked before anything is written."""
    if not data:
        return _l("The file is empty.")
    if len(data) > max_bytes:
        return _l("The file is larger than %(mb)s MB.", mb=max_bytes // (1024 * 1024))
    if files.sniff_type(data) not in files.IMAGE_TYPES:
        return _l("A photo must be a JPEG, PNG or WebP image.")
    return None


def open_dispute(session: Session, buyer: User, order: Order, text, *,
                 photo: tuple[str, bytes] | None = None, max_bytes: int,
                 now: dt.datetime | None = None) -> Dispute:
    """Open a dispute about a delivered order; `photo` is (filename, bytes) or None."""
    _require_buyer(order, buyer)
    _require_delivered(order)
    errors: dict[str, list] = {}
    body, problem = _text(text, TEXT_MAX, required=True)
    if problem:
        errors["text"] = [problem]
    if photo is not None:
        problem = _photo_problem(photo[1], max_bytes)
        if problem:
            errors["photo"] = [problem]
    if errors:
        raise InvalidInput(errors=errors)
    stored = None
    if photo is not None:
        # The buyer is not a member of the producer, so not files.store_file: the checks
        # above are this caller's permission check, as save_upload asks.
        stored = files.save_upload(session, buyer, producer_id=order.producer_id,
                                   filename=photo[0], data=photo[1], allowed=files.IMAGE_TYPES,
                                   max_bytes=max_bytes, field="photo")
    dispute = Dispute(order_id=order.id, opened_by_id=buyer.id, text=body,
                      photo_id=stored.id if stored else None, status=DisputeStatus.OPEN,
                      created_at=_now(now))
    session.add(dispute)
    session.flush()
    return dispute


def get_dispute(session: Session, actor: User, dispute_id: int) -> Dispute:
    """A dispute its order's buyer, producer members or staff may see; others get 404."""
    dispute = session.get(Dispute, dispute_id)
    if dispute is None:
        raise NotFound(_l("No such dispute."))
    try:
        orders.get_order(session, actor, dispute.order_id)
    except NotFound:
        raise NotFound(_l("No such dispute.")) from None
    return dispute


def disputes_for(session: Session, order: Order) -> list[Dispute]:
    return list(session.scalars(select(Dispute).where(Dispute.order_id == order.id)
                                .order_by(Dispute.created_at, Dispute.id)))


def can_reply(session: Session, actor: User, order: Order) -> bool:
    return actor.role in PRODUCER_ROLES and is_member(session, actor, order.producer_id)


def reply(session: Session, actor: User, dispute: Dispute, text,
          now: dt.datetime | None = None) -> Dispute:
    """The producer's answer (a member of the order's producer); may be revised until closed."""
    order = session.get(Order, dispute.order_id)
    if not can_reply(session, actor, order):
        raise PermissionDenied(_l("Only the producer can do this."))
    if dispute.status == DisputeStatus.CLOSED:
        raise Conflict(_l("This dispute is closed."))
    body, problem = _text(text, TEXT_MAX, required=True)
    if problem:
        raise InvalidInput.field("reply", problem)
    dispute.reply, dispute.replied_by_id, dispute.replied_at = body, actor.id, _now(now)
    dispute.status = DisputeStatus.ANSWERED
    session.flush()
    return dispute


def close(session: Session, buyer: User, dispute: Dispute) -> Dispute:
    """The buyer closes their dispute (answered or not)."""
    order = session.get(Order, dispute.order_id)
    if order.buyer_id != buyer.id and buyer.role != Role.ADMIN:
        raise PermissionDenied(_l("Only the buyer can do this."))
    if dispute.status == DisputeStatus.CLOSED:
        raise Conflict(_l("This dispute is closed."))
    dispute.status = DisputeStatus.CLOSED
    session.flush()
    return dispute


def dispute_photo(session: Session, actor: User, dispute_id: int) -> StoredFile:
    dispute = get_dispute(session, actor, dispute_id)
    if dispute.photo_id is None:
        raise NotFound()
    return session.get(StoredFile, dispute.photo_id)

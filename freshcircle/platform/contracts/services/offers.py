"""The harvest of a contracted planting is offered to its contract first.

What is offered: the due quantity (agreed, not yet ordered, in whole 斤) of the contract's
current or next delivery week. From where: active listings of batches harvested from the
contract's plantings (of its product and grade; with a passing residue test when the contract
requires one), oldest harvest first. How: each quantity is taken with the marketplace's own
`listings.reserve` (one conditional UPDATE), so a contract and market buyers racing for the
same listing can never take more than it offers; what was taken becomes one ordinary market
order for the buyer's site at the contract price, confirmed at once. Cut-offs, dispatch
planning, delivery and invoices then treat it like any confirmed order.

When it happens (`offer_due`):
- a batch is registered from a contracted planting (`offer_registered_batch`, called by the
  batch pages and API in the same transaction). A new batch has no listing yet, so one is
  created for it holding exactly the contract's due quantity (or the whole batch if less) at
  the contract price; the producer raises that listing's quantity to sell the rest on the
  market. A batch that may not be listed (safety interval, failed test) or needs a residue
  test first is left alone;
- the contract becomes confirmed (what is already listed from its plantings);
- the producer asks for it on the contract ("offer now"), e.g. after listing a batch or once
  its residue test has passed.
"""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from freshcircle.platform.contracts.services.contract_access import is_producer_side
from freshcircle.platform.contracts.services.contract_weeks import week_rows
from freshcircle.platform.core.services.clock import CHINA, today_in_china
from freshcircle.platform.core.services.errors import Conflict, DomainError, PermissionDenied
from freshcircle.platform.core.services.money import fen_to_yuan
from freshcircle.platform.core.services.quantities import grams_to_jin
from freshcircle.platform.market.services import delivery, listings, order_events, order_notices
from freshcircle.platform.models import (
    Batch,
    ContractOrder,
    ContractStatus,
    ForwardContract,
    Listing,
    ListingStatus,
    Order,
    OrderLine,
    OrderStatus,
    PriceKind,
    ResidueTest,
    Role,
    TestResult,
    User,
    contract_plantings,
)

JIN = 500
OFFERING = (ContractStatus.CONFIRMED, ContractStatus.ACTIVE)
TRIES = 3


def contract_price(session: Session, contract: ForwardContract) -> int:
    """Fen per 斤: the fixed price, or the market's going price of the product (the mean of
    its active listings' prices) kept inside the band; the band's middle when none is listed."""
    if contract.price_kind == PriceKind.FIXED:
        return int(contract.price_fen_per_jin)
    low, high = int(contract.band_min_fen), int(contract.band_max_fen)
    going = session.scalar(select(func.avg(Listing.price_fen_per_jin)).where(
        Listing.product_id == contract.product_id, Listing.status == ListingStatus.ACTIVE))
    if going is None:
        return (low + high) // 2
    return min(max(round(float(going)), low), high)


def due_week(session: Session, contract: ForwardContract,
             today: dt.date) -> tuple[dt.date, int] | None:
    """(week start, grams due) of the current or next delivery week with something due."""
    for row in week_rows(session, contract):
        if row.week_end < today:
            continue
        if row.week_start > today + dt.timedelta(days=7):
            return None
        due = row.due_g - row.due_g % JIN
        if due > 0:
            return row.week_start, due
    return None


def _passed_test(session: Session, batch_id: int) -> bool:
    return bool(session.scalar(select(ResidueTest.id).where(
        ResidueTest.batch_id == batch_id, ResidueTest.result == TestResult.PASS).limit(1)))


def _source_listings(session: Session, contract: ForwardContract) -> list[Listing]:
    stmt = (select(Listing).join(Batch, Batch.id == Listing.batch_id)
            .where(Batch.planting_id.in_(select(contract_plantings.c.planting_id).where(
                       contract_plantings.c.contract_id == contract.id)),
                   Listing.product_id == contract.product_id,
                   Listing.status == ListingStatus.ACTIVE)
            .order_by(Listing.harvest_date, Listing.id))
    if contract.grade:
        stmt = stmt.where(Batch.grade == contract.grade)
    found = list(session.scalars(stmt))
    if contract.residue_test_required:
        found = [listing for listing in found if _passed_test(session, listing.batch_id)]
    return found


def _take(session: Session, listing_id: int, wanted_g: int) -> int:
    """Reserve up to `wanted_g` (whole 斤) of the listing, as much as is left; 0 if none."""
    for _ in range(TRIES):
        left = session.scalar(select(Listing.offered_g - Listing.sold_g).where(
            Listing.id == listing_id, Listing.status == ListingStatus.ACTIVE)) or 0
        grams = min(wanted_g, left)
        grams -= grams % JIN
        if grams <= 0:
            return 0
        try:
            listings.reserve(session, listing_id, grams)
        except Conflict:  # another buyer took some meanwhile: look again
            continue
        return grams
    return 0


def _dispatch_date(contract: ForwardContract, week_start: dt.date, now: dt.datetime) -> dt.date:
    """The producer's first dispatch day open now and not before the delivery week."""
    eve = dt.datetime.combine(week_start - dt.timedelta(days=1), dt.time(0), CHINA)
    return delivery.dispatch_date_for(contract.producer, max(now, eve))


def offer_due(session: Session, actor: User, contract: ForwardContract,
              now: dt.datetime | None = None) -> Order | None:
    """Order what the contract is due from its plantings' listings; the order, or None."""
    now = now or dt.datetime.now(dt.UTC)
    if contract.status not in OFFERING:
        return None
    found = due_week(session, contract, today_in_china(now))
    if found is None:
        return None
    week_start, due = found
    price = contract_price(session, contract)
    taken: list[tuple[Listing, int]] = []
    for listing in _source_listings(session, contract):
        grams = _take(session, listing.id, due)
        if grams:
            taken.append((listing, grams))
            due -= grams
        if due <= 0:
            break
    if not taken:
        return None
    order = Order(buyer_id=contract.buyer_id, producer_id=contract.producer_id,
                  site_id=contract.site_id, dispatch_date=_dispatch_date(contract, week_start, now),
                  status=OrderStatus.CONFIRMED, freight_fen=0, placed_at=now, confirmed_at=now,
                  notes=f"订单农业合同 #{contract.id}")
    order.lines = [OrderLine(listing=listing, batch=listing.batch, quantity_g=grams,
                             price_fen_per_jin=price) for listing, grams in taken]
    session.add(order)
    session.flush()
    weight = sum(grams for _, grams in taken)
    order.freight_fen = delivery.estimate(session, contract.producer, contract.site, weight,
                                          now).freight_fen
    session.add(ContractOrder(order_id=order.id, contract_id=contract.id, week_start=week_start))
    contract.status = ContractStatus.ACTIVE
    session.flush()
    session.refresh(contract, ["orders"])
    order_events.record_sale(session, order, actor)
    order_notices.tell(session, order, "order_placed", now)
    order_notices.tell(session, order, "order_confirmed", now)
    return order


def offer_now(session: Session, actor: User, contract: ForwardContract,
              now: dt.datetime | None = None) -> Order | None:
    """The producer asks for the due quantity to be ordered from what is listed now."""
    if not (actor.role == Role.ADMIN or is_producer_side(session, actor, contract)):
        raise PermissionDenied(_l("Only the producer can do this."))
    if contract.status not in OFFERING:
        raise Conflict(_l("This contract is not confirmed, or it is closed."))
    return offer_due(session, actor, contract, now)


def offer_registered_batch(session: Session, actor: User, batch: Batch,
                           now: dt.datetime | None = None) -> list[Order]:
    """A batch was just registered: if it harvests a contracted planting, list the contract's
    due quantity from it and order that for the contract (see the module docstring)."""
    now = now or dt.datetime.now(dt.UTC)
    if batch.planting_id is None:
        return []
    contracts = list(session.scalars(
        select(ForwardContract).join(contract_plantings,
                                     contract_plantings.c.contract_id == ForwardContract.id)
        .where(contract_plantings.c.planting_id == batch.planting_id,
               ForwardContract.status.in_(OFFERING),
               ForwardContract.product_id == batch.product_id)
        .order_by(ForwardContract.id)))
    made = []
    for contract in contracts:
        if contract.grade and batch.grade != contract.grade:
            continue
        if contract.residue_test_required and not _passed_test(session, batch.id):
            continue  # a test first; then "offer now"
        try:  # a refusal here must not undo the batch's registration
            with session.begin_nested():
                if not _ensure_listing(session, actor, contract, batch, now):
                    continue
                order = offer_due(session, actor, contract, now)
        except DomainError:
            continue
        if order is not None:
            made.append(order)
    return made


def _ensure_listing(session: Session, actor: User, contract: ForwardContract, batch: Batch,
                    now: dt.datetime) -> bool:
    if session.scalar(select(Listing.id).where(Listing.batch_id == batch.id)):
        return True
    found = due_week(session, contract, today_in_china(now))
    if found is None or listings.listing_refusal(session, batch) is not None:
        return False
    week_start, due = found
    grams = min(due, batch.quantity_g)
    grams -= grams % JIN
    if grams <= 0:
        return False
    jin = f"{grams_to_jin(grams):f}"
    listings.create_listing(session, actor, batch, {
        "price": f"{fen_to_yuan(contract_price(session, contract)):f}", "unit": "jin",
        "quantity": jin, "min_order": jin,
        "available_to": max(week_start + dt.timedelta(days=6), today_in_china(now))},
        today=today_in_china(now))
    return True

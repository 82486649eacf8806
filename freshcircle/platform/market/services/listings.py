"""Listings: a batch offered on the marketplace, its price tiers and contract prices, and the
atomic reservation that keeps any listing from being oversold.

Who may list: members of the batch's producer (a cooperative's admin lists for its members:
the sale stays tied to the member's batch). What may be listed: a batch that is not held,
recalled or sold out, whose safety interval had passed at harvest and that failed no residue
test; the refusal says why. A listing sets aside its `offered_g` (never more than the batch
has left); `reserve` takes from it with one conditional UPDATE, so of two buyers racing for
the last units exactly one gets them, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from freshcircle.platform.batches.services import batches as batch_service
from freshcircle.platform.core.services import clock
from freshcircle.platform.core.services.access import require_member
from freshcircle.platform.core.services.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from freshcircle.platform.core.services.money import price_to_fen_per_jin
from freshcircle.platform.core.services.quantities import grams_to_kg, to_grams
from freshcircle.platform.farms.services.safety import safety_status
from freshcircle.platform.market.services import availability, listing_search
from freshcircle.platform.models import (
    Batch,
    BatchStatus,
    Certification,
    ContractPrice,
    Listing,
    ListingStatus,
    ListingTier,
    ResidueTest,
    Role,
    TestResult,
    User,
)

MAX_TIERS = 5
NOT_LISTABLE = {
    BatchStatus.HELD: _l("This batch is held by an inspector and cannot be listed."),
    BatchStatus.RECALLED: _l("This batch has been recalled and cannot be listed."),
    BatchStatus.SOLD_OUT: _l("This batch is sold out."),
    BatchStatus.USED_UP: _l("All of this batch went into new lots."),
}


def listing_refusal(session: Session, batch: Batch):
    """Why this batch may not be listed now, or None."""
    if batch.status in NOT_LISTABLE:
        return NOT_LISTABLE[BatchStatus(batch.status)]
    status = safety_status(session, batch)
    if not status.ok:
        return _l("安全间隔期未满: harvested before the pre-harvest interval ended; it cannot "
                  "be sold.")
    failed = session.scalar(select(ResidueTest.id).where(
        ResidueTest.batch_id == batch.id, ResidueTest.result == TestResult.FAIL).limit(1))
    if failed:
        return _l("This batch failed a residue test and cannot be sold.")
    return None


@dataclass(frozen=True)
class Terms:
    """Checked listing terms: prices in fen per 斤, weights in grams."""

    price_fen_per_jin: int
    min_order_g: int
    offered_g: int
    available_from: dt.date
    available_to: dt.date
    specification: str | None
    tiers: tuple[tuple[int, int], ...]
    contracts: tuple[tuple[int, int], ...]


def _buyer_by_phone(session: Session, phone: str) -> User | None:
    return session.scalar(select(User).where(User.phone == phone.strip(),
                                             User.role == Role.BUYER))


def _check_terms(session: Session, data: dict, left_g: int, today: dt.date) -> Terms:
    """Every field checked before anything is written; errors per field."""
    errors: dict[str, list] = {}
    unit = data.get("unit") or "jin"
    price = price_to_fen_per_jin(data.get("price"), unit)
    if price is None:
        errors["price"] = [_l("Enter a price above zero in 元, at most two decimals "
                              "(a price per kg must halve to whole fen).")]
    minimum = to_grams(data.get("min_order"), unit)
    offered = to_grams(data.get("quantity"), unit)
    if offered is None:
        errors["quantity"] = [_l("Enter a weight above zero (whole grams).")]
    elif offered > left_g:
        errors["quantity"] = [_l("More than the batch has left (%(kg)s kg).",
                                 kg=grams_to_kg(left_g))]
    if minimum is None:
        errors["min_order"] = [_l("Enter a weight above zero (whole grams).")]
    elif offered is not None and minimum > offered:
        errors["min_order"] = [_l("The minimum order cannot be more than the quantity offered.")]
    start = data.get("available_from") or today
    end = data.get("available_to")
    if end is None:
        errors["available_to"] = [_l("This field is required.")]
    elif end < start:
        errors["available_to"] = [_l("The end date is before the start date.")]
    elif end < today:
        errors["available_to"] = [_l("The supply window has already ended.")]
    tiers: list[tuple[int, int]] = []
    for index, tier in enumerate(data.get("tiers") or []):
        grams = to_grams(tier.get("min_quantity"), unit)
        tier_price = price_to_fen_per_jin(tier.get("price"), unit)
        if grams is None or tier_price is None:
            errors.setdefault("tiers", {})[str(index)] = [_l("Give a quantity and a price "
                                                             "above zero.")]
        elif minimum is not None and grams <= minimum:
            errors.setdefault("tiers", {})[str(index)] = [_l("A tier starts above the minimum "
                                                             "order.")]
        else:
            tiers.append((grams, tier_price))
    if len({g for g, _ in tiers}) != len(tiers) or len(tiers) > MAX_TIERS:
        errors["tiers"] = [_l("At most %(n)d tiers, each from a different quantity.", n=MAX_TIERS)]
    contracts: list[tuple[int, int]] = []
    for index, contract in enumerate(data.get("contract_prices") or []):
        buyer = _buyer_by_phone(session, contract.get("buyer_phone") or "")
        contract_price = price_to_fen_per_jin(contract.get("price"), unit)
        if buyer is None or contract_price is None:
            errors.setdefault("contract_prices", {})[str(index)] = [
                _l("Give a registered buyer's mobile number and a price above zero.")]
        else:
            contracts.append((buyer.id, contract_price))
    if errors:
        raise InvalidInput(errors=errors)
    return Terms(price, minimum, offered, start, end,
                 (data.get("specification") or "").strip() or None,
                 tuple(sorted(tiers)), tuple(contracts))


def _certified(session: Session, batch: Batch, today: dt.date) -> bool:
    return bool(session.scalar(select(Certification.id).where(
        Certification.producer_id == batch.producer_id,
        (Certification.product_id.is_(None)) | (Certification.product_id == batch.product_id),
        Certification.valid_from <= today, Certification.valid_to >= today).limit(1)))


def _apply(listing: Listing, terms: Terms) -> None:
    listing.price_fen_per_jin = terms.price_fen_per_jin
    listing.min_order_g = terms.min_order_g
    listing.offered_g = terms.offered_g
    listing.available_from, listing.available_to = terms.available_from, terms.available_to
    listing.specification = terms.specification
    listing.tiers = [ListingTier(min_g=g, price_fen_per_jin=p) for g, p in terms.tiers]


def create_listing(session: Session, actor: User, batch: Batch, data: dict,
                   today: dt.date | None = None) -> Listing:
    """List a batch (one listing per batch; the batch becomes `listed`)."""
    require_member(session, actor, batch.producer_id)
    today = today or clock.today_in_china()
    refusal = listing_refusal(session, batch)
    if refusal is not None:
        raise Conflict(refusal)
    batch_service.lock_batch(session, batch.id)
    if session.scalar(select(Listing.id).where(Listing.batch_id == batch.id)):
        raise Conflict(_l("This batch is already listed; change its listing instead."))
    terms = _check_terms(session, data, batch_service.remaining_grams(session, batch), today)
    product, producer = batch.product, batch.producer
    listing = Listing(batch_id=batch.id, producer_id=batch.producer_id,
                      product_id=batch.product_id, listed_by_id=actor.id, sold_g=0,
                      category=product.category, county_code=producer.county_code,
                      grade=batch.grade, harvest_date=batch.harvest_date,
                      certified=_certified(session, batch, today))
    _apply(listing, terms)
    session.add(listing)
    session.flush()
    _set_contracts(session, listing, terms)
    if batch.status == BatchStatus.REGISTERED:
        batch.status = BatchStatus.LISTED
    listing_search.index_listing(session, listing)
    session.flush()
    return listing


def _set_contracts(session: Session, listing: Listing, terms: Terms) -> None:
    session.execute(ContractPrice.__table__.delete().where(
        ContractPrice.listing_id == listing.id))
    for buyer_id, price in terms.contracts:
        session.add(ContractPrice(listing_id=listing.id, buyer_id=buyer_id,
                                  price_fen_per_jin=price))


def update_listing(session: Session, actor: User, listing: Listing, data: dict,
                   today: dt.date | None = None) -> Listing:
    """Change price, minimum, quantity (never below what is sold), window, tiers, contracts."""
    require_member(session, actor, listing.producer_id)
    today = today or clock.today_in_china()
    if listing.status == ListingStatus.CLOSED:
        raise Conflict(_l("This listing is closed."))
    batch = batch_service.lock_batch(session, listing.batch_id)
    locked = session.scalar(select(Listing).where(Listing.id == listing.id).with_for_update()
                            .execution_options(populate_existing=True))
    # The batch's free grams plus what this listing sets aside now, less what it has sold.
    left = batch_service.remaining_grams(session, batch) + locked.offered_g
    terms = _check_terms(session, data, left, today)
    if terms.offered_g < locked.sold_g:
        raise InvalidInput.field("quantity", _l("Less than is already sold (%(kg)s kg).",
                                                kg=grams_to_kg(locked.sold_g)))
    _apply(locked, terms)
    _set_contracts(session, locked, terms)
    listing_search.index_listing(session, locked)
    session.flush()
    return locked


def set_status(session: Session, actor: User, listing: Listing,
               status: ListingStatus) -> Listing:
    """Pause, resume or close a listing; closing gives back to the batch what was not sold.

    Members of the producer (or an admin) list, pause, resume and close. An inspector only
    holds (`paused`) and releases (`active`) a listing: the release puts back the status the
    hold found, and only an inspector lifts a hold."""
    status = ListingStatus(status)
    if listing.status == ListingStatus.CLOSED:
        raise Conflict(_l("This listing is closed."))
    if actor.role == Role.INSPECTOR:
        return _hold_or_release(session, listing, status)
    require_member(session, actor, listing.producer_id)
    if listing.status_before_hold is not None and status != ListingStatus.CLOSED:
        raise Conflict(_l("This listing is held by an inspector; only an inspector can "
                          "release it."))
    if status == ListingStatus.ACTIVE:
        _require_sellable(session, listing)
    listing.status = status
    listing.status_before_hold = None
    session.flush()
    return listing


def _hold_or_release(session: Session, listing: Listing, status: ListingStatus) -> Listing:
    held = listing.status_before_hold is not None
    if status == ListingStatus.PAUSED:
        if not held:
            listing.status_before_hold = listing.status
            listing.status = ListingStatus.PAUSED
    elif status == ListingStatus.ACTIVE and held:
        if listing.status_before_hold == ListingStatus.ACTIVE:
            _require_sellable(session, listing)
        listing.status = listing.status_before_hold
        listing.status_before_hold = None
    else:
        raise PermissionDenied(_l("An inspector can only hold a listing and release a listing "
                                  "held by inspection; its producer lists and closes it."))
    session.flush()
    return listing


def _require_sellable(session: Session, listing: Listing) -> None:
    refusal = listing_refusal(session, listing.batch)
    if refusal is not None:
        raise Conflict(refusal)


def get_listing(session: Session, listing_id: int) -> Listing:
    listing = session.get(Listing, listing_id)
    if listing is None:
        raise NotFound(_l("No such listing."))
    return listing


def price_for(session: Session, listing: Listing, quantity_g: int,
              buyer: User | None) -> int:
    """Fen per 斤 this buyer pays for this quantity: a contract price if they have one, else
    the tier for the quantity, else the listed price."""
    if buyer is not None:
        contract = session.get(ContractPrice, (listing.id, buyer.id))
        if contract is not None:
            return contract.price_fen_per_jin
    price = listing.price_fen_per_jin
    for tier in listing.tiers:
        if quantity_g >= tier.min_g:
            price = tier.price_fen_per_jin
    return price


def reserve(session: Session, listing_id: int, grams: int, field: str = "quantity",
            buyer_id: int | None = None) -> None:
    """Take `grams` from an active listing, or raise Conflict saying what is left.

    One conditional UPDATE: PostgreSQL re-checks the condition on the row it locked, SQLite
    runs one writer at a time, so concurrent buyers can never take more than is offered.
    """
    taken = session.execute(
        update(Listing)
        .where(Listing.id == listing_id, Listing.status == ListingStatus.ACTIVE,
               Listing.offered_g - Listing.sold_g >= grams)
        .values(sold_g=Listing.sold_g + grams)
        .execution_options(synchronize_session=False)
    ).rowcount
    if taken == 1:
        return
    row = session.execute(select(Listing.status, Listing.offered_g - Listing.sold_g)
                          .where(Listing.id == listing_id)).one_or_none()
    if row is None or row[0] != ListingStatus.ACTIVE:
        raise Conflict(_l("This listing is not on sale now."), errors={field: {"left_g": 0}})
    raise Conflict(availability.shortfall(session, listing_id, row[1], grams, buyer_id),
                   errors={field: {"left_g": row[1]}})


def release(session: Session, listing_id: int, grams: int) -> None:
    """Give back what a cancelled or reduced order had taken."""
    session.execute(update(Listing).where(Listing.id == listing_id, Listing.sold_g >= grams)
                    .values(sold_g=Listing.sold_g - grams)
                    .execution_options(synchronize_session=False))

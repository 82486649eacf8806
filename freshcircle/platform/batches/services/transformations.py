"""Splits, merges and repacks: new lots made from existing ones, with their genealogy.

A transformation assigns new traceability lot codes (DOMAIN.md section 4: a TLC is assigned
only at initial packing or transformation), so each output is a new batch of the same producer
and product with the next lot code. It is recorded as one EPCIS TransformationEvent with every
input and output quantity; storing that event writes the `lot_links` edges
(`ledger.services.lot_links`), which both the traces and the inputs' remaining stock read.

What may be transformed: lots that are not held or recalled, whose safety interval had passed
at harvest and that failed no residue test; anything else would launder a lot that may not be
sold into one that looks clean. Outputs keep the earliest harvest date of their inputs (the
conservative freshness) and, for a split, the input's plot, so their safety status is the same.
"""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from freshcircle.platform.batches.services import batches as batch_service
from freshcircle.platform.batches.services.lot_stock import remaining
from freshcircle.platform.core.services.access import require_member
from freshcircle.platform.core.services.errors import Conflict, InvalidInput
from freshcircle.platform.core.services.quantities import to_grams
from freshcircle.platform.farms.services.safety import safety_status
from freshcircle.platform.ledger.services.epcis_events import epcis_config, trace_settings
from freshcircle.platform.ledger.services.epcis_store import lot_key, store_event
from freshcircle.platform.ledger.services.trace_codes import trade_item_for
from freshcircle.platform.models import (
    Batch,
    BatchStatus,
    Listing,
    ListingStatus,
    Plot,
    ResidueTest,
    TestResult,
    User,
    utcnow,
)
from freshcircle.traceability.epcis import (
    Location,
    LotMasterData,
    Quantity,
    TransformationEvent,
    event_payload,
)

MAX_PARTS = 50
BLOCKED = (BatchStatus.HELD, BatchStatus.RECALLED)


def _parts_grams(parts: list[dict], field: str = "parts") -> list[int]:
    if not parts or len(parts) > MAX_PARTS:
        raise InvalidInput.field(field, _l("Give between 1 and %(n)d parts.", n=MAX_PARTS))
    grams, errors = [], {}
    for index, part in enumerate(parts):
        value = to_grams(part.get("quantity"), part.get("unit") or "kg")
        if value is None:
            errors[str(index)] = [_l("Enter a weight above zero (whole grams).")]
        grams.append(value or 0)
    if errors:
        raise InvalidInput(errors={field: errors})
    return grams


def _check_input(session: Session, batch: Batch) -> None:
    if batch.status in BLOCKED:
        status = batch_service.batch_status_label(batch.status)
        raise Conflict(_l("Lot %(lot)s is %(status)s and cannot be split or merged.",
                          lot=batch.lot_code, status=status))
    if not safety_status(session, batch).ok:
        raise Conflict(_l("Lot %(lot)s was harvested inside its safety interval (安全间隔期未满) "
                          "and cannot be split or merged.", lot=batch.lot_code))
    failed = session.scalar(select(ResidueTest.id).where(
        ResidueTest.batch_id == batch.id, ResidueTest.result == TestResult.FAIL).limit(1))
    if failed:
        raise Conflict(_l("Lot %(lot)s failed a residue test and cannot be split or merged.",
                          lot=batch.lot_code))


def _locked_inputs(session: Session, actor: User, batch_ids: list[int]) -> list[Batch]:
    """The input batches, row-locked in id order (two transformations never deadlock)."""
    inputs = []
    for batch_id in sorted(set(batch_ids)):
        batch = batch_service.lock_batch(session, batch_id)
        if batch is None:
            raise InvalidInput.field("batch_ids", _l("No such batch."))
        require_member(session, actor, batch.producer_id)
        _check_input(session, batch)
        inputs.append(batch)
    return inputs


def _take(session: Session, batch: Batch, grams: int, field: str) -> None:
    """Check `grams` can come out of the lot: what remains of it, its listing's unsold offer
    included (the listing shrinks to what is left, `_leave_market`)."""
    left = remaining(session, batch).remaining_g
    if grams > left:
        raise Conflict(_l("Lot %(lot)s has only %(kg)s kg left.", lot=batch.lot_code,
                          kg=f"{Decimal(left) / 1000:g}"),
                       errors={field: {"remaining_g": left}})


def _leave_market(session: Session, batch: Batch) -> None:
    """After a transformation: the lot's listing offers no more than the lot still has, and
    a lot with nothing left is closed on the market and marked used up."""
    stock = remaining(session, batch)
    listing = session.scalar(select(Listing).where(Listing.batch_id == batch.id)
                             .with_for_update())
    if listing is not None and listing.status != ListingStatus.CLOSED:
        if listing.left_g > stock.remaining_g:
            listing.offered_g = listing.sold_g + stock.remaining_g
        if stock.remaining_g == 0:
            listing.status = ListingStatus.CLOSED
    if stock.remaining_g == 0 and stock.reserved_g == 0 and batch.status in (
            BatchStatus.REGISTERED, BatchStatus.LISTED):
        batch.status = BatchStatus.USED_UP
    session.flush()


def _new_lot(session: Session, actor: User, template: Batch, grams: int, harvest_date, plot: Plot,
             note: str) -> Batch:
    if template.product not in plot.crops:
        plot.crops.append(template.product)
    batch = Batch(
        producer_id=template.producer_id, product_id=template.product_id,
        lot_code=batch_service.next_lot_code(session, template.producer, harvest_date),
        variety=template.variety, plot=plot, harvest_date=harvest_date, quantity_g=grams,
        grade=template.grade, notes=note, created_by_id=actor.id,
    )
    session.add(batch)
    session.flush()
    return batch


def _record(session: Session, actor: User, inputs: list[tuple[Batch, int]],
            outputs: list[Batch]) -> str:
    settings = trace_settings()
    if settings is None:  # the event is the genealogy record and the stock taken: no quiet skip
        raise RuntimeError("splits and merges need the app's trace settings (an app context)")
    config = epcis_config(settings)
    first = outputs[0]
    gtin = trade_item_for(session, settings, first.producer_id, first.product_id).gtin
    event = TransformationEvent(
        event_time=utcnow(), biz_step="repackaging", disposition="active",
        inputs=tuple(Quantity(gtin, b.lot_code, Decimal(g) / 1000) for b, g in inputs),
        outputs=tuple(Quantity(gtin, b.lot_code, Decimal(b.quantity_g) / 1000) for b in outputs),
        biz_location=Location(uri=config.local_id("producer", str(first.producer_id))),
        ilmd=LotMasterData(harvest_date=first.harvest_date, commodity=first.product.name_zh,
                           variety=first.variety, farm=first.producer.name, plot=first.plot.name,
                           county_code=first.producer.county_code),
    )
    known = {lot_key(gtin, b.lot_code): b for b in [*(b for b, _ in inputs), *outputs]}
    return store_event(session, event_payload(event, config), config.context, actor, known)[0]


def split_batch(session: Session, actor: User, batch: Batch, parts: list[dict]) -> list[Batch]:
    """Split part of a lot into new lots, one per part (one part is a repack)."""
    grams = _parts_grams(parts)
    (source,) = _locked_inputs(session, actor, [batch.id])
    _take(session, source, sum(grams), "parts")
    note = f"拆分自 {source.lot_code}"
    outputs = [_new_lot(session, actor, source, g, source.harvest_date, source.plot, note)
               for g in grams]
    _record(session, actor, [(source, sum(grams))], outputs)
    _leave_market(session, source)
    return outputs


def _merged_plot(session: Session, batches: list[Batch]) -> Plot:
    """The lots' plot when they share one; else the producer's plot named after all of them
    (it has no input records of its own, so no safety claim is made for the mixed lot)."""
    plots = {b.plot_id: b.plot for b in batches}
    if len(plots) == 1:
        return next(iter(plots.values()))
    name = "、".join(sorted(p.name for p in plots.values()))[:64]
    producer_id = batches[0].producer_id
    found = session.scalar(select(Plot).where(Plot.producer_id == producer_id, Plot.name == name))
    if found is None:
        found = Plot(producer_id=producer_id, name=name)
        session.add(found)
    return found


def merge_batches(session: Session, actor: User, inputs: list[dict]) -> Batch:
    """Merge lots of one producer and product into one new lot.

    ``inputs`` are ``{"batch_id", "quantity"?, "unit"?}``; without a quantity the whole of
    what is left of that lot goes in.
    """
    ids = [item.get("batch_id") for item in inputs or []]
    if len(set(ids)) < 2 or len(ids) != len(set(ids)) or len(ids) > MAX_PARTS:
        raise InvalidInput.field("inputs", _l("Choose at least two different lots to merge."))
    batches = {b.id: b for b in _locked_inputs(session, actor, ids)}
    first = batches[min(batches)]
    if any((b.producer_id, b.product_id) != (first.producer_id, first.product_id)
           for b in batches.values()):
        raise InvalidInput.field("inputs", _l("Only lots of the same producer and product "
                                              "can be merged."))
    taken: list[tuple[Batch, int]] = []
    for index, item in enumerate(inputs):
        batch = batches[item["batch_id"]]
        if item.get("quantity") in (None, ""):
            grams = remaining(session, batch).remaining_g
        else:
            grams = _parts_grams([item], "inputs")[0]
        if grams <= 0:
            raise Conflict(_l("Lot %(lot)s has nothing left.", lot=batch.lot_code))
        _take(session, batch, grams, f"inputs.{index}")
        taken.append((batch, grams))
    note = "合并自 " + ", ".join(b.lot_code for b, _ in taken)
    output = _new_lot(session, actor, first, sum(g for _, g in taken),
                      min(b.harvest_date for b in batches.values()),
                      _merged_plot(session, list(batches.values())), note)
    _record(session, actor, taken, [output])
    for batch, _ in taken:
        _leave_market(session, batch)
    return output

"""The arrival index: when each listing, ordered now, would arrive at a buyer's delivery site,
kept in `listing_arrivals` so that the arrival sort and the can-arrive-by filter read one index
range instead of working out a road estimate for every producer on each search.

A row holds `delivery.estimate` of the listing's producer to the site (the same function the
cart and the listing page use, so the index says what they say): the arrival minute the sort
orders by, the exact arrival the filter compares, and `expires_us`, the cut-off of the
dispatch day that arrival is for. Rows exist for every listing not closed, at every site in
`arrival_sites`; a site joins on its first arrival search (`ensure_current` writes its rows).
`producer_arrivals` holds the same estimate once per producer and site (facet counts count
listings per producer; expired estimates are looked up there).

Kept current three ways:

- Data: a flush that adds a listing, closes one, or changes what an estimate depends on (a
  producer's coordinates, county, cut-off or dispatch days; a site's coordinates or receiving
  hours; a county seat's coordinates, the origin of producers without their own) marks it in
  the session, and the rows are written again in the same transaction before it commits (or
  before a search in it reads them), so no reader sees a listing without its arrival.
- Time: an estimate changes only when the cut-off of its dispatch day passes (the next
  dispatch day takes over); the arrival is otherwise fixed. So before a search reads a site's
  rows, `ensure_current` looks up the producers whose `expires_us` is not after `now` (one
  probe of the (site, expires) index of `producer_arrivals`, nearly always empty) and writes
  those producers' rows again for `now`. A row read is therefore never past its cut-off, and
  the index answers exactly what estimating every producer at `now` would.
- Stock: a listing's stock and status are not in the index; the search joins the listing row
  and applies the on-sale rule to it, so selling out or a restock shows at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import case, delete, event, insert, inspect, literal, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from freshcircle.platform.market.services import delivery
from freshcircle.platform.models import (
    ArrivalSite,
    Listing,
    ListingArrival,
    ListingStatus,
    Place,
    Producer,
    ProducerArrival,
)

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
US_PER_MINUTE = 60_000_000
CHUNK = 300  # producers per statement (a CASE branch each; SQLite binds at most 32,766)
PENDING = "arrival_index.pending"
# What an estimate reads of a producer and of a place (as site or as county seat).
PRODUCER_INPUTS = ("latitude", "longitude", "county_code", "order_cutoff", "dispatch_weekdays")
PLACE_INPUTS = ("latitude", "longitude", "receiving_from", "receiving_to", "admin_code")


def micros(moment: dt.datetime) -> int:
    """Microseconds since 1970 UTC of an aware datetime, exactly."""
    return (moment - EPOCH) // dt.timedelta(microseconds=1)


def minute_of(moment: dt.datetime) -> int:
    """The arrival sort's key: whole minutes since 1970 UTC."""
    return micros(moment) // US_PER_MINUTE


@dataclass(frozen=True)
class Arrival:
    minute: int
    us: int
    expires_us: int


def arrivals(session: Session, site: Place, producers: Iterable[Producer],
             now: dt.datetime) -> dict[int, Arrival]:
    """The estimate from each producer to `site` at `now`, by producer id; a producer with no
    estimate (no coordinates, no dispatch day) is left out, as the search leaves it out."""
    found = {}
    for producer in producers:
        try:
            estimate = delivery.estimate(session, producer, site, 500_000, now=now)
        except ValueError:
            continue
        found[producer.id] = Arrival(minute_of(estimate.arrival), micros(estimate.arrival),
                                     micros(estimate.cutoff))
    return found


def _by_producer(values: dict[int, Arrival], column: str, producer_id=Listing.producer_id):
    """`column` of each producer's Arrival, as a CASE on `producer_id`."""
    return case({p: getattr(a, column) for p, a in values.items()}, value=producer_id,
                else_=literal(0))


def _write(session: Session, site: Place, producer_ids: list[int], now: dt.datetime) -> None:
    """Write again the site's rows of these producers and of all their listings (a producer's
    rows always hold one estimate, made at one moment)."""
    for start in range(0, len(producer_ids), CHUNK):
        chunk = producer_ids[start:start + CHUNK]
        session.execute(delete(ListingArrival).where(ListingArrival.site_id == site.id,
                                                     ListingArrival.producer_id.in_(chunk)))
        session.execute(delete(ProducerArrival).where(ProducerArrival.site_id == site.id,
                                                      ProducerArrival.producer_id.in_(chunk)))
        producers = session.scalars(select(Producer).where(Producer.id.in_(chunk))).all()
        values = arrivals(session, site, producers, now)
        if not values:
            continue
        session.execute(insert(ProducerArrival), [
            {"site_id": site.id, "producer_id": p, "arrival_minute": a.minute,
             "arrival_us": a.us, "expires_us": a.expires_us} for p, a in values.items()])
        rows = select(literal(site.id), Listing.id, Listing.producer_id,
                      _by_producer(values, "minute"), _by_producer(values, "us"),
                      _by_producer(values, "expires_us")) \
            .where(Listing.producer_id.in_(list(values)), Listing.status != ListingStatus.CLOSED)
        session.execute(insert(ListingArrival).from_select(
            ["site_id", "listing_id", "producer_id", "arrival_minute", "arrival_us",
             "expires_us"], rows))


def _listing_producers(session: Session) -> list[int]:
    return list(session.scalars(select(Listing.producer_id).distinct()
                                .where(Listing.status != ListingStatus.CLOSED)))


def build(session: Session, site: Place, now: dt.datetime) -> None:
    """Add `site` to the index with a row for every listing not closed (the bench and a
    site's first arrival search)."""
    try:
        with session.begin_nested():
            session.add(ArrivalSite(site_id=site.id))
            session.flush()
            _write(session, site, _listing_producers(session), now)
    except IntegrityError:  # another transaction built it first: its rows are the same
        return
    if session.get_bind().dialect.name == "postgresql":
        # A site's rows are as many as the listings: until statistics count them, the planner
        # took the site for empty and joined every row to the search (9 s for 100,000).
        session.execute(text("ANALYZE listing_arrivals, producer_arrivals"))


def _refresh_expired(session: Session, site: Place, now: dt.datetime) -> None:
    """Move the rows whose dispatch day's cut-off has passed to their next dispatch day."""
    at = micros(now)
    stale = list(session.scalars(select(ProducerArrival.producer_id).where(
        ProducerArrival.site_id == site.id, ProducerArrival.expires_us <= at)
        .order_by(ProducerArrival.producer_id)))
    for start in range(0, len(stale), CHUNK):
        chunk = stale[start:start + CHUNK]
        producers = session.scalars(select(Producer).where(Producer.id.in_(chunk))).all()
        values = arrivals(session, site, producers, now)
        if len(values) < len(chunk):  # cannot happen with time alone; rewrite to be sure
            _write(session, site, chunk, now)
            continue
        # Only rows still expired: a concurrent refresh that went first is not redone.
        for table in (ProducerArrival, ListingArrival):
            by = table.producer_id
            session.execute(update(table).where(
                table.site_id == site.id, by.in_(chunk), table.expires_us <= at).values(
                arrival_minute=_by_producer(values, "minute", by),
                arrival_us=_by_producer(values, "us", by),
                expires_us=_by_producer(values, "expires_us", by))
                .execution_options(synchronize_session=False))


def ensure_current(session: Session, site: Place, now: dt.datetime) -> None:
    """Make the site's rows exact for `now` before a search reads them (see above)."""
    apply_pending(session)
    if session.get(ArrivalSite, site.id) is None:
        build(session, site, now)
    else:
        _refresh_expired(session, site, now)


def producer_arrivals(session: Session, site: Place) -> dict[int, int]:
    """Each producer's arrival at `site` (microseconds since 1970 UTC), as its listings' rows
    hold it; current once `ensure_current` has run for the moment wanted."""
    return dict(session.execute(select(ProducerArrival.producer_id, ProducerArrival.arrival_us)
                                .where(ProducerArrival.site_id == site.id)).all())


def _sites(session: Session) -> list[Place]:
    return list(session.scalars(select(Place).join(ArrivalSite,
                                                   ArrivalSite.site_id == Place.id)))


def apply_pending(session: Session, now: dt.datetime | None = None) -> None:
    """Write the rows that this session's flushed changes put out of date."""
    pending = session.info.pop(PENDING, None)
    if not pending:
        return
    now = now or dt.datetime.now(dt.UTC)
    listings, closed, producers, places, counties = pending
    if closed:
        session.execute(delete(ListingArrival).where(ListingArrival.listing_id.in_(closed)))
    producers |= set(listings.values())
    if counties:
        producers |= set(session.scalars(select(Producer.id).where(
            Producer.county_code.in_(counties))))
    for site in _sites(session):
        if site.id in places:
            _write(session, site, _listing_producers(session), now)
        elif producers:
            _write(session, site, sorted(producers), now)


def _changed(obj, names: tuple[str, ...]) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def note_flush(session: Session) -> None:
    """Mark in the session what this flush put out of date (written by `apply_pending`)."""
    listings: dict[int, int] = {}
    closed, producers, places, counties = set(), set(), set(), set()
    for obj in session.new:
        if isinstance(obj, Listing):
            listings[obj.id] = obj.producer_id
        elif isinstance(obj, Place) and obj.admin_code:
            counties.add(obj.admin_code)
    for obj in session.dirty:
        if isinstance(obj, Listing) and _changed(obj, ("status",)) \
                and obj.status == ListingStatus.CLOSED:
            closed.add(obj.id)
        elif isinstance(obj, Producer) and _changed(obj, PRODUCER_INPUTS):
            producers.add(obj.id)
        elif isinstance(obj, Place) and _changed(obj, PLACE_INPUTS):
            places.add(obj.id)
            if obj.admin_code:
                counties.add(obj.admin_code)
    if listings or closed or producers or places or counties:
        old = session.info.setdefault(PENDING, ({}, set(), set(), set(), set()))
        old[0].update(listings)
        for held, new in zip(old[1:], (closed, producers, places, counties), strict=True):
            held |= new


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, flush_context) -> None:
    note_flush(session)


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    if session.new or session.dirty or session.deleted:
        session.flush()  # what is still pending is part of this commit
    apply_pending(session)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(PENDING, None)

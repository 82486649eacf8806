"""The market's listings as columns in memory, for facet counts (`listing_facets`).

Counting six facets means looking at every listing a search leaves, up to all 100,000 (a
scan that cost 70-100 ms on PostgreSQL per search). Their columns (id, producer, product,
county, grade, certified, price, harvest date, last day, on offer) change only with the
market's data, whose version (`browse_cache.MARKET`) is raised in the transaction of every
change: so each process reads them once per version, into numpy arrays, and every search's
counts are array operations on them (a few milliseconds), exact as the database's.

Kept per database (its URL) and version. A version is reused only when the columns were read
under it: read again if a change committed meanwhile, and never kept from a transaction that
changed listings itself (its version is not yet raised). Tests that roll back reuse version
numbers with other data: `forget()` after each.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass

import numpy as np
from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from freshcircle.platform.core.services import data_versions
from freshcircle.platform.market.services.browse_cache import MARKET
from freshcircle.platform.models import Listing, ListingStatus


@dataclass(frozen=True)
class Snapshot:
    """The listings not closed, one array element each (`ids` ascending); text columns as
    codes into their tuple of values."""

    key: tuple
    ids: np.ndarray
    producer: np.ndarray
    product: np.ndarray
    price: np.ndarray
    county: np.ndarray
    counties: tuple
    grade: np.ndarray
    grades: tuple
    category: np.ndarray
    categories: tuple
    certified: np.ndarray
    harvest: np.ndarray  # date ordinals
    last_day: np.ndarray  # available_to, as date ordinals
    on_offer: np.ndarray  # active, with stock left

    def code(self, column: str, value) -> int:
        """The code of `value` in a text column (-1: no listing has it)."""
        values = getattr(self, column)
        return values.index(value) if value in values else -1


_lock = threading.Lock()
_kept: dict[str, Snapshot] = {}


def forget() -> None:
    """Drop every kept snapshot (tests, after rolling back)."""
    with _lock:
        _kept.clear()


def snapshot(session: Session) -> Snapshot:
    """The listings' columns as of the committed market version (see above)."""
    bind = session.get_bind()
    database = getattr(bind, "engine", bind).url.render_as_string(hide_password=True)
    own_changes = data_versions.changing(session, MARKET)
    version = data_versions.current(session, MARKET)
    kept = _kept.get(database)
    if kept is not None and kept.key == (database, version) and not own_changes:
        return kept
    built = _read(session, (database, version))
    if not own_changes and data_versions.current(session, MARKET) == version:
        with _lock:
            _kept[database] = built
    return built


def _codes(values: tuple) -> tuple[np.ndarray, tuple]:
    found = tuple(dict.fromkeys(values))
    lookup = {value: i for i, value in enumerate(found)}
    return np.fromiter(map(lookup.__getitem__, values), dtype=np.int32,
                       count=len(values)), found


def _days(values: tuple) -> np.ndarray:
    """Date ordinals of dates (PostgreSQL's driver) or ISO texts (SQLite's)."""
    if values and isinstance(values[0], str):
        values = tuple(map(dt.date.fromisoformat, values))
    return np.fromiter(map(dt.date.toordinal, values), dtype=np.int64, count=len(values))


def _read(session: Session, key: tuple) -> Snapshot:
    statement = select(
        Listing.id, Listing.producer_id, Listing.product_id, Listing.price_fen_per_jin,
        Listing.county_code, Listing.grade, Listing.category, Listing.certified,
        Listing.harvest_date, Listing.available_to,
        and_(Listing.status == ListingStatus.ACTIVE, Listing.offered_g > Listing.sold_g)) \
        .where(Listing.status != ListingStatus.CLOSED).order_by(Listing.id)
    # The driver's rows, not SQLAlchemy's: making 100,000 Row objects was most of the time.
    connection = session.connection()
    compiled = statement.compile(dialect=connection.dialect,
                                 compile_kwargs={"render_postcompile": True})
    cursor = connection.connection.driver_connection.cursor()
    try:
        cursor.execute(str(compiled), compiled.params if compiled.positiontup is None else
                       [compiled.params[name] for name in compiled.positiontup])
        rows = cursor.fetchall()
    finally:
        cursor.close()
    columns = list(zip(*rows, strict=True)) if rows else [()] * 11
    county, counties = _codes(columns[4])
    grade, grades = _codes(columns[5])
    category, categories = _codes(columns[6])

    def ints(i: int) -> np.ndarray:
        return np.array(columns[i], dtype=np.int64)

    return Snapshot(
        key, ints(0), ints(1), ints(2), ints(3), county, counties, grade, grades, category,
        categories, np.array(columns[7], dtype=bool), _days(columns[8]), _days(columns[9]),
        np.array(columns[10], dtype=bool))

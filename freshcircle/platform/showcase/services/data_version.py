"""The showcase's data version: one cheap query that changes whenever anything a showcase page
shows changes (a listing, its batch, a producer, a certification, a batch photo, a trade item,
a planting for the supply by county) or the day turns (a listing's supply window ends).
Pages are cached and validated (ETag) per version.

A process reuses the version it read for `ttl_s` seconds (config SHOWCASE_VERSION_SECONDS), so
under load the database is asked at most once a second per process; 0 asks every time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import time
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.models import (
    Batch,
    BatchPhoto,
    Certification,
    Listing,
    Planting,
    Producer,
    TradeItem,
)


@dataclass(frozen=True)
class DataVersion:
    tag: str  # changes with every change of the data shown
    changed_at: dt.datetime  # the latest change (or the start of today in China)
    read_at: float = 0.0  # time.monotonic() when it was read


_lock = threading.Lock()
_refreshing = threading.Lock()  # one thread per process reads an expired version again
_memo: dict[str, DataVersion] = {}
_last: dict[str, DataVersion] = {}  # the last version read, to date a change no stamp shows


def current(session: Session, ttl_s: float = 1.0) -> DataVersion:
    """The showcase's data version, reused within a process for up to `ttl_s` seconds.

    When it has expired, one thread reads it again and the others keep the one they have
    meanwhile (no stampede of identical reads at the turn of each second)."""
    key = str(session.get_bind().engine.url)
    hit = _memo.get(key) if ttl_s > 0 else None
    if hit is not None and time.monotonic() - hit.read_at < ttl_s:
        return hit
    if hit is not None and not _refreshing.acquire(blocking=False):
        return hit
    try:
        return _read_and_remember(session, key, ttl_s)
    finally:
        if hit is not None:
            _refreshing.release()


def _read_and_remember(session: Session, key: str, ttl_s: float) -> DataVersion:
    version = read(session)
    with _lock:
        before = _last.get(key)
        if (before is not None and before.tag != version.tag
                and version.changed_at <= before.changed_at):
            # A deletion changes a count but no timestamp: date it now, so If-Modified-Since
            # does not answer 304 for a page that changed.
            version = DataVersion(version.tag, dt.datetime.now(dt.UTC), version.read_at)
        elif before is not None and before.tag == version.tag:
            version = DataVersion(before.tag, before.changed_at, version.read_at)
        _last[key] = version
        if ttl_s > 0:
            _memo[key] = version
    return version


def forget() -> None:
    """Read the version afresh next time (tests that turn reuse on start from here)."""
    with _lock:
        _memo.clear()
        _last.clear()


def read(session: Session) -> DataVersion:
    """Read the version from the database (one statement)."""

    def latest(column):
        return select(func.max(column)).scalar_subquery()

    def count(column):
        return select(func.count(column)).scalar_subquery()

    row = session.execute(select(
        latest(Listing.updated_at), count(Listing.id),
        latest(Producer.updated_at), count(Producer.id),
        latest(Certification.updated_at), count(Certification.id),
        latest(BatchPhoto.id), count(BatchPhoto.id), count(TradeItem.id),
        latest(Batch.updated_at),  # a hold or a recall: the lot's listing leaves the pages
        latest(Planting.updated_at), count(Planting.id),  # the supply by county
    )).one()
    today = today_in_china()
    stamps = [_aware(v) for v in (row[0], row[2], row[4], row[9], row[10]) if v is not None]
    start_of_today = dt.datetime.combine(today, dt.time(), dt.UTC) - dt.timedelta(hours=8)
    changed = max([start_of_today, *stamps])
    raw = repr((today.isoformat(), *(str(v) for v in row)))
    return DataVersion(hashlib.sha256(raw.encode()).hexdigest()[:20], changed, time.monotonic())


def _aware(value) -> dt.datetime:
    if isinstance(value, str):  # SQLite hands back text from an aggregate
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)

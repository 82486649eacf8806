"""Label runs: reserve a block of serials for a batch, render its labels into a stored PDF.

A small run renders inside the request (`render_run` on the request's session). A large one
is queued and rendered by a one-thread pool per process (`batches/label_jobs.py`), in its own
session, which commits its progress so pages and API clients can follow it.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from freshcircle.platform.batches.services.batches import LOCKED_STATUSES
from freshcircle.platform.core.services import quotas
from freshcircle.platform.core.services.access import require_member, require_view_internal
from freshcircle.platform.core.services.errors import Conflict, InvalidInput, NotFound
from freshcircle.platform.core.services.files import keep_stream
from freshcircle.platform.core.services.quantities import grams_to_kg, to_grams
from freshcircle.platform.farms.services.safety import safety_status
from freshcircle.platform.ledger.services import epcis_events
from freshcircle.platform.ledger.services.trace_codes import (
    TraceSettings,
    require_codable,
    reserve_serials,
    run_uris,
    trade_item_for,
)
from freshcircle.platform.models import Batch, LabelRun, LabelRunStatus, StoredFile, User
from freshcircle.traceability.label_layouts import LAYOUTS, Label
from freshcircle.traceability.labels import render_label_sheet
from freshcircle.traceability.signing import encode_serial

MAX_LABELS = 100_000
MAX_PACK_G = 999_999  # the GS1 net weight on the label (AI 3103) holds 6 digits: 999.999 kg
LAYOUT_NAMES = tuple(LAYOUTS)
# A run still queued after this long was left behind by a process that died.
STALE_AFTER = dt.timedelta(minutes=30)
# A running job moves `heartbeat_at` on with every progress step (every few hundred labels,
# well under a second apart); one silent for this long belongs to a process that died.
HEARTBEAT_STALE = dt.timedelta(minutes=5)
INTERRUPTED = "interrupted before it finished; print again"


def printable_refusal(session: Session, batch: Batch):
    """Why packs of this batch must not be labelled now, or None.

    Held or recalled batches are in an inspector's hands; a batch harvested inside a
    pesticide's pre-harvest interval must not be sold, so it gets no trace label either.
    """
    if batch.status in LOCKED_STATUSES:
        return _l("This batch is held or recalled: no labels or certificate can be printed.")
    safety = safety_status(session, batch)
    if not safety.ok:
        return _l("安全间隔期未满: this batch was harvested before the pre-harvest interval ended "
                  "(a harvest from this plot is allowed from %(date)s). It must not be sold, "
                  "so no labels or certificate can be printed.",
                  date=format_date(safety.safe_from, "long"))
    return None


def start_label_run(session: Session, actor: User, batch: Batch, *, layout: str, count,
                    net_weight, unit: str, settings: TraceSettings) -> LabelRun:
    """Queue a run of `count` labels for packs of `net_weight` `unit` (jin or kg) each.

    Members of the batch's producer (and admins) only, within the producer's daily quota of
    runs. Serials first_serial ..
    first_serial + count - 1 are taken from the batch under a row lock, so runs never share one.
    """
    require_member(session, actor, batch.producer_id)
    errors: dict[str, list] = {}
    if layout not in LAYOUTS:
        errors["layout"] = [_l("Choose one of the label layouts.")]
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_LABELS:
        errors["count"] = [_l("Print between 1 and %(max)s labels.", max=f"{MAX_LABELS:,}")]
    grams = to_grams(net_weight, unit) if unit in ("jin", "kg") else None
    if grams is None:
        errors["net_weight"] = [_l("Enter the weight of one pack, above zero (whole grams).")]
    elif grams > MAX_PACK_G:
        errors["net_weight"] = [_l("A label states at most 999.999 kg (1,999.998 jin) a pack.")]
    if errors:
        raise InvalidInput(errors=errors)
    require_codable(batch)
    refusal = printable_refusal(session, batch)
    if refusal is not None:
        raise Conflict(refusal)
    _check_daily_quota(session, batch.producer_id)
    item = trade_item_for(session, settings, batch.producer_id, batch.product_id)
    first = reserve_serials(session, batch, count)
    run = LabelRun(batch=batch, trade_item=item, layout=layout, count=count, first_serial=first,
                   net_weight_g=grams, key_id=settings.keyring.current,
                   status=LabelRunStatus.QUEUED, progress=0, created_by_id=actor.id)
    session.add(run)
    session.flush()
    epcis_events.record_label_run(session, run, actor, settings)
    return run


def _check_daily_quota(session: Session, producer_id: int) -> None:
    """Rendering is shared by every tenant: a producer starts at most LABEL_RUNS_PER_DAY
    runs per China day (429 until midnight)."""
    started = session.scalar(
        select(func.count()).select_from(LabelRun).join(Batch, Batch.id == LabelRun.batch_id)
        .where(Batch.producer_id == producer_id,
               LabelRun.created_at >= quotas.china_day_start())) or 0
    quotas.check_daily(started, "LABEL_RUNS_PER_DAY", lambda n: _l(
        "This producer has printed labels %(n)d times today, the most allowed in a day; "
        "print again tomorrow.", n=n))


def run_labels(settings: TraceSettings, run: LabelRun):
    """The run's labels, one per serial, generated lazily (100,000 fit in bounded memory)."""
    batch, product = run.batch, run.batch.product
    weight = grams_to_kg(run.net_weight_g or 0)
    serials = (encode_serial(n) for n in range(run.first_serial, run.first_serial + run.count))
    for serial, uri in zip(serials, run_uris(settings, run), strict=True):
        yield Label(uri=uri, product_zh=product.name_zh, product_en=product.name_en,
                    producer=batch.producer.name, lot=batch.lot_code,
                    harvest_date=batch.harvest_date, net_weight_kg=weight, serial=serial)


def render_run(session: Session, run: LabelRun, settings: TraceSettings, *,
               progress_every: int = 500,
               on_progress: Callable[[], None] | None = None,
               workers: int | None = 1) -> LabelRun:
    """Render the run's PDF into a StoredFile of the batch's producer; mark it done.

    `run.progress` is set every `progress_every` labels, then `on_progress()` is called (the
    background job commits there). On failure the run is marked failed with a short error
    and the exception is not raised: the run's status is the outcome.

    `workers` as for render_label_sheet: 1 (the default) encodes in this process, which is
    what a request should do; the background job passes None to let a long run use a pool.
    """
    run.status = LabelRunStatus.RUNNING
    run.progress = 0
    run.heartbeat_at = _now()
    session.flush()
    if on_progress is not None:
        on_progress()

    def progress(done: int) -> None:
        run.progress = done
        run.heartbeat_at = _now()
        session.flush()
        if on_progress is not None:
            on_progress()

    batch = run.batch
    try:
        # On disk, then streamed into the file store: never the whole PDF in memory.
        with tempfile.TemporaryFile() as out:
            count = render_label_sheet(run_labels(settings, run), run.layout, out, progress,
                                       progress_every=progress_every, workers=workers)
            out.seek(0)
            stored = keep_stream(session, out, producer_id=batch.producer_id,
                                 filename=f"labels-{batch.lot_code}-{run.id}.pdf",
                                 content_type="application/pdf",
                                 uploaded_by_id=run.created_by_id)
    except Exception as error:  # any failure becomes the run's status
        run.status = LabelRunStatus.FAILED
        run.error = f"{type(error).__name__}: {error}"[:200]
        run.finished_at = _now()
        session.flush()
        return run
    run.file_id = stored.id
    run.progress = count
    run.status = LabelRunStatus.DONE
    run.finished_at = _now()
    session.flush()
    return run


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def get_run(session: Session, actor: User, run_id: int) -> LabelRun:
    """A label run, for those who may see its producer's records."""
    run = session.get(LabelRun, run_id)
    if run is None:
        raise NotFound(_l("No such label run."))
    require_view_internal(session, actor, run.batch.producer_id)
    fail_if_stale(session, run)
    return run


def runs_of_batch(session: Session, batch: Batch) -> list[LabelRun]:
    """A batch's label runs, newest first (the caller has checked access to the batch)."""
    runs = list(session.scalars(
        select(LabelRun).where(LabelRun.batch_id == batch.id).order_by(LabelRun.id.desc())
    ))
    for run in runs:
        fail_if_stale(session, run)
    return runs


def run_pdf(session: Session, run: LabelRun) -> StoredFile:
    """The finished run's PDF; Conflict while it is not done."""
    if run.status != LabelRunStatus.DONE or run.file is None:
        raise Conflict(_l("The labels are not ready yet."))
    return run.file


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def is_stale(run: LabelRun, now: dt.datetime | None = None) -> bool:
    """A queued run never started within STALE_AFTER, or a running one silent for
    HEARTBEAT_STALE: the process working on it has died."""
    now = now or _now()
    if run.status == LabelRunStatus.QUEUED:
        return now - _aware(run.created_at) >= STALE_AFTER
    if run.status == LabelRunStatus.RUNNING:
        return now - _aware(run.heartbeat_at or run.created_at) >= HEARTBEAT_STALE
    return False


def fail_if_stale(session: Session, run: LabelRun, now: dt.datetime | None = None) -> bool:
    """Mark a run failed when its process has died (see `is_stale`)."""
    if not is_stale(run, now):
        return False
    run.status = LabelRunStatus.FAILED
    run.error = INTERRUPTED
    run.finished_at = now or _now()
    session.flush()
    return True


def fail_interrupted_runs(session: Session, now: dt.datetime | None = None) -> int:
    """At start-up: fail the runs a dead process left queued or running; returns how many."""
    now = now or _now()
    runs = session.scalars(select(LabelRun).where(
        LabelRun.status.in_((LabelRunStatus.QUEUED, LabelRunStatus.RUNNING)),
        func.coalesce(LabelRun.heartbeat_at, LabelRun.created_at) < now - HEARTBEAT_STALE,
    ))
    return sum(fail_if_stale(session, run, now) for run in runs)

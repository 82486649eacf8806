"""What the consumer page tells about a scanned code, decided in one place.

The code's state (genuine, lot-level, not issued, forged, product only, unknown) comes from
`consumer_story.resolve_code`; on top of it a held or recalled batch puts its warning first,
and a genuine serial that many phones in many places scanned lately is flagged as possibly
copied. The page renders the verdict and decides nothing itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import Flask, current_app
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy.orm import Session

from freshcircle.platform.core.services.access import is_member
from freshcircle.platform.metrics import SCANS_WRITTEN
from freshcircle.platform.models import BatchStatus, User
from freshcircle.platform.trace.services import scan_stream, scans
from freshcircle.platform.trace.services.consumer_story import CodeState, Resolution


@dataclass(frozen=True)
class ScanVerdict:
    resolution: Resolution
    warning: str | None = None  # "held" or "recalled": shown before everything else
    warning_reason: str | None = None
    suspicion: scans.CopySuspicion | None = None  # a genuine serial that looks copied

    @property
    def state(self) -> CodeState:
        return self.resolution.state

    @property
    def shows_story(self) -> bool:
        return self.resolution.shows_story

    @property
    def http_status(self) -> int:
        return 404 if self.state is CodeState.UNKNOWN else 200


@dataclass(frozen=True)
class ScanRedis:
    """Where scans go when Redis is configured (trace/services/scan_stream.py)."""

    client: object
    breaker: scan_stream.Breaker


def judge_scan(session: Session, resolution: Resolution, *, now: dt.datetime,
               rule: scans.CopyRule, network: str | None, viewer: User | None = None,
               counted: bool = True, redis: ScanRedis | None = None,
               logged: bool = False, suspicion: scans.CopySuspicion | None = None,
               on_recovery=None, unanswered: scan_stream.Scan | None = None) -> ScanVerdict:
    """The verdict on one view of a scanned code, logging it as a scan first.

    A view is logged (so that it counts toward the copied-code rule) when it is `counted`
    (a page view, not a HEAD request) and not a member of the pack's producer looking at
    their own pack (the label run page's preview): shoppers are not signed in, so that check
    costs them no query. The hold or recall comes from the batch as just resolved, never
    from a cache. With `redis` (and while it answers) the scan goes to the stream and the
    serial's counters decide; otherwise the scan row is written here and the SQL rule decides.
    When the scan page's front (trace/pages/scan_front.py) has `logged` the scan already, its
    `suspicion` stands and nothing is logged again. `on_recovery` is called when this call
    finds Redis answering again after an outage. `unanswered` is a scan the front sent to
    Redis and got no answer for: this view logs it under the same scan id and time, so it is
    stored once even if Redis did take it.
    """
    batch = resolution.batch
    own_pack = (batch is not None and viewer is not None
                and is_member(session, viewer, batch.producer_id))
    link = resolution.link
    scan = scan_stream.Scan(
        scan_id=unanswered.scan_id if unanswered else scan_stream.new_scan_id(), gtin=link.gtin,
        lot=(link.lot or "")[:20] or None, serial=(link.serial or "")[:20] or None,
        batch_id=batch.id if batch is not None else None, verdict=resolution.state.value,
        network=network, scanned_at=unanswered.scanned_at if unanswered else now)
    count = counted and not own_pack and not logged
    judge = resolution.shows_story and resolution.state is CodeState.GENUINE and not logged
    if redis is not None and redis.breaker.closed() and (count or judge):
        try:
            suspicion, _ = scan_stream.record(redis.client, scan, rule, counted=count,
                                              judge=judge)
        except RedisError as error:
            redis.breaker.failed(error)
        else:
            if redis.breaker.succeeded() and on_recovery is not None:
                on_recovery()
            count = judge = False  # done in Redis
    if count:
        scans.record_scan(session, gtin=scan.gtin, lot=scan.lot, serial=scan.serial,
                          batch_id=scan.batch_id, verdict=scan.verdict, network=network,
                          now=scan.scanned_at, scan_id=scan.scan_id)
        SCANS_WRITTEN.labels("page").inc()
    if judge:
        suspicion = scans.copy_suspicion(session, link.gtin, link.serial, now, rule)
    if not resolution.shows_story:
        return ScanVerdict(resolution)
    warning = reason = None
    if batch.status in (BatchStatus.HELD, BatchStatus.RECALLED):
        warning, reason = batch.status.value, batch.status_reason
    return ScanVerdict(resolution, warning, reason, suspicion)


def scan_redis(app: Flask | None = None) -> ScanRedis | None:
    """This app's Redis for scans in this process (None: scans are written directly)."""
    app = app or current_app
    redis = app.extensions.get("scan_redis")
    if redis is None:
        url = app.config.get("REDIS_URL")
        if not url:
            return None
        redis = app.extensions.setdefault("scan_redis", ScanRedis(
            Redis.from_url(url, socket_timeout=scan_stream.REDIS_TIMEOUT_S,
                           socket_connect_timeout=scan_stream.REDIS_TIMEOUT_S),
            scan_stream.Breaker()))
    return redis

"""What the consumer page tells about a scanned code, decided in one place.

The code's state (genuine, lot-level, not issued, forged, product only, unknown) comes from
`consumer_story.resolve_code`; on top of it a held or recalled batch puts its warning first,
and a genuine serial that many phones in many places scanned lately is flagged as possibly
copied. The page renders the verdict and decides nothing itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from freshcircle.platform.core.services.access import is_member
from freshcircle.platform.models import BatchStatus, User
from freshcircle.platform.trace.services import scans
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


def judge_scan(session: Session, resolution: Resolution, *, now: dt.datetime,
               rule: scans.CopyRule, network: str | None, viewer: User | None = None,
               counted: bool = True) -> ScanVerdict:
    """The verdict on one view of a scanned code, logging it as a scan first.

    A view is logged (so that it counts toward the copied-code rule) when it is `counted`
    (a page view, not a HEAD request) and not a member of the pack's producer looking at
    their own pack (the label run page's preview): shoppers are not signed in, so that check
    costs them no query. The hold or recall comes from the batch as just resolved, never
    from a cache.
    """
    batch = resolution.batch
    own_pack = (batch is not None and viewer is not None
                and is_member(session, viewer, batch.producer_id))
    if counted and not own_pack:
        link = resolution.link
        scans.record_scan(
            session, gtin=link.gtin, lot=(link.lot or "")[:20] or None,
            serial=(link.serial or "")[:20] or None,
            batch_id=batch.id if batch is not None else None,
            verdict=resolution.state.value, network=network, now=now,
        )
    if not resolution.shows_story:
        return ScanVerdict(resolution)
    warning = reason = None
    if batch.status in (BatchStatus.HELD, BatchStatus.RECALLED):
        warning, reason = batch.status.value, batch.status_reason
    suspicion = None
    if resolution.state is CodeState.GENUINE:
        suspicion = scans.copy_suspicion(session, resolution.link.gtin, resolution.link.serial,
                                         now, rule)
    return ScanVerdict(resolution, warning, reason, suspicion)

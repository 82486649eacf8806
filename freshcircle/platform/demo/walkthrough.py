"""The demo sign-ins' "what to try", filled in from the seeded data.

Lot codes carry the harvest date, and harvest dates are relative to the day the demo is
seeded, so the table `flask seed-demo` prints names the lots as they are in the database, not
as they were on the day the README was written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from freshcircle.platform.demo import content as c
from freshcircle.platform.demo.plan import BatchPlan
from freshcircle.platform.models import Batch, LotLink

# How README.md shows each field (the printed table has the real code instead).
PLACEHOLDERS = {
    "spinach_lot": "‹spinach lot›",
    "toon_lot": "‹toon lot›",
    "celery_lot": "‹celery lot›",
    "merged_lot": "‹merged lot›",
}
# The stories of demo/plan.py whose lot a field names: (story, catalog product).
STORY_LOTS = {
    "spinach_lot": ("too_early", c.SPINACH),
    "toon_lot": ("S1", c.TOON),
    "celery_lot": ("failed_test", c.CELERY),
}


def facts(session: Session, story_batches: Mapping[tuple[str, str], Batch]) -> dict[str, str]:
    """The lot codes the sign-ins mention. `story_batches` maps (story, product) to the
    seeded batch; the merged lot is looked up from its two merge links."""
    found = {field: story_batches[key].lot_code for field, key in STORY_LOTS.items()
             if key in story_batches}
    merged_id = session.scalar(
        select(LotLink.target_batch_id).where(LotLink.kind == "merge",
                                              LotLink.target_batch_id.is_not(None))
        .group_by(LotLink.target_batch_id).having(func.count() >= 2)
        .order_by(LotLink.target_batch_id).limit(1))
    if merged_id is not None:
        found["merged_lot"] = session.get(Batch, merged_id).lot_code
    return found


def seeded_sign_ins(session: Session, plans: Iterable[BatchPlan],
                    seeded: Mapping[str, Batch]) -> tuple[c.SignIn, ...]:
    """The sign-ins naming the lots the seed wrote: `plans` are the demo's batch plans (their
    stories), `seeded` the batches written for them by plan key."""
    story_batches: dict[tuple[str, str], Batch] = {}
    for plan in plans:
        if plan.story:
            story_batches.setdefault((plan.story, plan.product_en), seeded[plan.key])
    return sign_ins(facts(session, story_batches))


def sign_ins(found: Mapping[str, str]) -> tuple[c.SignIn, ...]:
    """The sign-ins with their fields filled; a field the data lacks keeps its placeholder."""
    values = {**PLACEHOLDERS, **found}
    return tuple(c.SignIn(s.person, s.what_to_try.format(**values)) for s in c.SIGN_INS)


def readme_rows() -> tuple[c.SignIn, ...]:
    """The rows as README.md shows them."""
    return sign_ins({})

"""What a farmer's phone keeps for working offline (issue 15): their producers and plots, the
products a batch may be of, their newest batches, and the input records whose pre-harvest
interval can still decide a harvest registered from today − INPUT_WINDOW_DAYS on.

Only the farmer's own producers' records. With `first_pesticide_on` per plot the phone knows
whether a plot has any pesticide record without carrying every old one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from freshcircle.platform.batches.services import batches as batch_service
from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.farms.services.farm_records import MAX_INTERVAL_DAYS
from freshcircle.platform.farms.services.producers import producers_query
from freshcircle.platform.models import (
    Batch,
    FarmInput,
    InputKind,
    Plot,
    Producer,
    Product,
    User,
)

NEWEST_BATCHES = 100
INPUT_WINDOW_DAYS = 60


@dataclass(frozen=True)
class Snapshot:
    today: dt.date
    producers: list[Producer]
    plots: list[Plot]
    first_pesticide_on: dict[int, dt.date]
    products: list[Product]
    batches: list[Batch]
    inputs: list[FarmInput]


def snapshot(session: Session, user: User) -> Snapshot:
    today = today_in_china()
    producers = session.scalars(producers_query(user, mine=True)).all()
    ids = [p.id for p in producers]
    plots = session.scalars(select(Plot).where(Plot.producer_id.in_(ids))
                            .options(selectinload(Plot.crops))
                            .order_by(Plot.producer_id, Plot.name)).all()
    first = dict(session.execute(
        select(FarmInput.plot_id, func.min(FarmInput.applied_on))
        .where(FarmInput.producer_id.in_(ids), FarmInput.kind == InputKind.PESTICIDE)
        .group_by(FarmInput.plot_id)).all())
    window = today - dt.timedelta(days=INPUT_WINDOW_DAYS)
    candidates = session.scalars(
        select(FarmInput).where(FarmInput.producer_id.in_(ids),
                                FarmInput.applied_on >= window - dt.timedelta(
                                    days=MAX_INTERVAL_DAYS))
        .order_by(FarmInput.id)).all()
    rows = session.scalars(
        select(Batch).where(Batch.producer_id.in_(ids))
        .options(selectinload(Batch.product), selectinload(Batch.plot))
        .order_by(Batch.harvest_date.desc(), Batch.id.desc()).limit(NEWEST_BATCHES)).all()
    return Snapshot(
        today=today, producers=list(producers), plots=list(plots), first_pesticide_on=first,
        products=list(session.scalars(select(Product).order_by(Product.id))),
        batches=batch_service.attach_facts(session, list(rows)),
        inputs=[i for i in candidates if i.safe_harvest_date >= window],
    )

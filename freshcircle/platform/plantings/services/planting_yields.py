"""Planned against actual: what each planting harvested, and the yield a new one should expect.

A planting's actual harvest is the sum of the batches registered from it (Batch.planting_id,
set when the batch is registered; lots split or merged from them are not counted again).
A planting has an outcome once its harvest window is over and it has batches, or it was lost.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from freshcircle.platform.models import Batch, Planting, Product, SeasonStatus

GRAMS_PER_JIN = 500


def harvested_jin(session: Session, planting_ids) -> dict[int, Decimal]:
    """斤 harvested per planting (only plantings with batches appear)."""
    ids = list(planting_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(Batch.planting_id, func.sum(Batch.quantity_g))
        .where(Batch.planting_id.in_(ids)).group_by(Batch.planting_id))
    return {pid: Decimal(grams) / GRAMS_PER_JIN for pid, grams in rows}


def finished_plantings(session: Session, today: dt.date, *, producer_id: int | None = None,
                       product_id: int | None = None) -> list[tuple[Planting, Decimal]]:
    """Plantings whose outcome is known by `today`, with the 斤 they gave (0 for a loss)."""
    stmt = select(Planting).where(Planting.harvest_to < today)
    if producer_id is not None:
        stmt = stmt.where(Planting.producer_id == producer_id)
    if product_id is not None:
        stmt = stmt.where(Planting.product_id == product_id)
    plantings = list(session.scalars(stmt.order_by(Planting.id)))
    harvested = harvested_jin(session, (p.id for p in plantings))
    out = []
    for planting in plantings:
        if planting.id in harvested:
            out.append((planting, harvested[planting.id]))
        elif planting.status == SeasonStatus.LOST:
            out.append((planting, Decimal(0)))
    return out


def default_yield(session: Session, producer_id: int, product: Product,
                  today: dt.date) -> int | None:
    """斤/亩 a new planting of `product` should expect: the producer's own past plantings of
    it (harvest over area, losses left out), else the product table's typical yield."""
    own = [(jin, p.area_mu) for p, jin in finished_plantings(
        session, today, producer_id=producer_id, product_id=product.id) if jin > 0]
    if own:
        area = sum(a for _, a in own)
        return int((sum(j for j, _ in own) / area).to_integral_value())
    return product.typical_yield_jin_per_mu


def planting_batches(session: Session, planting: Planting) -> list[Batch]:
    """The batches registered from a planting, by harvest date."""
    return list(session.scalars(select(Batch).where(Batch.planting_id == planting.id)
                                .order_by(Batch.harvest_date, Batch.id)))

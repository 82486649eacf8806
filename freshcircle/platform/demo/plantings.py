"""Demo step 11, plantings: what each sample producer has in the ground, so buyers' supply
forecast (预计供应) shows the coming weeks, and a past season per crop whose harvests are the
demo's own batches, so the forecast has each producer's actual against planned yield to learn
from.

Per crop of each producer (content.PRODUCERS), on the crop's plot:
- last season: planted ~70 days ago, harvested over the weeks the demo's batches of that crop
  were harvested; those batches are linked to it, as registering them would have done;
- this season: planted a few weeks ago, its harvest window 2 to 10 weeks ahead (a different
  start per producer, so the forecast spreads over the weeks); one in six reported poor, with
  its reason, as a season update.
Run again, it finds the plantings by plot, product and planting day and adds nothing twice.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import select

from freshcircle.platform.demo import content as c
from freshcircle.platform.models import Batch, Planting, Plot, Product, SeasonStatus
from freshcircle.platform.plantings.services import plantings

if TYPE_CHECKING:
    from freshcircle.platform.demo.seed import _Seeder

POOR_EVERY = 6
OPTIMISM = 1.15  # how far above last season's yield the demo producers planned it, on average
POOR_REASON = "雨水偏多，部分植株烂根（示例）"


def _planting(seeder: _Seeder, spec: c.ProducerSpec, producer_id: int, plot: Plot,
              product: Product, variety, planted: dt.date, harvest: tuple[dt.date, dt.date],
              area: str, planned: int) -> Planting:
    found = seeder.session.scalar(select(Planting).where(
        Planting.plot_id == plot.id, Planting.product_id == product.id,
        Planting.planted_on == planted))
    if found is not None:
        return found
    created = plantings.create_planting(
        seeder.session, seeder.users[spec.manager.phone], producer_id, {
            "plot_id": plot.id, "product_id": product.id, "variety": variety,
            "area_mu": area, "planted_on": planted, "harvest_from": harvest[0],
            "harvest_to": harvest[1], "expected_yield_jin_per_mu": planned})
    seeder.result.created["plantings"] += 1
    return created


def seed_plantings(seeder: _Seeder, today: dt.date) -> None:
    session = seeder.session
    admin = seeder.users[c.ADMIN.phone]
    spec_of = {seeder.producers[spec.key].id: spec for spec in c.PRODUCERS}
    groups: dict[tuple[int, int, int], list[Batch]] = {}
    for batch in seeder.batches.values():  # the demo's harvests, not its split or merged lots
        if batch.plot_id is not None and batch.harvest_date is not None:
            groups.setdefault((batch.producer_id, batch.plot_id, batch.product_id),
                              []).append(batch)
    for n, ((producer_id, plot_id, product_id), batches) in enumerate(sorted(groups.items()),
                                                                       start=1):
        spec = spec_of.get(producer_id)
        plot, product = session.get(Plot, plot_id), session.get(Product, product_id)
        if spec is None or plot is None or product is None:
            continue
        area = str(min(plot.area_mu or 20, 5 + (n * 7) % 25))
        variety = batches[0].variety
        first = min(b.harvest_date for b in batches)
        last = max(b.harvest_date for b in batches)
        # Planned a little above what the plot gave: the forecast learns the producer's bias.
        harvested_jin = sum(b.quantity_g for b in batches) / 500
        optimism = OPTIMISM + ((n * 37) % 31 - 15) / 100  # each plot its own
        planned = max(1, round(harvested_jin / float(area) * optimism))
        past = _planting(seeder, spec, producer_id, plot, product, variety,
                         first - dt.timedelta(days=70), (first, last), area, planned)
        for batch in batches:
            if batch.planting_id is None:
                batch.planting_id = past.id
        start = today + dt.timedelta(days=14 + (n * 11) % 56)
        current = _planting(seeder, spec, producer_id, plot, product, variety,
                            start - dt.timedelta(days=60),
                            (start, start + dt.timedelta(days=21)), area, planned)
        if n % POOR_EVERY == 0 and current.status is None:
            plantings.report_season(session, admin, current, SeasonStatus.POOR, POOR_REASON)
    session.flush()

"""Backtest of the supply forecast (freshcircle.forecasting) on a synthetic multi-season history.

    .venv/bin/python bench/forecast.py [--producers 80] [--counties 4] [--seasons 10] [--seed 2026]

The history it generates: producers in a few counties plant a few products each season (area,
planting date, a harvest window 9 to 16 weeks later), always planning the product table's
yield. What they harvest differs from the plan by
- the producer's own bias (some farm better than the table, most a little worse) and noise
  (some are steadier than others),
- a weather shock shared by every planting of a county harvesting in the same month,
- losses (hail, flood): about 4 % of plantings give nothing.
Some weeks before the harvest starts the producer gives a season update: lost; poor or good
when the crop is clearly off its usual; or nothing.

At every week of the history (the origin) it forecasts each product and county for the week
2, 4 and 8 weeks ahead twice: naive (area × the product table's yield) and corrected
(learn_correction on the plantings finished before the origin, the season updates given by
then, the band from the past errors of the same horizon). Over the last seasons it scores
both against what was harvested in the week: MAPE (weeks with a harvest) and the share of
weeks inside the corrected forecast's 80 % band.

Prints as it goes; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from freshcircle.forecasting.error_band import band_from_errors, mean_absolute_percentage_error
from freshcircle.forecasting.weekly_supply import (
    WEEK,
    PlannedHarvest,
    share_by_week,
    weekly_supply,
)
from freshcircle.forecasting.yield_record import (
    GOOD,
    LOST,
    POOR,
    YieldOutcome,
    learn_correction,
)

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchkit import LOWER, Goal, finish, say  # bench/ is not a package

HORIZONS = (2, 4, 8)
SEASON_WEEKS = 26
START = dt.date(2019, 1, 7)  # a Monday
TABLE_YIELD = {"spinach": 3000.0, "celery": 8000.0, "garlic": 2000.0}  # 斤/亩
LOSS_RATE = 0.04
BAND_HISTORY_WEEKS = 52  # the band reads the errors of the last year only
GOALS = (
    Goal("corrected_beats_naive", "==", True),
    Goal("coverage_80_min", ">=", 0.75),
    Goal("coverage_80_max", "<=", 0.85),
    # At any size: something was scored, and every band holds its forecast.
    Goal("weeks_scored", ">", 0, check=True),
    Goal("bands_ordered", "==", True, check=True),
)
WATCH = {f"mape_corrected_h{h}": LOWER for h in HORIZONS}


@dataclass(frozen=True)
class SimPlanting:
    plan: PlannedHarvest
    actual_jin: float
    update: str | None  # the season update the producer gives
    update_on: dt.date  # when it is given


def history(producers: int, counties: int, seasons: int, seed: int) -> list[SimPlanting]:
    rng = random.Random(seed)
    county_of = {p: f"C{p % counties}" for p in range(producers)}
    bias = {p: rng.gauss(-0.08, 0.2) for p in range(producers)}
    noise = {p: rng.uniform(0.05, 0.3) for p in range(producers)}
    shocks: dict[tuple[str, int], float] = {}
    out = []
    for season in range(seasons):
        for producer in range(producers):
            for _ in range(rng.choice((2, 3, 3, 4))):
                planted = START + dt.timedelta(days=season * SEASON_WEEKS * 7
                                               + rng.randrange(SEASON_WEEKS * 7))
                harvest_from = planted + dt.timedelta(days=rng.randint(63, 112))
                harvest_to = harvest_from + dt.timedelta(days=rng.randint(6, 27))
                product = rng.choice(sorted(TABLE_YIELD))
                area = round(math.exp(rng.gauss(1.2, 0.7)), 1) + 0.5
                plan = PlannedHarvest(producer, product, county_of[producer], area,
                                      TABLE_YIELD[product], harvest_from, harvest_to)
                month = (harvest_from - START).days // 28
                shock = shocks.setdefault((county_of[producer], month), rng.gauss(0, 0.12))
                own = rng.gauss(0, noise[producer])
                lost = rng.random() < LOSS_RATE
                actual = 0.0 if lost else plan.planned_jin * math.exp(bias[producer] + shock + own)
                off = shock + own
                update = LOST if lost else POOR if off < -0.2 else GOOD if off > 0.2 else None
                if update in (GOOD, POOR) and rng.random() < 0.25:
                    update = None  # not everyone reports
                lead = dt.timedelta(weeks=rng.randint(0, 6))
                out.append(SimPlanting(plan, actual, update, harvest_from - lead))
    return out


def harvest_by_week(plantings: list[SimPlanting]) -> dict[tuple[str, str, dt.date], float]:
    actual: dict[tuple[str, str, dt.date], float] = defaultdict(float)
    for p in plantings:
        for monday, share in share_by_week(p.plan.harvest_from, p.plan.harvest_to).items():
            actual[(str(p.plan.product), str(p.plan.county), monday)] += p.actual_jin * share
    return actual


def as_known_at(p: SimPlanting, origin: dt.date) -> PlannedHarvest:
    """The planting as the platform would hold it at `origin`: its update only once given."""
    if p.update is None or p.update_on > origin:
        return p.plan
    return PlannedHarvest(p.plan.producer, p.plan.product, p.plan.county, p.plan.area_mu,
                          p.plan.yield_jin_per_mu, p.plan.harvest_from, p.plan.harvest_to,
                          p.update)


def backtest(plantings: list[SimPlanting], seasons: int, eval_seasons: int) -> dict:
    actual = harvest_by_week(plantings)
    by_end = sorted(plantings, key=lambda p: p.plan.harvest_to)
    first_origin = START + SEASON_WEEKS * WEEK
    last_week = START + seasons * SEASON_WEEKS * WEEK
    eval_from = START + (seasons - eval_seasons) * SEASON_WEEKS * WEEK
    errors: dict[int, list[tuple[dt.date, float, float]]] = {h: [] for h in HORIZONS}
    scored: dict[int, dict[str, list]] = {h: {"naive": [], "corrected": [], "inside": []}
                                          for h in HORIZONS}
    ordered = True
    origin = first_origin
    done = 0
    while origin + max(HORIZONS) * WEEK <= last_week:
        while done < len(by_end) and by_end[done].plan.harvest_to < origin:
            done += 1
        outcomes = [YieldOutcome(p.plan.producer, p.plan.planned_jin, p.actual_jin, p.update)
                    for p in by_end[:done]]
        correction = learn_correction(outcomes)
        for h in HORIZONS:
            target = origin + h * WEEK
            known = [as_known_at(p, origin) for p in plantings
                     if p.plan.harvest_from <= target + WEEK and p.plan.harvest_to >= target]
            recent = [(f, a) for week, f, a in errors[h]
                      if week + WEEK <= origin and week >= origin - BAND_HISTORY_WEEKS * WEEK]
            band = band_from_errors(recent)
            for cell in weekly_supply(known, [target], correction, band):
                truth = actual.get((str(cell.product), str(cell.county), target), 0.0)
                errors[h].append((target, cell.expected_jin, truth))
                ordered &= cell.low_jin <= cell.expected_jin <= cell.high_jin
                if origin >= eval_from and truth > 0:
                    scored[h]["naive"].append((cell.naive_jin, truth))
                    scored[h]["corrected"].append((cell.expected_jin, truth))
                    scored[h]["inside"].append(cell.low_jin <= truth <= cell.high_jin)
        origin += WEEK
    return {"scored": scored, "bands_ordered": ordered}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--producers", type=int, default=80)
    parser.add_argument("--counties", type=int, default=4)
    parser.add_argument("--seasons", type=int, default=10)
    parser.add_argument("--eval-seasons", type=int, default=4)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    plantings = history(args.producers, args.counties, args.seasons, args.seed)
    say(f"{len(plantings)} plantings of {args.producers} producers in {args.counties} counties "
        f"over {args.seasons} seasons; scoring the last {args.eval_seasons}")
    result = backtest(plantings, args.seasons, args.eval_seasons)
    figures: dict = {"plantings": len(plantings), "mape_naive": {}, "mape_corrected": {},
                     "coverage_80": {}}
    weeks = 0
    for h in HORIZONS:
        got = result["scored"][h]
        naive = mean_absolute_percentage_error(got["naive"])
        corrected = mean_absolute_percentage_error(got["corrected"])
        coverage = sum(got["inside"]) / len(got["inside"]) if got["inside"] else None
        weeks += len(got["inside"])
        figures["mape_naive"][str(h)] = None if naive is None else round(naive, 4)
        figures["mape_corrected"][str(h)] = None if corrected is None else round(corrected, 4)
        figures["coverage_80"][str(h)] = None if coverage is None else round(coverage, 4)
        figures[f"mape_corrected_h{h}"] = figures["mape_corrected"][str(h)]
        say(f"horizon {h} weeks: MAPE naive {naive:.1%}, corrected {corrected:.1%}; "
            f"80 % band covers {coverage:.1%} of {len(got['inside'])} weeks")
    pairs = [(figures["mape_naive"][str(h)], figures["mape_corrected"][str(h)])
             for h in HORIZONS]
    coverages = [c for c in figures["coverage_80"].values() if c is not None]
    figures.update(
        weeks_scored=weeks,
        corrected_beats_naive=all(n is not None and c is not None and c < n for n, c in pairs),
        coverage_80_min=min(coverages, default=None),
        coverage_80_max=max(coverages, default=None),
        bands_ordered=result["bands_ordered"],
    )
    finish("forecast", figures, GOALS, WATCH)


if __name__ == "__main__":
    main()

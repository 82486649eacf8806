"""The supply forecast's arithmetic on cases worked by hand (no app, no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from freshcircle.forecasting.error_band import (
    DEFAULT_BAND,
    Band,
    band_from_errors,
    mean_absolute_percentage_error,
)
from freshcircle.forecasting.weekly_supply import (
    PlannedHarvest,
    forecast_weeks,
    share_by_week,
    week_start,
    weekly_supply,
)
from freshcircle.forecasting.yield_record import (
    LOST,
    POOR,
    YieldCorrection,
    YieldOutcome,
    learn_correction,
)

MON = dt.date(2026, 6, 1)  # a Monday


def test_weeks_start_on_monday_and_twelve_are_forecast():
    assert week_start(dt.date(2026, 6, 7)) == MON  # a Sunday
    weeks = forecast_weeks(dt.date(2026, 6, 3))
    assert len(weeks) == 12 and weeks[0] == MON and weeks[-1] == MON + dt.timedelta(weeks=11)


def test_a_window_is_shared_by_its_days_in_each_week():
    # Thursday to the next Wednesday: 4 days in the first week, 3 in the second.
    shares = share_by_week(dt.date(2026, 6, 4), dt.date(2026, 6, 10))
    assert shares == {MON: pytest.approx(4 / 7), MON + dt.timedelta(weeks=1): pytest.approx(3 / 7)}
    assert share_by_week(dt.date(2026, 6, 4), dt.date(2026, 6, 3)) == {}


def test_two_mu_at_3000_jin_over_two_weeks_gives_3000_jin_a_week():
    planting = PlannedHarvest("p1", "spinach", "341222", 2, 3000, MON,
                              MON + dt.timedelta(days=13))
    weeks = forecast_weeks(MON, 3)
    cells = weekly_supply([planting], weeks)
    assert [(c.week, c.expected_jin) for c in cells] == [
        (weeks[0], pytest.approx(3000)), (weeks[1], pytest.approx(3000)), (weeks[2], 0)]
    assert cells[0].low_jin == pytest.approx(3000 * DEFAULT_BAND.low)


def test_producers_record_corrects_its_plans_and_shrinks_to_the_pool():
    # p1 harvested half its plan twice, p2 its plan exactly twice: the pool's log mean is
    # (2·ln 0.5 + 0) / 4 = ln 0.5 / 2, so the pooled factor is √0.5.
    outcomes = [YieldOutcome("p1", 1000, 500), YieldOutcome("p1", 2000, 1000),
                YieldOutcome("p2", 1000, 1000), YieldOutcome("p2", 3000, 3000),
                YieldOutcome("p3", 1000, 0, LOST)]  # a loss is not a bias
    correction = learn_correction(outcomes, prior_weight=2)
    pooled = 0.5 ** 0.5
    assert correction.pooled == pytest.approx(pooled)
    # p1: (2·ln 0.5 + 2·ln √0.5) / (2 + 2) = 0.75·ln 0.5
    assert correction.factor("p1") == pytest.approx(0.5 ** 0.75)
    assert correction.factor("p2") == pytest.approx(0.5 ** 0.25)
    assert correction.factor("newcomer") == pytest.approx(pooled)
    assert correction.factor("p2", LOST) == 0


def test_a_poor_season_update_carries_its_own_correction():
    outcomes = [YieldOutcome("p1", 1000, 1000), YieldOutcome("p1", 1000, 500, POOR)]
    correction = learn_correction(outcomes, prior_weight=1)
    # p1's plain record: ln 1 = 0 (shrunk with the pool, also 0). Poor: (ln 0.5 + 0) / 2.
    assert correction.by_status[POOR] == pytest.approx(0.5 ** 0.5)
    assert correction.factor("p1", POOR) == pytest.approx(0.5 ** 0.5)


def test_corrected_forecast_and_band_on_a_county_week():
    correction = YieldCorrection(1.0, {"p1": 0.8})
    plantings = [
        PlannedHarvest("p1", "celery", "341282", 1, 7000, MON, MON + dt.timedelta(days=6)),
        PlannedHarvest("p2", "celery", "341282", 2, 1000, MON, MON + dt.timedelta(days=6)),
        PlannedHarvest("p2", "celery", "341282", 5, 1000, MON, MON + dt.timedelta(days=6),
                       LOST),
    ]
    [cell] = weekly_supply(plantings, [MON], correction, Band(0.9, 1.2))
    assert cell.naive_jin == pytest.approx(7000 + 2000 + 5000)
    assert cell.expected_jin == pytest.approx(5600 + 2000)
    assert (cell.low_jin, cell.high_jin) == (pytest.approx(6840), pytest.approx(9120))


def test_band_is_the_10th_to_90th_percentile_of_past_ratios():
    pairs = [(100, 100 * r) for r in (0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4, 1.5)]
    band = band_from_errors([*pairs, (0, 40)])  # no forecast: no error to learn from
    assert (band.low, band.high, band.errors) == (pytest.approx(0.6), pytest.approx(1.4), 11)
    assert band_from_errors(pairs[:3]) == DEFAULT_BAND


def test_mape_counts_weeks_with_a_harvest():
    assert mean_absolute_percentage_error([(90, 100), (150, 100), (10, 0)]) == pytest.approx(0.3)
    assert mean_absolute_percentage_error([(10, 0)]) is None

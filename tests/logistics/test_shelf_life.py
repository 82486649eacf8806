"""Shelf life from temperature logs: MKT, the Q10 model, chilling injury, excursions and gaps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from freshcircle.logistics.produce import by_name
from freshcircle.logistics.shelf_life import (
    Gap,
    combined,
    excursions,
    gaps,
    life_used,
    mean_kinetic_temperature,
    relative_rate,
    remaining_life,
)

T0 = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)
H = timedelta(hours=1)
LETTUCE = by_name("Lettuce (leafy greens)")  # 0..0 °C, Q10 3, 14 days
CUCUMBER = by_name("Cucumber")  # 10..12.5 °C, chilling-sensitive, Q10 2.5


def history(*spells: tuple[float, float]) -> list[tuple[datetime, float]]:
    """(hours, °C) spells as readings, closed by a final reading at the end."""
    readings, t = [], T0
    for hours, temp in spells:
        readings.append((t, temp))
        t += hours * H
    readings.append((t, spells[-1][1]))
    return readings


def test_mkt_of_the_issue_example_is_5_46_c():
    readings = history((20, 2.0), (3, 10.0), (1, 20.0))
    assert round(mean_kinetic_temperature(readings), 2) == 5.46


def test_mkt_weights_by_time_and_ignores_the_closing_reading():
    assert mean_kinetic_temperature([(T0, 4.0), (T0 + H, 35.0)]) == pytest.approx(4.0)
    with pytest.raises(ValueError, match="spanning"):
        mean_kinetic_temperature([(T0, 4.0)])
    with pytest.raises(ValueError, match="time order"):
        mean_kinetic_temperature([(T0 + H, 4.0), (T0, 5.0)])


def test_q10_3_holding_at_4_instead_of_0_leaves_64_percent_of_the_life():
    assert relative_rate(LETTUCE, 4.0) == pytest.approx(3**0.4)
    fresh = remaining_life(LETTUCE, [])
    assert fresh.fraction == 1.0
    assert fresh.remaining_at(4.0) / LETTUCE.storage_life == pytest.approx(0.644, abs=5e-4)
    # Held at 4 °C for 64.4 % of the nominal 14 days, the lettuce is used up.
    days_at_4 = 14 * 3**-0.4
    result = remaining_life(LETTUCE, history((days_at_4 * 24, 4.0)))
    assert result.used == pytest.approx(LETTUCE.storage_life, abs=timedelta(seconds=1))
    assert result.fraction == pytest.approx(0, abs=1e-6)


def test_life_used_at_reference_is_clock_time_and_start_life_is_respected():
    readings = history((48, 0.0))
    assert life_used(readings, LETTUCE) == timedelta(hours=48)
    result = remaining_life(LETTUCE, readings, start_life=timedelta(days=3))
    assert result.remaining == timedelta(days=1)
    assert result.fraction == pytest.approx(1 / 14)
    assert not result.expired
    late = remaining_life(LETTUCE, history((24, 10.0)), start_life=timedelta(days=2))
    assert late.expired and late.remaining == timedelta(0) and late.fraction == 0


def test_chilling_sensitive_product_below_minimum_is_an_injury_not_a_longer_life():
    readings = history((10, 11.0), (6, 4.0), (8, 10.0))
    result = remaining_life(CUCUMBER, readings)
    assert len(result.injuries) == 1
    injury = result.injuries[0]
    assert (injury.start, injury.end) == (T0 + 10 * H, T0 + 16 * H)
    assert injury.lowest_c == 4.0 and injury.minimum_c == 10.0
    assert injury.duration == 6 * H
    # The six hours at 4 °C cost at least as much as six hours at the 10 °C minimum.
    assert result.used >= life_used(history((10, 11.0), (6, 10.0), (8, 10.0)), CUCUMBER)


def test_cold_never_lengthens_life_and_only_chilling_sensitive_products_are_injured():
    assert relative_rate(LETTUCE, -5.0) == relative_rate(LETTUCE, 0.0) == 1.0
    assert remaining_life(LETTUCE, history((5, -3.0))).injuries == []


def test_products_without_q10_are_refused_by_the_q10_model():
    with pytest.raises(ValueError, match="no Q10"):
        remaining_life(by_name("Fish (frozen)"), history((1, -20.0)))


def test_excursions_shorter_than_the_threshold_are_ignored():
    readings = history((2, 3.0), (0.2, 9.0), (3, 3.0), (0.5, 8.0), (0.25, 12.0), (2, 4.0))
    found = excursions(readings, 0.0, 5.0, timedelta(minutes=15))
    assert len(found) == 1
    spell = found[0]
    assert spell.side == "above" and spell.extreme_c == 12.0
    assert spell.start == T0 + 5.2 * H and spell.duration == timedelta(minutes=45)
    assert excursions(readings, 0.0, 5.0, timedelta(minutes=10))[0].extreme_c == 9.0
    # Exactly the threshold is not longer than it.
    assert excursions(history((1, 3.0), (0.25, 6.0), (1, 3.0)), 0, 5, timedelta(minutes=15)) == []


def test_excursion_below_and_one_still_open_at_the_end_of_the_log():
    readings = history((1, 2.0), (1, -2.0), (1, -3.0), (1, 2.0), (2, 7.0))
    below, above = excursions(readings, 0.0, 5.0, timedelta(0))
    assert (below.side, below.extreme_c, below.duration) == ("below", -3.0, 2 * H)
    assert (above.side, above.start, above.end) == ("above", T0 + 4 * H, T0 + 6 * H)


def test_gaps_are_reported_and_charged_as_no_better_than_the_top_of_the_range():
    readings = [(T0, 11.0), (T0 + 0.25 * H, 11.0), (T0 + 5.25 * H, 10.0), (T0 + 5.5 * H, 10.0)]
    assert gaps(readings, timedelta(minutes=30)) == [Gap(T0 + 0.25 * H, T0 + 5.25 * H)]
    assert gaps(readings, timedelta(hours=6)) == []
    result = remaining_life(CUCUMBER, readings, max_interval=timedelta(minutes=30))
    assert result.gaps == [Gap(T0 + 0.25 * H, T0 + 5.25 * H)]
    hidden = remaining_life(CUCUMBER, readings)
    assert hidden.gaps == [] and result.used > hidden.used
    expected = 0.25 * relative_rate(CUCUMBER, 11) + 5 * relative_rate(CUCUMBER, 12.5)
    expected += 0.25 * relative_rate(CUCUMBER, 10)
    assert result.used.total_seconds() == pytest.approx(expected * 3600)


temps = st.floats(min_value=-30, max_value=45, allow_nan=False)
spells = st.lists(
    st.tuples(st.floats(min_value=0.05, max_value=48), temps), min_size=1, max_size=30
)


@given(spells)
def test_mkt_lies_between_the_coldest_and_warmest_weighted_reading(spell_list):
    readings = history(*spell_list)
    mkt = mean_kinetic_temperature(readings)
    weighted = [t for _, t in readings[:-1]]
    assert min(weighted) - 1e-9 <= mkt <= max(weighted) + 1e-9
    # Arrhenius weighting leans warm: MKT is never below the arithmetic time-weighted mean.
    mean = sum(h * t for h, t in spell_list) / sum(h for h, _ in spell_list)
    assert mkt >= mean - 1e-9


@given(spells, st.integers(min_value=0, max_value=29), st.floats(min_value=0.1, max_value=20))
def test_warming_any_reading_never_leaves_more_life(spell_list, index, warmer_by):
    index %= len(spell_list)
    warmer = list(spell_list)
    hours, temp = warmer[index]
    warmer[index] = (hours, temp + warmer_by)
    for product in (LETTUCE, CUCUMBER):
        cold = remaining_life(product, history(*spell_list))
        warm = remaining_life(product, history(*warmer))
        assert warm.fraction <= cold.fraction
        assert warm.used >= cold.used


@given(temps, temps)
def test_relative_rate_is_monotone_in_temperature(a, b):
    low, high = sorted((a, b))
    for product in (LETTUCE, CUCUMBER):
        assert relative_rate(product, low) <= relative_rate(product, high)
        assert relative_rate(product, low) >= 1.0


def test_several_loggers_combine_at_the_warmest_or_coldest_corner():
    m = timedelta(minutes=1)
    front = [(T0 + 10 * i * m, 1.0) for i in range(4)]  # 0, 10, 20, 30 min
    doors = [(T0 + (5 + 10 * i) * m, 9.0) for i in range(3)]  # 5, 15, 25 min
    warm = combined([front, doors], timedelta(minutes=30))
    assert [t for t, _ in warm] == sorted(t for t, _ in front + doors)
    assert [c for _, c in warm] == [1.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0]
    cold = combined([front, doors], timedelta(minutes=30), min)
    assert [c for _, c in cold] == [1.0] * 7
    assert combined([front], H) == front  # one logger: its own history
    # A logger that stopped an hour ago no longer speaks for the load.
    late = [(T0 + 90 * m, 1.0)]
    assert combined([doors, late], timedelta(minutes=30))[-1] == (T0 + 90 * m, 1.0)

"""The one excursion rule: each logger on its own, longer than the tolerance, overlaps merged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from freshcircle.logistics.excursions import EXCURSION_AFTER, band, load_excursions, minutes

START = datetime(2026, 11, 20, 12, tzinfo=UTC)


def series(*values, offset=0):
    return [(START + timedelta(minutes=10 * i + offset), float(v)) for i, v in enumerate(values)]


def test_a_spell_must_last_longer_than_the_tolerance():
    assert timedelta(minutes=30) == EXCURSION_AFTER
    assert load_excursions([series(3, 9, 9, 9, 3)], 0, 4) == []  # 30 minutes: a loading door
    (warm,) = load_excursions([series(3, 4.8, 6.6, 5.9, 4.4, 3)], 0, 4)
    assert warm.side == "above" and minutes(warm) == 40 and warm.extreme_c == 6.6
    assert warm.start == START + timedelta(minutes=10) and warm.end == START + timedelta(minutes=50)
    (cold,) = load_excursions([series(3, -2, -1, -1, -1, 3)], 0, 4)
    assert cold.side == "below" and cold.extreme_c == -2


def test_two_loggers_seeing_one_spell_make_one_excursion():
    one = series(3, 5, 6, 5, 5, 3)
    two = series(3, 3, 7, 7, 7, 7, 3)
    (spell,) = load_excursions([one, two], 0, 4)
    assert spell.start == START + timedelta(minutes=10)
    assert spell.end == START + timedelta(minutes=60) and spell.extreme_c == 7


def test_one_stray_reading_never_counts_and_loggers_are_not_averaged():
    warm_corner = series(3, 6, 6, 6, 6, 3)
    cold_corner = series(1, 1, 1, 1, 1, 1)
    (spell,) = load_excursions([warm_corner, cold_corner], 0, 4)
    assert spell.side == "above"


def test_open_ended_bands():
    assert band(None, None) is None
    low, high = band(None, -18)
    assert low < -200 and high == -18


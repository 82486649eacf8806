"""The default road estimate: haversine, circuity, reefer speed and the legal rests."""

from __future__ import annotations

import math

import pytest

from freshcircle.logistics.travel import driving_hours, great_circle_km, road_leg

FUYANG = (32.890, 115.814)
SHANGHAI = (31.230, 121.474)


def test_great_circle_fuyang_to_shanghai_is_about_560_km():
    assert great_circle_km(*FUYANG, *SHANGHAI) == pytest.approx(562, abs=8)
    assert great_circle_km(*FUYANG, *FUYANG) == 0


def test_rest_after_every_four_hours_of_driving_but_not_at_the_end():
    assert driving_hours(280) == pytest.approx(4.0)  # exactly 4 h: no rest needed
    assert driving_hours(350) == pytest.approx(5.0 + 20 / 60)
    assert driving_hours(700) == pytest.approx(10.0 + 2 * 20 / 60)


def test_road_leg_applies_circuity():
    leg = road_leg(*FUYANG, *SHANGHAI)
    assert leg.distance_km == pytest.approx(great_circle_km(*FUYANG, *SHANGHAI) * 1.3)
    assert leg.hours == pytest.approx(driving_hours(leg.distance_km))
    assert math.isfinite(leg.hours)

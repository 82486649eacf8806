"""The produce table as typed data, lookups, and which products may share a compartment."""

from __future__ import annotations

import csv
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from freshcircle.logistics.produce import (
    all_produce,
    by_key,
    by_name,
    compatible,
    unrecorded_ethylene,
)


def test_every_row_loads_with_units_and_ranges_in_order():
    products = all_produce()
    assert len(products) == 36
    for p in products:
        assert p.temp_min_c <= p.temp_max_c
        assert p.rh_min_pct <= p.rh_pct <= p.rh_max_pct
        assert p.storage_life_days > 0
        assert p.storage_life_days_max is None or p.storage_life_days_max >= p.storage_life_days
    lettuce = by_name("Lettuce (leafy greens)")
    assert (lettuce.temp_min_c, lettuce.temp_max_c, lettuce.q10) == (0, 0, 3.0)
    assert lettuce.ethylene_sensitive and not lettuce.ethylene_producer
    assert lettuce.storage_life.days == 14
    frozen_fish = by_name("Fish (frozen)")
    assert frozen_fish.temp_class == "frozen" and frozen_fish.q10 is None


def test_names_match_the_platform_catalog_and_keys_are_stable_and_unique():
    platform = resources.files("freshcircle.platform").joinpath("data", "produce.csv")
    catalog_names = [r["name_en"] for r in csv.DictReader(platform.read_text("utf-8").splitlines())]
    assert [p.name_en for p in all_produce()] == catalog_names
    assert len({p.key for p in all_produce()}) == len(all_produce())
    assert by_key("pak-choi-bok-choy").name_zh == "小白菜(青菜)"
    assert by_key("lettuce-leafy-greens") is by_name("lettuce (LEAFY greens) ")
    with pytest.raises(KeyError):
        by_name("Durian")


def test_blank_ethylene_cells_stay_unknown_not_false():
    names = {p.name_en for p in unrecorded_ethylene()}
    assert {"Lotus root", "Pork (fresh / chilled)", "Eggs (shell)"} <= names
    lotus = by_name("Lotus root")
    assert lotus.ethylene_producer is False and lotus.ethylene_sensitive is None


def test_ethylene_producer_never_with_a_sensitive_leafy_green_either_way_round():
    apple, lettuce = by_name("Apple"), by_name("Lettuce (leafy greens)")
    # Humidity also differs (90-95 and 98-100 % RH); the ethylene reason must be there regardless.
    for a, b in ((apple, lettuce), (lettuce, apple)):
        result = compatible(a, b)
        assert not result.ok
        assert any("Apple produces ethylene" in r and "Lettuce" in r for r in result.reasons)


def test_banana_like_producer_with_a_sensitive_green_refused_on_ethylene_alone():
    pear, napa = by_name("Asian pear (incl. Dangshan su pear)"), by_name("Chinese cabbage (napa)")
    result = compatible(pear, napa)
    assert not result.ok
    assert len(result.reasons) == 1 and "ethylene" in result.reasons[0]


def test_disjoint_temperature_ranges_refused_with_the_ranges():
    result = compatible(by_name("Spinach"), by_name("Cucumber"))
    assert not result.ok
    assert any(
        "temperature ranges do not overlap" in r and "10 to 12.5 °C" in r for r in result.reasons
    )


def test_garlic_low_humidity_refused_with_high_humidity_greens():
    result = compatible(by_name("Garlic (cured bulb)"), by_name("Celery"))
    assert not result.ok
    assert result.reasons == [
        "humidity ranges do not overlap: Garlic (cured bulb) 65-70 % RH, Celery 98-100 % RH"
    ]


def test_compatible_pairs_and_a_product_with_itself():
    assert compatible(by_name("Spinach"), by_name("Broccoli")).ok
    assert compatible(by_name("Spinach"), by_name("Broccoli")).reasons == []
    apple = by_name("Apple")  # producer and sensitive, yet apples travel with apples
    assert compatible(apple, apple).ok
    assert not compatible(apple, by_name("Asian pear (incl. Dangshan su pear)")).ok


products = st.sampled_from(all_produce())


@given(products, products)
def test_compatibility_is_symmetric_and_follows_the_three_rules(a, b):
    ab, ba = compatible(a, b), compatible(b, a)
    assert ab.ok == ba.ok and len(ab.reasons) == len(ba.reasons)
    temps = max(a.temp_min_c, b.temp_min_c) <= min(a.temp_max_c, b.temp_max_c)
    rh = max(a.rh_min_pct, b.rh_min_pct) <= min(a.rh_max_pct, b.rh_max_pct)
    ethylene = a.key == b.key or not (
        (a.ethylene_producer and b.ethylene_sensitive)
        or (b.ethylene_producer and a.ethylene_sensitive)
    )
    assert ab.ok == (temps and rh and ethylene)
    assert ab.ok == (not ab.reasons)

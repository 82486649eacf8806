"""Stowage: which compartment kind each product of the day rides in."""

from __future__ import annotations

from freshcircle.logistics import planning as p
from tests.logistics.planning_helpers import CHILLED_FRUIT, CHILLED_VEG, COOL, item, order


def stow(*items: p.Item, kinds: tuple[p.Compartment, ...]) -> p.Stowage:
    return p.stow(kinds, [order("o", "shanghai", *items)])


def test_fruit_rides_in_the_fruit_compartment_even_when_it_is_the_heavier_load():
    stowage = stow(item("Apple", 3000), item("Lettuce (leafy greens)", 500),
                   kinds=(CHILLED_VEG, CHILLED_FRUIT))
    assert stowage.kind_of == {"apple": "chilled-fruit", "lettuce-leafy-greens": "chilled-veg"}


def test_temperature_comes_before_the_name():
    # Potatoes keep at 4-12 °C: the cool compartment (8-15) suits them, not the 0-4 °C
    # "chilled-veg" one, although only the latter's name says vegetables.
    stowage = stow(item("Potato (late crop / table)", 1000), kinds=(CHILLED_VEG, COOL))
    assert stowage.kind_of == {"potato-late-crop-table": "cool"}


def test_a_clash_in_the_best_kind_falls_back_to_the_next_one():
    # Only "chilled-veg"-named compartments: the heavier lettuce takes the first, the apples
    # cannot join it (ethylene) and go to the second.
    second = p.Compartment("chilled-veg-2", 0, 4, 4000, 6)
    stowage = stow(item("Lettuce (leafy greens)", 3000), item("Apple", 500),
                   kinds=(CHILLED_VEG, second))
    assert stowage.kind_of == {"lettuce-leafy-greens": "chilled-veg", "apple": "chilled-veg-2"}


def test_unnamed_kinds_keep_fleet_order():
    plain = (p.Compartment("a", 0, 4, 1000, 2), p.Compartment("b", 0, 4, 1000, 2))
    assert stow(item("Spinach", 100), kinds=plain).kind_of == {"spinach": "a"}
    assert stow(item("Spinach", 100), kinds=plain[::-1]).kind_of == {"spinach": "b"}

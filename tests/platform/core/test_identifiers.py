"""Chinese identifiers and weights: the checks a farmer's typing meets first."""

from __future__ import annotations

from decimal import Decimal

import pytest

from freshcircle.platform.core.services.identifiers import (
    credit_code_check_char,
    format_mobile,
    is_valid_credit_code,
    is_valid_plate,
    normalise_mobile,
)
from freshcircle.platform.core.services.quantities import grams_to_jin, grams_to_kg, to_grams


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("+86 138-1234-5678", "13812345678"),
        ("19912345678", "19912345678"),
        ("1381234567", None),  # 10 digits
        ("23812345678", None),  # not a mobile prefix
        ("12012345678", None),  # 120 is no mobile network
        ("0551-12345678", None),  # a fixed line
        ("", None),
    ],
)
def test_mainland_mobile_numbers(typed, expected):
    assert normalise_mobile(typed) == expected


def test_mobile_shown_grouped_and_masked():
    assert format_mobile("13812345678") == "138 1234 5678"
    assert format_mobile("13812345678", masked=True) == "138****5678"


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91110000600037341L"])
def test_valid_credit_codes(code):
    assert is_valid_credit_code(code)


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y44",  # wrong check character
        "91350100M000100Y4",  # 17 characters
        "91350100M000100I43",  # I is not in the GB 32100 character set
        "91350100m000100y43",  # lower case is not normalised here
    ],
)
def test_invalid_credit_codes(code):
    assert not is_valid_credit_code(code)


def test_check_character_can_be_zero():
    # Find a body whose check character is "0" (sum mod 31 == 0) and verify the round trip.
    body = next(
        f"9134120000000{n:04d}" for n in range(10_000)
        if credit_code_check_char(f"9134120000000{n:04d}") == "0"
    )
    assert is_valid_credit_code(body + "0")


@pytest.mark.parametrize(
    ("plate", "ok"),
    [("皖K12345", True), ("皖KD12345", True), ("沪A9B8C7", True), ("皖k12345", False),
     ("AK12345", False), ("皖K1234", False), ("皖O12345", False)],
)
def test_vehicle_plates(plate, ok):
    assert is_valid_plate(plate) is ok


@pytest.mark.parametrize(
    ("amount", "unit", "grams"),
    [("1", "jin", 500), ("120", "jin", 60_000), ("0.5", "jin", 250), ("2.125", "kg", 2125),
     ("0.001", "kg", 1), ("750", "g", 750)],
)
def test_weights_convert_exactly(amount, unit, grams):
    assert to_grams(Decimal(amount), unit) == grams


@pytest.mark.parametrize(
    ("amount", "unit"),
    [("0", "kg"), ("-1", "jin"), ("0.0001", "kg"), ("0.5", "g"), ("NaN", "kg"), ("1", "担"),
     ("abc", "kg")],
)
def test_weights_rejected(amount, unit):
    assert to_grams(amount, unit) is None


def test_weights_shown_in_kg_and_jin():
    assert str(grams_to_kg(60_000)) == "60"
    assert str(grams_to_jin(60_000)) == "120"
    assert str(grams_to_kg(2125)) == "2.125"
    assert str(grams_to_jin(250)) == "0.5"

"""GS1 keys: check digits, GTIN/GLN/SSCC validation and GTIN assignment (no app, no database)."""

from __future__ import annotations

import pytest
from biip.checksums import gs1_standard_check_digit
from hypothesis import given, settings
from hypothesis import strategies as st

from freshcircle.traceability.gs1_keys import (
    DEMO_PREFIX,
    GS1KeyError,
    GtinScheme,
    assign_gtin,
    check_digit,
    complete,
    has_valid_check_digit,
    is_valid_gtin,
    normalize_gtin,
    validate_gln,
    validate_gtin,
    validate_sscc,
)

digits = st.text(alphabet="0123456789", min_size=1, max_size=17)


@pytest.mark.parametrize("gtin", ["06901234567892", "09520123456788", "10614141000415"])
def test_domain_examples_are_valid(gtin):
    assert validate_gtin(gtin) == gtin
    assert is_valid_gtin(gtin)
    assert check_digit(gtin[:-1]) == gtin[-1]


@pytest.mark.parametrize(("gtin", "correct"), [("6901234567891", "2"), ("012345678906", "5")])
def test_domain_invalid_examples_name_the_correct_check_digit(gtin, correct):
    assert not is_valid_gtin(gtin)
    with pytest.raises(GS1KeyError) as err:
        validate_gtin(gtin)
    assert err.value.code == "check_digit"
    assert f"correct check digit is {correct}" in str(err.value)


@pytest.mark.parametrize(
    "gtin",
    [
        "96385074",  # GTIN-8
        "036000291452",  # GTIN-12 (UPC-A)
        "6901234567892",  # GTIN-13
        "10614141000415",  # GTIN-14 with packaging indicator 1
    ],
)
def test_every_gtin_length_is_accepted_and_normalised_to_14_digits(gtin):
    assert normalize_gtin(gtin) == gtin.zfill(14)
    assert len(normalize_gtin(gtin)) == 14
    assert is_valid_gtin(normalize_gtin(gtin))


@pytest.mark.parametrize(
    "gtin", ["", "1", "961385074", "0961385074", "96138507400", "952012345678800"]
)
def test_other_lengths_are_rejected(gtin):
    with pytest.raises(GS1KeyError) as err:
        validate_gtin(gtin)
    assert err.value.code in {"bad_length", "bad_characters"}
    if gtin:
        assert err.value.code == "bad_length"
        assert f"has {len(gtin)} digits" in str(err.value)


@pytest.mark.parametrize(
    "gtin",
    [
        "0952012345678A",
        " 9520123456788",
        "9520123456788\n",
        "９５２０１２３４５６７８８",  # full-width digits: isdigit() is True, GS1 says no
        "٩٥٢٠١٢٣٤٥٦٧٨٨",  # Arabic-Indic digits
        "-9520123456788",
    ],
)
def test_non_ascii_digits_and_stray_characters_are_rejected(gtin):
    with pytest.raises(GS1KeyError) as err:
        validate_gtin(gtin)
    assert err.value.code == "bad_characters"
    assert "only the digits 0-9" in str(err.value)
    assert not is_valid_gtin(gtin)
    assert not has_valid_check_digit(gtin)


def test_non_strings_are_not_valid():
    assert not is_valid_gtin(9520123456788)  # type: ignore[arg-type]
    assert not has_valid_check_digit(None)  # type: ignore[arg-type]


def test_gln_and_sscc():
    gln = complete("952012300001")
    sscc = complete("09520123" + "000000001")
    assert validate_gln(gln) == gln
    assert validate_sscc(sscc) == sscc
    assert len(gln) == 13 and len(sscc) == 18
    with pytest.raises(GS1KeyError, match="SSCC") as err:
        validate_sscc(sscc[:-1] + str((int(sscc[-1]) + 1) % 10))
    assert err.value.code == "check_digit"
    with pytest.raises(GS1KeyError, match="expected 18") as err:
        validate_sscc(gln)
    assert err.value.code == "bad_length"
    with pytest.raises(GS1KeyError, match="GLN") as err:
        validate_gln("0952012345678")
    assert err.value.code == "check_digit"


def test_known_sscc_from_the_gs1_general_specifications():
    assert validate_sscc("106141411234567897") == "106141411234567897"


@settings(database=None, deadline=None)
@given(digits)
def test_check_digit_agrees_with_biip(payload):
    assert check_digit(payload) == str(gs1_standard_check_digit(payload))


@settings(database=None, deadline=None)
@given(
    st.sampled_from([7, 11, 12, 13, 17]).flatmap(
        lambda n: st.text("0123456789", min_size=n, max_size=n)
    ),
    st.data(),
)
def test_any_single_digit_error_is_detected(payload, data):
    key = complete(payload)
    assert has_valid_check_digit(key)
    position = data.draw(st.integers(0, len(key) - 1))
    wrong = data.draw(st.sampled_from([d for d in "0123456789" if d != key[position]]))
    assert not has_valid_check_digit(key[:position] + wrong + key[position + 1 :])


def test_assign_gtin_13_and_14_from_the_demo_prefix():
    gtin13 = assign_gtin("9520123", 45678)
    assert gtin13 == "9520123456788"
    assert normalize_gtin(gtin13) == "09520123456788"  # the DOMAIN.md example
    gtin14 = assign_gtin("9520123", 45678, indicator=1)
    assert len(gtin14) == 14 and gtin14.startswith("19520123")
    assert is_valid_gtin(gtin14)
    assert assign_gtin("9520123", 7) == complete("952012300007")


@pytest.mark.parametrize("item_reference", [100000, -1, 10**9])
def test_assign_gtin_says_when_the_item_reference_does_not_fit(item_reference):
    with pytest.raises(GS1KeyError) as err:
        assign_gtin("9520123", item_reference)
    assert err.value.code == "does_not_fit"
    assert "5 digits" in str(err.value) and "0 to 99999" in str(err.value)


def test_assign_gtin_uses_the_whole_width_the_prefix_leaves():
    assert assign_gtin(DEMO_PREFIX, 999_999_999) == complete("952999999999")
    assert assign_gtin("95201234567", 9) == complete("952012345679")
    with pytest.raises(GS1KeyError, match=r"0 to 9$"):
        assign_gtin("95201234567", 10)


@pytest.mark.parametrize(
    ("prefix", "indicator", "code"),
    [
        ("95", 0, "bad_prefix"),
        ("952012345678", 0, "bad_prefix"),
        ("95A0123", 0, "bad_characters"),
        ("9520123", 10, "bad_indicator"),
        ("9520123", -1, "bad_indicator"),
        ("9520123", True, "bad_indicator"),
    ],
)
def test_assign_gtin_rejects_bad_prefixes_and_indicators(prefix, indicator, code):
    with pytest.raises(GS1KeyError) as err:
        assign_gtin(prefix, 1, indicator=indicator)
    assert err.value.code == code


def test_assign_gtin_rejects_a_bool_item_reference():
    with pytest.raises(GS1KeyError) as err:
        assign_gtin("9520123", True)
    assert err.value.code == "does_not_fit"


def test_scheme_gives_each_producer_and_product_its_own_gtin():
    scheme = GtinScheme("9520123", product_digits=2)
    assert scheme.max_producer == 999 and scheme.max_product == 99
    assert scheme.gtin_for(42, 7) == assign_gtin("9520123", 4207)
    gtins = {scheme.gtin_for(producer, product) for producer in range(50) for product in range(20)}
    assert len(gtins) == 1000
    assert all(is_valid_gtin(g) and g.startswith("9520123") for g in gtins)
    assert scheme.gtin_for(1, 1, indicator=2).startswith("29520123")


def test_default_scheme_uses_the_demonstration_prefix():
    assert GtinScheme().gtin_for(1, 1).startswith(DEMO_PREFIX)


@pytest.mark.parametrize(
    ("producer", "product", "words"),
    [(1000, 0, "producer number 1000"), (0, 100, "product number 100"), (-1, 0, "producer")],
)
def test_scheme_says_which_number_does_not_fit(producer, product, words):
    with pytest.raises(GS1KeyError, match=words) as err:
        GtinScheme("9520123", product_digits=2).gtin_for(producer, product)
    assert err.value.code == "does_not_fit"


@pytest.mark.parametrize(("prefix", "product_digits"), [("9520123", 5), ("9520123", 0), ("95", 1)])
def test_scheme_rejects_impossible_layouts(prefix, product_digits):
    with pytest.raises(GS1KeyError):
        GtinScheme(prefix, product_digits=product_digits)

"""GS1's own Digital Link test cases run against FreshCircle's parser.

The cases come from gs1-syntax-engine (dl.c, test_dl_parseDLuri) and digital-link.js
(tests/index.js); see data/README.md for sources, commits and licences, and
tools/gs1_dl_cases.py to refresh them. Each case is either in FreshCircle's scope, where our
parser must agree with GS1 (same GTIN, qualifiers and attributes, or a refusal), or out of
scope for a reason from REASONS. Deliberate strictness (the "strict_*" reasons) is asserted
too: we keep refusing those links, with the error code listed here.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from freshcircle.traceability.digital_link import DigitalLinkError, parse_digital_link

DATA = json.loads((Path(__file__).parent / "data/gs1_digital_link_cases.json").read_text())
CASES = DATA["cases"]

REASONS = {
    "compressed",
    "not_https",
    "other_primary_key",
    "path_stem",
    "convenience_alpha",
    "qualifier_235",
    "ai_not_supported",
    "strict_trailing_slash",
    "strict_zero_suppressed_gtin",
    "strict_fragment",
    "strict_plus_in_query",
    "strict_empty_parameter",
}
"""Why a case is out of scope; the data file's "reasons" explains each."""
STRICT_CODES = {
    "strict_trailing_slash": "bad_path",
    "strict_zero_suppressed_gtin": "gtin_length",
    "strict_fragment": "bad_uri",
    "strict_plus_in_query": "plus_in_query",
    "strict_empty_parameter": "empty_value",
}
"""Deliberate differences from GS1: the DigitalLinkError code we keep answering with."""
EXPECTED_COUNTS = {
    "in": 38,
    "strict_zero_suppressed_gtin": 31,
    "other_primary_key": 27,
    "convenience_alpha": 23,
    "ai_not_supported": 21,
    "not_https": 10,
    "strict_empty_parameter": 6,
    "path_stem": 3,
    "qualifier_235": 2,
    "strict_fragment": 2,
    "compressed": 2,
    "strict_plus_in_query": 1,
    "strict_trailing_slash": 1,
}
"""Recorded in freshcircle/traceability/README.md; a refresh of the data updates both."""


def _ids(cases: list[dict]) -> list[str]:
    return [case["id"] for case in cases]


IN_SCOPE = [case for case in CASES if case["scope"] == "in"]
STRICT = [case for case in CASES if case["scope"] in STRICT_CODES]
GS1_REFUSES = [case for case in CASES if case["gs1_valid"] is False]


def test_every_case_is_in_scope_or_has_a_known_reason() -> None:
    assert set(DATA["reasons"]) == REASONS
    assert set(STRICT_CODES) <= REASONS
    unclassified = [c["id"] for c in CASES if c["scope"] != "in" and c["scope"] not in REASONS]
    assert unclassified == []
    assert len({case["id"] for case in CASES}) == len(CASES)


def test_counts_per_scope() -> None:
    assert dict(Counter(case["scope"] for case in CASES)) == EXPECTED_COUNTS
    assert sum(EXPECTED_COUNTS.values()) == len(CASES)


def test_in_scope_cases_use_gs1s_default_options_and_say_what_they_expect() -> None:
    assert [c["id"] for c in IN_SCOPE if c["gs1_options"]] == []
    assert [c["id"] for c in IN_SCOPE if c["gs1_valid"] is None and not c.get("gs1_ais")] == []


@pytest.mark.parametrize("case", IN_SCOPE, ids=_ids(IN_SCOPE))
def test_in_scope_case_agrees_with_gs1(case: dict) -> None:
    if case["gs1_valid"] is False:
        with pytest.raises(DigitalLinkError):
            parse_digital_link(case["uri"])
        return
    link = parse_digital_link(case["uri"])
    ais = dict(case["gs1_ais"])
    assert link.gtin == ais.pop("01")
    assert (link.cpv, link.lot, link.serial) == (
        ais.pop("22", None),
        ais.pop("10", None),
        ais.pop("21", None),
    )
    assert dict(link.attributes) == ais
    if "gs1_extras" in case:
        assert dict(link.extras) == case["gs1_extras"]


@pytest.mark.parametrize("case", STRICT, ids=_ids(STRICT))
def test_deliberately_stricter_than_gs1(case: dict) -> None:
    with pytest.raises(DigitalLinkError) as err:
        parse_digital_link(case["uri"])
    assert err.value.code == STRICT_CODES[case["scope"]]


@pytest.mark.parametrize("case", GS1_REFUSES, ids=_ids(GS1_REFUSES))
def test_we_refuse_every_link_gs1_refuses(case: dict) -> None:
    """In scope or not: being stricter is deliberate, being laxer never is."""
    with pytest.raises(DigitalLinkError):
        parse_digital_link(case["uri"])

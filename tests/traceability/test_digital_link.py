"""GS1 Digital Link: building, strict parsing, round trips and typed attributes."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import biip
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from freshcircle.traceability.digital_link import (
    DigitalLink,
    DigitalLinkError,
    make_link,
    parse_digital_link,
)
from freshcircle.traceability.gs1_ais import (
    GS1_CHARSET_82,
    GS1ValueError,
    format_gs1_date,
    format_net_weight,
    gs1_date,
)

BASE = "https://fc.example.cn/01/09520123456788"
qualifier_text = st.text(alphabet=sorted(GS1_CHARSET_82), min_size=1, max_size=20)


def rejection(uri: str) -> DigitalLinkError:
    with pytest.raises(DigitalLinkError) as err:
        parse_digital_link(uri)
    return err.value


# --- building -------------------------------------------------------------------------------


def test_builder_writes_the_gtin_as_14_digits_and_encodes_reserved_characters():
    link = DigitalLink("fc.example.cn", "9520123456788", lot="ABC&+123", serial="7/8?")
    assert link.gtin == "09520123456788"
    assert link.to_uri() == f"{BASE}/10/ABC%26%2B123/21/7%2F8%3F"
    assert str(link) == link.to_uri()


def test_builder_puts_qualifiers_in_the_order_22_10_21():
    link = DigitalLink("fc.example.cn", "09520123456788", cpv="A1", lot="L1", serial="S1")
    assert link.to_uri() == f"{BASE}/22/A1/10/L1/21/S1"


def test_make_link_writes_typed_attributes():
    link = make_link(
        "FC.Example.CN",
        "09520123456788",
        lot="L250301",
        serial="3F7",
        expiry_date=date(2025, 3, 22),
        packing_date=date(2025, 3, 2),
        production_date=date(2025, 3, 1),
        harvest_date=(date(2025, 2, 28), date(2025, 3, 1)),
        net_weight_kg=Decimal("2.5"),
        origin=156,
        extras={"linkType": "gs1:pip"},
    )
    assert link.to_uri() == (
        f"{BASE}/10/L250301/21/3F7?17=250322&13=250302&11=250301&7007=250228250301"
        "&3103=002500&422=156&linkType=gs1:pip"
    )
    assert link.domain == "fc.example.cn"


@pytest.mark.parametrize(
    ("kwargs", "code", "words"),
    [
        ({"net_weight_kg": Decimal("1.2345")}, "bad_value", "at most 3 decimals"),
        ({"net_weight_kg": Decimal("1000")}, "bad_value", "999.999"),
        ({"net_weight_kg": "heavy"}, "bad_value", "not a number"),
        ({"expiry_date": date(1900, 1, 1)}, "bad_date", "100-year window"),
        ({"harvest_date": (date(2025, 3, 2), date(2025, 3, 1))}, "bad_date", "ends before"),
        ({"origin": "CN"}, "bad_value", "AI 422"),
        ({"origin": 999}, "bad_value", "ISO 3166"),
        ({"lot": ""}, "empty_value", "lot (AI 10) is empty"),
        ({"serial": "é"}, "bad_characters", "'é'"),
    ],
)
def test_make_link_rejects_values_it_cannot_write(kwargs, code, words):
    with pytest.raises(DigitalLinkError) as err:
        make_link("fc.example.cn", "09520123456788", **kwargs)
    assert err.value.code == code and words in str(err.value)


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"domain": "fc example.cn"}, "bad_domain"),
        ({"domain": "fc.example.cn/path"}, "bad_domain"),
        ({"gtin": "09520123456789"}, "check_digit"),
        ({"gtin": "952012345678"}, "check_digit"),
        ({"gtin": "0009520123456788"}, "gtin_length"),
        ({"attributes": {"10": "L1"}}, "lot_in_query"),
        ({"attributes": {"21": "S1"}}, "qualifier_in_query"),
        ({"attributes": {"linkType": "gs1:pip"}}, "bad_key"),
        ({"attributes": {"3103": "001000", "3102": "000100"}}, "duplicate_ai"),
        ({"extras": {"17": "250101"}}, "bad_key"),
        ({"extras": {"linkType": ""}}, "empty_value"),
    ],
)
def test_the_dataclass_refuses_invalid_fields(fields, code):
    values = {"domain": "fc.example.cn", "gtin": "09520123456788"} | fields
    with pytest.raises(DigitalLinkError) as err:
        DigitalLink(**values)
    assert err.value.code == code


def test_links_are_immutable_and_hashable():
    link = make_link("fc.example.cn", "09520123456788", lot="L1", expiry_date=date(2025, 3, 22))
    with pytest.raises(TypeError):
        link.attributes["17"] = "250323"  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        link.lot = "L2"  # type: ignore[misc]
    assert link == parse_digital_link(link.to_uri())
    assert len({link, parse_digital_link(link.to_uri())}) == 1


# --- round trips ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lot", "encoded"),
    [
        ("ABC&+123", "ABC%26%2B123"),
        ("A/B?C", "A%2FB%3FC"),
        ("50%", "50%25"),
        ("a=b;c", "a%3Db%3Bc"),
        ("\"'()*,:<>!", "%22%27%28%29%2A%2C%3A%3C%3E%21"),
        ("x-y_z.1", "x-y_z.1"),
    ],
)
def test_round_trip_with_reserved_characters(lot, encoded):
    link = make_link("fc.example.cn", "09520123456788", lot=lot, serial=lot[::-1])
    uri = link.to_uri()
    assert f"/10/{encoded}/21/" in uri
    parsed = parse_digital_link(uri)
    assert (parsed.lot, parsed.serial) == (lot, lot[::-1])
    assert parsed.to_uri() == uri


@settings(database=None, deadline=None, max_examples=300)
@given(
    cpv=st.none() | qualifier_text,
    lot=st.none() | qualifier_text,
    serial=st.none() | qualifier_text,
    expiry=st.none() | st.dates(date(2000, 1, 1), date(2070, 12, 31)),
    grams=st.none() | st.integers(0, 999_999),
    link_type=st.none() | st.sampled_from(["gs1:pip", "gs1:traceability", "linkset"]),
)
def test_build_parse_build_is_identical(cpv, lot, serial, expiry, grams, link_type):
    link = make_link(
        "fc.example.cn",
        "09520123456788",
        cpv=cpv,
        lot=lot,
        serial=serial,
        expiry_date=expiry,
        net_weight_kg=None if grams is None else Decimal(grams) / 1000,
        extras={"linkType": link_type} if link_type else None,
    )
    uri = link.to_uri()
    parsed = parse_digital_link(uri)
    assert parsed == link
    assert parsed.to_uri() == uri
    assert parsed.expiry_date == expiry
    assert parsed.net_weight_kg == (None if grams is None else Decimal(grams) / 1000)


@settings(database=None, deadline=None, max_examples=200)
@given(lot=qualifier_text, serial=qualifier_text)
def test_biip_reads_our_uris_the_same_way(lot, serial):
    uri = make_link("fc.example.cn", "9520123456788", lot=lot, serial=serial).to_uri()
    parsed = biip.parse(uri).gs1_digital_link_uri
    assert parsed is not None
    values = {es.ai.ai: es.value for es in parsed.element_strings}
    assert values == {"01": "09520123456788", "10": lot, "21": serial}


def test_non_numeric_parameters_pass_through():
    uri = f"{BASE}/10/L1?17=250322&linkType=gs1%3Atraceability&context=zh"
    link = parse_digital_link(uri)
    assert dict(link.attributes) == {"17": "250322"}
    assert dict(link.extras) == {"linkType": "gs1:traceability", "context": "zh"}
    assert link.to_uri() == f"{BASE}/10/L1?17=250322&linkType=gs1:traceability&context=zh"


# --- typed attributes -----------------------------------------------------------------------


def test_attributes_parse_to_typed_values():
    link = parse_digital_link(
        f"{BASE}/10/L1?17=250322&13=250302&11=250301&15=250320&7007=250301&3103=001250&422=156"
    )
    assert link.expiry_date == date(2025, 3, 22)
    assert link.packing_date == date(2025, 3, 2)
    assert link.production_date == date(2025, 3, 1)
    assert link.date_attribute("15") == date(2025, 3, 20)
    assert link.harvest_date == date(2025, 3, 1)
    assert link.harvest_period == (date(2025, 3, 1), date(2025, 3, 1))
    assert link.net_weight_kg == Decimal("1.250")
    assert link.origin == "156"


def test_absent_attributes_are_none():
    link = parse_digital_link(BASE)
    assert link.expiry_date is link.harvest_period is link.harvest_date is None
    assert link.net_weight_kg is link.origin is link.signature is link.lot is None
    with pytest.raises(KeyError):
        link.date_attribute("3103")


def test_harvest_range():
    link = parse_digital_link(f"{BASE}?7007=250228250302")
    assert link.harvest_period == (date(2025, 2, 28), date(2025, 3, 2))
    assert link.harvest_date == date(2025, 2, 28)


@pytest.mark.parametrize(
    ("ai", "value", "kg"),
    [("3100", "000002", "2"), ("3102", "000125", "1.25"), ("3105", "012345", "0.12345")],
)
def test_other_net_weight_decimals(ai, value, kg):
    assert parse_digital_link(f"{BASE}?{ai}={value}").net_weight_kg == Decimal(kg)


def test_format_net_weight():
    assert format_net_weight(Decimal("1.25")) == "001250"
    assert format_net_weight(12) == "012000"
    assert format_net_weight("999.999") == "999999"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("250200", date(2025, 2, 28)),  # DD=00: end of month
        ("240200", date(2024, 2, 29)),
        ("251200", date(2025, 12, 31)),
        ("240229", date(2024, 2, 29)),
        ("000229", date(2000, 2, 29)),
    ],
)
def test_gs1_dates_with_day_00_and_leap_years(value, expected):
    assert gs1_date(value, today=date(2025, 6, 1)) == expected
    assert parse_digital_link(f"{BASE}?17={value}").expiry_date == gs1_date(value)


def test_century_follows_the_gs1_sliding_window():
    today = date(2025, 6, 1)
    assert gs1_date("750101", today=today).year == 2075  # 50 years ahead: this century
    assert gs1_date("760101", today=today).year == 1976  # 51 years ahead: previous century
    with pytest.raises(GS1ValueError, match="2100-02 has 28 days"):
        gs1_date("000229", today=date(2060, 1, 1))  # 2100 is not a leap year
    assert format_gs1_date(date(2025, 3, 8)) == "250308"


# --- strict parser: one test per rejection ----------------------------------------------------


def test_rejects_lot_in_the_query():
    err = rejection(f"{BASE}?10=L1")
    assert err.code == "lot_in_query" and "lot (AI 10)" in str(err) and "path" in str(err)


def test_rejects_serial_or_gtin_in_the_query():
    assert rejection(f"{BASE}?21=S1").code == "qualifier_in_query"
    assert rejection(f"{BASE}?01=09520123456788").code == "qualifier_in_query"


def test_rejects_duplicate_ai_in_the_path():
    err = rejection(f"{BASE}/10/L1/10/L2")
    assert err.code == "duplicate_ai" and "AI 10 (lot) appears twice" in str(err)


def test_rejects_a_second_gtin_in_the_path():
    assert rejection(f"{BASE}/01/09520123456788").code == "duplicate_ai"


def test_rejects_duplicate_ai_in_the_query():
    err = rejection(f"{BASE}?17=250322&13=250301&17=250323")
    assert err.code == "duplicate_ai" and "17 appears twice" in str(err)


def test_rejects_two_net_weights():
    err = rejection(f"{BASE}?3103=001250&3102=000125")
    assert err.code == "duplicate_ai" and "net weight is given twice" in str(err)


def test_rejects_duplicate_non_ai_parameters():
    err = rejection(f"{BASE}?linkType=gs1:pip&linkType=gs1:epcis")
    assert err.code == "duplicate_parameter" and "linkType appears twice" in str(err)


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/21/S1/10/L1", "AI 10 (lot) must come before AI 21"),
        ("/10/L1/22/V1", "AI 22 (consumer product variant) must come before AI 10"),
        ("/21/S1/22/V1", "AI 22 (consumer product variant) must come before AI 21"),
    ],
)
def test_rejects_qualifiers_out_of_order(path, words):
    err = rejection(BASE + path)
    assert err.code == "qualifier_order" and words in str(err)


def test_rejects_a_bad_check_digit():
    err = rejection("https://fc.example.cn/01/09520123456789/10/L1")
    assert err.code == "check_digit" and "correct check digit is 8" in str(err)


@pytest.mark.parametrize("gtin", ["9520123456788", "036000291452", "96385074", "009520123456788"])
def test_rejects_a_gtin_that_is_not_14_digits_in_the_path(gtin):
    err = rejection(f"https://fc.example.cn/01/{gtin}")
    assert err.code == "gtin_length" and f"{len(gtin)} characters, not 14" in str(err)


def test_rejects_a_gtin_with_letters():
    err = rejection("https://fc.example.cn/01/0952012345678X")
    assert err.code == "bad_characters" and "digits" in str(err)


@pytest.mark.parametrize(
    ("uri", "words"),
    [
        (f"{BASE}?17=", "query parameter 17 has an empty value"),
        (f"{BASE}?17", "query parameter 17 has an empty value"),
        (f"{BASE}?linkType=", "linkType has an empty value"),
        (f"{BASE}?17=250322&", "has no name"),
        (f"{BASE}?=250322", "has no name"),
        (f"{BASE}/10/", "AI 10 (lot) in the path has no value"),
        (f"{BASE}/10", "AI 10 (lot) in the path has no value"),
        ("https://fc.example.cn/01//10/L1", "AI 01 (GTIN) in the path has no value"),
    ],
)
def test_rejects_empty_values(uri, words):
    err = rejection(uri)
    assert err.code == "empty_value" and words in str(err)


@pytest.mark.parametrize("ai", ["99", "7003", "3104000", "00"])
def test_rejects_unknown_numeric_keys_in_the_query(ai):
    err = rejection(f"{BASE}?{ai}=1")
    assert err.code == "unknown_ai" and f"AI {ai} is not a known attribute" in str(err)


@pytest.mark.parametrize("query", ["linkType=gs1+pip", "17=250322&context=a+b", "+17=250322"])
def test_rejects_plus_in_the_query(query):
    err = rejection(f"{BASE}?{query}")
    assert err.code == "plus_in_query" and "'+'" in str(err)


def test_an_encoded_plus_in_the_query_is_fine():
    assert parse_digital_link(f"{BASE}?context=a%2Bb").extras["context"] == "a+b"


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("251301", "month 13 does not exist"),
        ("250001", "month 00 does not exist"),
        ("250132", "2025-01 has 31 days, not 32"),
        ("250230", "2025-02 has 28 days, not 30"),
        ("250229", "2025-02 has 28 days, not 29"),
        ("250431", "2025-04 has 30 days, not 31"),
    ],
)
def test_rejects_impossible_dates(value, words):
    err = rejection(f"{BASE}?17={value}")
    assert err.code == "bad_date" and words in str(err) and "AI 17" in str(err)


@pytest.mark.parametrize("value", ["201200", "250300", "250301250300", "250300250301"])
def test_a_harvest_date_has_no_day_00_as_gs1s_parser_says(value):
    """AI 7007 is yymmdd (or two): unlike AIs 11-17, a day 00 is not the month's last day."""
    err = rejection(f"{BASE}?7007={value}")
    assert err.code == "bad_date" and "AI 7007" in str(err) and "day 00" in str(err)


@pytest.mark.parametrize("ai", ["11", "13", "15", "16", "17"])
def test_the_other_date_ais_keep_day_00_as_the_months_last_day(ai):
    link = parse_digital_link(f"{BASE}?{ai}=250200")
    assert link.date_attribute(ai) == date(2025, 2, 28)


@pytest.mark.parametrize("origin", ["156", "004", "276", "840"])
def test_a_country_of_origin_is_an_iso_3166_numeric_code(origin):
    assert parse_digital_link(f"{BASE}?422={origin}").origin == origin


@pytest.mark.parametrize("origin", ["999", "000", "157", "900"])
def test_a_country_of_origin_no_country_has_is_refused(origin):
    err = rejection(f"{BASE}?422={origin}")
    assert err.code == "bad_value" and "AI 422" in str(err) and "ISO 3166" in str(err)


def test_rejects_an_impossible_harvest_date_and_a_backwards_range():
    assert "AI 7007" in str(rejection(f"{BASE}?7007=250301251301"))
    err = rejection(f"{BASE}?7007=250302250301")
    assert err.code == "bad_date" and "ends before it starts" in str(err)


@pytest.mark.parametrize(
    "query",
    [
        "17=25032",
        "17=2503221",
        "3103=1.25",
        "3103=1250",
        "7007=25030125",
        "422=CN",
        "422=1560",
        "17=%EF%BC%92%EF%BC%95%EF%BC%90%EF%BC%93%EF%BC%92%EF%BC%92",  # full-width digits
    ],
)
def test_rejects_attributes_of_the_wrong_format(query):
    err = rejection(f"{BASE}?{query}")
    assert err.code == "bad_value" and "wrong format" in str(err)


@pytest.mark.parametrize("ai", ["10", "21", "22"])
def test_rejects_qualifiers_longer_than_20(ai):
    assert parse_digital_link(f"{BASE}/{ai}/{'A' * 20}")
    err = rejection(f"{BASE}/{ai}/{'A' * 21}")
    assert err.code == "too_long" and "21 characters; at most 20" in str(err)


def test_length_counts_decoded_characters():
    assert parse_digital_link(f"{BASE}/10/{'%26' * 20}").lot == "&" * 20
    assert rejection(f"{BASE}/10/{'%26' * 21}").code == "too_long"


@pytest.mark.parametrize(
    ("segment", "shown"),
    [
        ("A%20B", "' '"),
        ("%C3%A9t%C3%A9", "'é'"),
        ("A%23B", "'#'"),
        ("A%7EB", "'~'"),
        ("A%00", "'\\x00'"),
    ],
)
def test_rejects_characters_outside_the_gs1_set_after_decoding(segment, shown):
    err = rejection(f"{BASE}/10/{segment}")
    assert err.code == "bad_characters" and shown in str(err) and "82-character set" in str(err)


def test_rejects_invalid_utf8():
    assert rejection(f"{BASE}/10/%FF").code == "bad_characters"
    assert rejection(f"{BASE}?linkType=%FF").code == "bad_characters"


@pytest.mark.parametrize(
    "uri", [f"{BASE}/10/A B", f"{BASE}/10/A\tB", f"{BASE}\n", f" {BASE}", f"{BASE}/10/批次"]
)
def test_rejects_raw_whitespace_and_non_ascii(uri):
    # urlsplit would silently drop tabs and newlines and strip spaces; a strict parser must not.
    err = rejection(uri)
    assert err.code == "bad_characters" and "encode them as %XX" in str(err)


@pytest.mark.parametrize(
    "uri",
    [
        "http://fc.example.cn/01/09520123456788",
        "ftp://fc.example.cn/01/09520123456788",
        "fc.example.cn/01/09520123456788",
        "//fc.example.cn/01/09520123456788",
    ],
)
def test_rejects_a_scheme_other_than_https(uri):
    err = rejection(uri)
    assert err.code == "not_https" and "scheme must be https" in str(err)


def test_scheme_case_does_not_matter():
    assert parse_digital_link("HTTPS://FC.EXAMPLE.CN/01/09520123456788").domain == "fc.example.cn"


@pytest.mark.parametrize("scheme", ["Https", "hTTPS", "HTTPs"])
def test_rejects_a_mixed_case_scheme_as_gs1s_parser_does(scheme):
    err = rejection(f"{scheme}://fc.example.cn/01/09520123456788")
    assert err.code == "not_https" and repr(scheme) in str(err)


@pytest.mark.parametrize(
    "domain", ["fc.example.cn.", "a.", "[2001:db8::1]", "[2001:db8::1]:8443", "[::ffff:192.0.2.1]"]
)
def test_accepts_an_absolute_host_name_and_an_ipv6_literal_as_gs1s_parser_does(domain):
    link = parse_digital_link(f"https://{domain}/01/09520123456788/10/L1")
    assert (link.domain, link.gtin, link.lot) == (domain, "09520123456788", "L1")
    assert parse_digital_link(link.to_uri()) == link


@pytest.mark.parametrize(
    ("domain", "code"),
    [
        ("[fe80::1%25lo]", "bad_domain"),  # a zone id means nothing off the scanning device
        ("fc..example.cn", "bad_domain"),
        (".", "bad_domain"),
        ("[2001:db8::1::2]", "bad_uri"),
        ("[192.0.2.1]", "bad_uri"),
        ("[]", "bad_uri"),
    ],
)
def test_rejects_a_zone_id_and_malformed_ipv6_or_host_names(domain, code):
    assert rejection(f"https://{domain}/01/09520123456788").code == code


@pytest.mark.parametrize(
    ("uri", "code", "words"),
    [
        ("https://fc.example.cn", "bad_path", "must start with /01/"),
        ("https://fc.example.cn/414/9520123000011", "bad_path", "must start with /01/"),
        ("https://fc.example.cn/x/01/09520123456788", "bad_path", "must start with /01/"),
        (f"{BASE}/", "bad_path", "ends with '/'"),
        (f"{BASE}/10/L1/", "bad_path", "ends with '/'"),
        (f"{BASE}/17/250322", "bad_path", "only 22, 10 and 21"),
        (f"{BASE}/10/A%zz", "bad_percent_encoding", "two hex digits"),
        (f"{BASE}/10/A%", "bad_percent_encoding", "two hex digits"),
        (f"{BASE}#frag", "bad_uri", "fragment"),
        ("https://user@fc.example.cn/01/09520123456788", "bad_uri", "no user"),
        ("https:///01/09520123456788", "bad_uri", "domain"),
        ("https://[fc/01/09520123456788", "bad_uri", "not a URI"),
        ("https://fc_example.cn/01/09520123456788", "bad_domain", "not a host name"),
    ],
)
def test_rejects_other_malformed_uris(uri, code, words):
    err = rejection(uri)
    assert err.code == code and words in str(err)


def test_rejects_non_strings():
    assert rejection(b"https://fc.example.cn/01/09520123456788").code == "bad_uri"  # type: ignore[arg-type]


def test_biip_is_lenient_where_we_are_strict():
    # Why biip is only a cross-check (DOMAIN.md): it takes a lot in the query.
    result = biip.parse(f"{BASE}?10=L1")
    assert result.gs1_digital_link_uri is not None
    assert rejection(f"{BASE}?10=L1").code == "lot_in_query"


@settings(database=None, deadline=None, max_examples=500)
@given(st.text(max_size=120))
def test_arbitrary_text_either_parses_or_raises_digital_link_error(text):
    for uri in (text, BASE + text, f"{BASE}/10/L1?" + text):
        try:
            parse_digital_link(uri)
        except DigitalLinkError as err:
            assert err.code and str(err)


@settings(database=None, deadline=None, max_examples=500)
@given(st.data())
def test_mutated_valid_uris_never_raise_anything_else(data):
    uri = f"{BASE}/22/V%2F1/10/ABC%26%2B123/21/S1?17=250322&7007=250301250302&3103=001250&422=156"
    position = data.draw(st.integers(0, len(uri)))
    insert = data.draw(st.text(alphabet="0123456789/?&=%+#.:~ aZ", max_size=3))
    cut = data.draw(st.integers(0, 3))
    mutated = uri[:position] + insert + uri[position + cut :]
    try:
        link = parse_digital_link(mutated)
    except DigitalLinkError:
        return
    assert parse_digital_link(link.to_uri()) == link

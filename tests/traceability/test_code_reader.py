"""The fast code reader says exactly what the strict parser and `verify` say, for any text."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from freshcircle.traceability.code_reader import CodeReader
from freshcircle.traceability.digital_link import DigitalLinkError, make_link, parse_digital_link
from freshcircle.traceability.signing import Keyring, signed_uris, verify

KEYRING = Keyring({"1": bytes(range(32)), "k2": bytes(range(100, 132))}, "1")
LOT = make_link("fc.example.cn", "09520123456788", lot="L250301A",
                harvest_date=date(2025, 3, 1), net_weight_kg="0.5", origin=156)
OTHER_LOT = dataclasses.replace(LOT, lot="L250301B")
CODES = list(signed_uris(LOT, [str(n) for n in range(5)], KEYRING))


def expected(uri: str):
    """(gtin, cpv, lot, serial, verdict) from the strict parser, or the error code."""
    try:
        link = parse_digital_link(uri)
    except DigitalLinkError as error:
        return error.code
    return (link.gtin, link.cpv, link.lot, link.serial, verify(link, KEYRING))


def read(reader: CodeReader, uri: str):
    try:
        code = reader.read(uri)
    except DigitalLinkError as error:
        return error.code
    return (code.gtin, code.cpv, code.lot, code.serial, code.verdict)


def test_packs_of_a_lot_read_after_the_first_are_genuine_with_their_own_serials():
    reader = CodeReader(KEYRING)
    codes = [reader.read(uri) for uri in CODES]
    assert [code.serial for code in codes] == ["0", "1", "2", "3", "4"]
    assert all(code.verdict.genuine and code.lot == "L250301A" for code in codes)
    assert len(reader._lots) == 1  # the lot was parsed once


@pytest.mark.parametrize("uri", [
    CODES[1].replace("sig=1.", "sig=1.x"),  # a tag of the wrong length
    CODES[1][:-1] + ("A" if CODES[1][-1] != "A" else "B"),  # a forged tag
    CODES[1].replace("/21/1?", "/21/2?"),  # another pack's serial under this signature
    CODES[1].replace("sig=1.", "sig=k2."),  # another key's id
    CODES[1].replace("sig=1.", "sig=zz."),  # a key not in the ring
    CODES[1].replace("/21/1?", "/21/" + "9" * 21 + "?"),  # a serial too long for AI 21
    CODES[1].replace("/21/1?", "/21/%41?"),  # an encoded serial: read in full
    CODES[1].replace("/21/1?", "/21/?"),  # no serial
    CODES[1].replace("/21/1?", "/21/a/b?"),
    CODES[1] + "&sig=1.AAAAAAAAAAA",  # two signatures
    CODES[1] + "#top",
    CODES[1].replace("?", "?sig=1.AAAAAAAAAAA&"),
    CODES[1].replace("sig=", "sig=+"),
    CODES[1].replace("7007=250301&", ""),  # other attributes: another lot's part
    CODES[1].split("&sig=")[0],  # unsigned
])
def test_a_changed_code_reads_as_the_strict_parser_reads_it(uri):
    reader = CodeReader(KEYRING)
    reader.read(CODES[0])  # the lot is known
    assert read(reader, uri) == expected(uri)


PIECES = st.sampled_from(["0", "1", "Z9", "a-b", "x.y", "_", "%41", "%2F", "+", "&", "#", "/",
                          "?", "sig=", "1.", "k2.", "=", "é", " ", "", "21", "/21/", "%"])


@settings(database=None, deadline=None, max_examples=400)
@given(st.data())
def test_any_change_to_known_lots_codes_reads_as_the_strict_parser_reads_it(data):
    lots = [LOT, OTHER_LOT]
    known = [uri for lot in lots for uri in signed_uris(lot, ["7", "8"], KEYRING)]
    reader = CodeReader(KEYRING, size=data.draw(st.integers(1, 4)))
    for uri in data.draw(st.lists(st.sampled_from(known), max_size=3)):
        reader.read(uri)
    uri = data.draw(st.sampled_from(known))
    for _ in range(data.draw(st.integers(0, 3))):
        at = data.draw(st.integers(0, len(uri)))
        cut = data.draw(st.integers(0, 3))
        uri = uri[:at] + data.draw(PIECES | st.text(max_size=3)) + uri[at + cut:]
    assert read(reader, uri) == expected(uri)

"""Signed per-pack codes: signing, offline verification, key rotation, serial generation."""

from __future__ import annotations

import base64
import dataclasses
import hmac
import itertools
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from freshcircle.traceability.digital_link import (
    DigitalLink,
    DigitalLinkError,
    make_link,
    parse_digital_link,
)
from freshcircle.traceability.gs1_ais import GS1_CHARSET_82
from freshcircle.traceability.signing import (
    SERIAL_ALPHABET,
    Keyring,
    Status,
    encode_serial,
    random_serials,
    sequential_serials,
    sign,
    signature_for,
    signed_uris,
    verify,
)

SECRET_1 = bytes(range(32))
SECRET_2 = bytes(range(100, 132))
KEYRING = Keyring({"1": SECRET_1}, "1")
PACK = make_link(
    "fc.example.cn",
    "09520123456788",
    lot="L250301A",
    serial="3F7",
    expiry_date=date(2025, 3, 22),
    harvest_date=date(2025, 3, 1),
    net_weight_kg="2.5",
    origin=156,
)
TAG_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def signed(link: DigitalLink = PACK, keyring: Keyring = KEYRING) -> DigitalLink:
    return sign(link, keyring)


# --- signing and the format ---------------------------------------------------------------------


def test_a_signed_code_verifies_as_genuine():
    code = signed()
    verdict = verify(code, KEYRING)
    assert verdict.status is Status.GENUINE and verdict.genuine
    assert verdict.reason == "genuine" and verdict.key_id == "1"
    assert verify(code.to_uri(), KEYRING).genuine  # the scanned text, parsed strictly


def test_signature_format_is_key_id_dot_11_characters_last_in_the_query():
    uri = signed().to_uri()
    query_tail = uri.rsplit("&", 1)[1]
    assert query_tail.startswith("sig=1.")
    assert len(query_tail) == len("sig=1.") + 11
    assert set(query_tail[len("sig=1.") :]) <= set(TAG_CHARS)
    assert signed().signature == signature_for(PACK, KEYRING)


def test_the_signature_keeps_a_typical_code_short():
    link = make_link("fc.example.cn", "09520123456788", lot="L250301A", serial="31MZ")
    uri = sign(link, KEYRING).to_uri()
    assert len(uri) - len(link.to_uri()) == len("?sig=1.") + 11
    assert len(uri) <= 90


def test_signing_is_deterministic_and_replaces_an_old_signature():
    once = signed()
    assert sign(once, KEYRING) == once
    assert list(sign(once, KEYRING).extras) == ["sig"]


def test_signature_follows_the_documented_message_format():
    # Changing the message format would invalidate every printed label: pin it, computed
    # here independently from the format the module docstring documents.
    link = make_link(
        "fc.example.cn", "09520123456788", lot="L1", serial="S1", expiry_date=date(2025, 3, 22)
    )
    link = dataclasses.replace(link, attributes={"17": "250322", "13": "250301"})
    message = "\x1d".join(["FC1", "1", "09520123456788", "", "L1", "13=250301&17=250322", "S1"])
    digest = hmac.digest(SECRET_1, message.encode(), "sha256")[:8]
    tag = base64.urlsafe_b64encode(digest).decode().rstrip("=")
    assert signature_for(link, KEYRING) == f"1.{tag}" == "1.chulGtpP68E"


def test_attribute_order_does_not_change_the_signature():
    a = DigitalLink(
        "fc.example.cn", "09520123456788", "V1", "L1", "S1", {"17": "250322", "13": "250301"}
    )
    b = dataclasses.replace(a, attributes={"13": "250301", "17": "250322"})
    assert signature_for(a, KEYRING) == signature_for(b, KEYRING)
    assert verify(
        sign(a, KEYRING).to_uri().replace("17=250322&13=250301", "13=250301&17=250322"), KEYRING
    ).genuine


def test_domain_and_link_type_are_not_signed():
    code = signed()
    assert verify(dataclasses.replace(code, domain="trace.freshcircle.cn"), KEYRING).genuine
    extras = {"linkType": "gs1:traceability", **code.extras}
    assert verify(dataclasses.replace(code, extras=extras), KEYRING).genuine


# --- forgeries ----------------------------------------------------------------------------------


def test_every_single_flipped_character_of_the_signature_fails():
    code = signed()
    value = code.signature
    assert value is not None
    for position in range(len(value)):
        for replacement in ("A", "z", "0", "_"):
            if value[position] == replacement:
                continue
            forged = value[:position] + replacement + value[position + 1 :]
            verdict = verify(dataclasses.replace(code, extras={"sig": forged}), KEYRING)
            assert verdict.status is Status.NOT_ISSUED, forged
            assert verdict.reason in {"bad_signature", "unknown_key", "malformed_signature"}


def test_a_flipped_character_in_the_scanned_uri_fails():
    uri = signed().to_uri()
    last = uri[-1]
    forged = uri[:-1] + ("B" if last != "B" else "C")
    verdict = verify(forged, KEYRING)
    assert not verdict.genuine and verdict.reason == "bad_signature"
    assert "does not match" in verdict.message


@pytest.mark.parametrize(
    "change",
    [
        {"serial": "3F8"},
        {"lot": "L250301B"},
        {"serial": None},
        {"lot": None},
        {"cpv": "V1"},
        {"gtin": "09520123456795"},
        {"attributes": {**PACK.attributes, "17": "250323"}},
        {"attributes": {k: v for k, v in PACK.attributes.items() if k != "3103"}},
        {"attributes": {**PACK.attributes, "13": "250302"}},
    ],
)
def test_the_same_signature_on_another_pack_fails(change):
    code = signed()
    other = dataclasses.replace(code, **change)
    verdict = verify(other, KEYRING)
    assert verdict.status is Status.NOT_ISSUED and verdict.reason == "bad_signature"


def test_a_signature_from_another_keyring_with_the_same_key_id_fails():
    impostor = Keyring({"1": SECRET_2}, "1")
    assert verify(signed(keyring=impostor), KEYRING).reason == "bad_signature"


def test_a_missing_signature_is_not_issued():
    verdict = verify(PACK, KEYRING)
    assert verdict.status is Status.NOT_ISSUED and verdict.reason == "missing_signature"
    assert "no signature" in verdict.message


@pytest.mark.parametrize(
    "value",
    [
        "1",
        "1.",
        ".AAAAAAAAAAA",
        "1.AAAAAAAAAA",
        "1.AAAAAAAAAAAA",
        "1.AAAAAAAAAA=",
        "123456789.AAAAAAAAAAA",
        "1.AAAAAAAAAA.",
        "é.AAAAAAAAAAA",
    ],
)
def test_a_malformed_signature_is_not_issued(value):
    verdict = verify(dataclasses.replace(PACK, extras={"sig": value}), KEYRING)
    assert verdict.status is Status.NOT_ISSUED and verdict.reason == "malformed_signature"


# --- keys and rotation -------------------------------------------------------------------------


def test_codes_signed_with_an_old_key_verify_after_rotation():
    old_code = signed()
    rotated = KEYRING.rotated("2", SECRET_2)
    assert rotated.current == "2"
    verdict = verify(old_code, rotated)
    assert verdict.genuine and verdict.key_id == "1"
    new_code = sign(PACK, rotated)
    assert new_code.signature is not None and new_code.signature.startswith("2.")
    assert verify(new_code, rotated).genuine
    assert verify(new_code, KEYRING).reason == "unknown_key"  # a verifier that never got key 2


def test_codes_signed_with_a_removed_key_fail():
    old_code = signed()
    ring = KEYRING.rotated("2", SECRET_2).without("1")
    verdict = verify(old_code, ring)
    assert verdict.status is Status.NOT_ISSUED and verdict.reason == "unknown_key"
    assert verdict.key_id == "1" and "key 1 is not in the keyring" in verdict.message
    assert verify(sign(PACK, ring), ring).genuine


def test_rotation_generates_a_fresh_secret_and_never_reuses_an_id():
    ring = KEYRING.rotated("2")
    assert ring.keys["2"] != SECRET_1 and len(ring.keys["2"]) == 32
    with pytest.raises(ValueError, match="never reused"):
        ring.rotated("1")


def test_the_current_key_cannot_be_removed():
    with pytest.raises(ValueError, match="rotate to another key"):
        KEYRING.without("1")


@pytest.mark.parametrize(
    ("keys", "current", "words"),
    [
        ({"1": b"short"}, "1", "at least 16 bytes"),
        ({"1": "not bytes but a long text"}, "1", "at least 16 bytes"),
        ({"k.1": SECRET_1}, "k.1", "1-8 characters"),
        ({"": SECRET_1}, "", "1-8 characters"),
        ({"123456789": SECRET_1}, "123456789", "1-8 characters"),
        ({"1": SECRET_1}, "2", "not in the keyring"),
    ],
)
def test_keyring_rejects_bad_configuration(keys, current, words):
    with pytest.raises(ValueError, match=words):
        Keyring(keys, current)


def test_keyring_hides_secrets_and_is_read_only():
    assert SECRET_1.hex() not in repr(KEYRING) and str(SECRET_1) not in repr(KEYRING)
    with pytest.raises(TypeError):
        KEYRING.keys["2"] = SECRET_2  # type: ignore[index]


def test_keyring_from_base64_configuration():
    ring = Keyring.from_base64({"1": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"}, "1")
    assert ring.keys["1"] == SECRET_1
    assert verify(signed(), ring).genuine


def test_generated_keyrings_differ():
    assert Keyring.generate("1").keys["1"] != Keyring.generate("1").keys["1"]


# --- verify never raises -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "scanned",
    [
        "",
        "hello",
        "http://fc.example.cn/01/09520123456788/21/1?sig=1.AAAAAAAAAAA",
        "https://fc.example.cn/01/09520123456788?10=L1&sig=1.AAAAAAAAAAA",
        "https://fc.example.cn/01/09520123456788/21/1?sig=1.AAAAAAAAAAA&sig=1.AAAAAAAAAAA",
        "https://fc.example.cn/01/09520123456788/21/1?sig=",
        "https://fc.example.cn/01/09520123456788/21/1?sig=%FF",
        "\x00" * 1000,
        "https://" + "a" * 100_000,
        None,
        42,
        b"https://fc.example.cn/01/09520123456788",
        ["https://fc.example.cn/01/09520123456788"],
    ],
)
def test_garbage_never_raises_and_is_not_issued(scanned):
    verdict = verify(scanned, KEYRING)  # type: ignore[arg-type]
    assert verdict.status is Status.NOT_ISSUED
    assert verdict.reason in {"malformed_link", "missing_signature", "malformed_signature"}
    assert verdict.message


@settings(database=None, deadline=None, max_examples=300)
@given(st.text(max_size=200))
def test_arbitrary_text_never_raises(text):
    for scanned in (text, PACK.to_uri() + "&sig=" + text, "https://fc.example.cn/01/" + text):
        assert verify(scanned, KEYRING).status is Status.NOT_ISSUED


@settings(database=None, deadline=None, max_examples=500)
@given(st.data())
def test_mutated_signed_codes_never_raise(data):
    uri = signed().to_uri()
    position = data.draw(st.integers(0, len(uri) - 1))
    replacement = data.draw(st.characters(codec="ascii"))
    mutated = uri[:position] + replacement + uri[position + 1 :]
    verdict = verify(mutated, KEYRING)
    if verdict.genuine:  # only changes outside the signed content may keep it genuine
        link = parse_digital_link(mutated)
        assert (link.gtin, link.lot, link.serial, dict(link.attributes)) == (
            PACK.gtin,
            PACK.lot,
            PACK.serial,
            dict(PACK.attributes),
        )


# --- label runs and serials ---------------------------------------------------------------------


def test_signed_uris_match_signing_each_pack():
    lot_link = dataclasses.replace(PACK, serial=None, extras={"linkType": "gs1:pip"})
    serials = ["0", "1", "Z", "A&B", "x/y"]
    fast = list(signed_uris(lot_link, serials, KEYRING))
    slow = [sign(dataclasses.replace(lot_link, serial=s), KEYRING).to_uri() for s in serials]
    assert fast == slow
    assert all(verify(uri, KEYRING).genuine for uri in fast)


def test_signed_uris_without_attributes():
    link = DigitalLink("fc.example.cn", "09520123456788", lot="L1")
    uri = next(signed_uris(link, ["7"], KEYRING))
    assert uri.startswith("https://fc.example.cn/01/09520123456788/10/L1/21/7?sig=1.")
    assert verify(uri, KEYRING).genuine


@pytest.mark.parametrize(
    ("serial", "code"), [("", "empty_value"), ("A" * 21, "too_long"), ("a b", "bad_characters")]
)
def test_signed_uris_reject_bad_serials(serial, code):
    with pytest.raises(DigitalLinkError) as err:
        list(signed_uris(PACK, [serial], KEYRING))
    assert err.value.code == code


@pytest.mark.parametrize(
    ("number", "text"),
    [(0, "0"), (9, "9"), (10, "A"), (31, "Z"), (32, "10"), (1023, "ZZ"), (99_999, "31MZ")],
)
def test_encode_serial(number, text):
    assert encode_serial(number) == text


@pytest.mark.parametrize("number", [-1, True, 1.5, "7"])
def test_encode_serial_rejects_non_counts(number):
    with pytest.raises(ValueError):
        encode_serial(number)  # type: ignore[arg-type]


def test_sequential_serials_for_a_100000_pack_run():
    serials = sequential_serials(100_000)
    assert len(set(serials)) == 100_000
    assert max(map(len, serials)) == 4
    assert set("".join(serials)) <= set(SERIAL_ALPHABET) <= GS1_CHARSET_82
    assert sequential_serials(3, start=100_000) == [
        encode_serial(n) for n in range(100_000, 100_003)
    ]
    assert sequential_serials(0) == []
    with pytest.raises(ValueError):
        sequential_serials(-1)


def test_random_serials_for_a_100000_pack_run():
    serials = random_serials(100_000)
    assert len(serials) == len(set(serials)) == 100_000
    assert {len(s) for s in serials} == {12}
    assert set("".join(serials)) == set(SERIAL_ALPHABET)
    assert random_serials(0) == []
    assert {len(s) for s in random_serials(10, length=20)} == {20}


def test_random_serials_replace_duplicates():
    chunks = itertools.chain([bytes(5) * 4], itertools.repeat(None))
    counter = itertools.count(1)

    def source(n: int) -> bytes:
        chunk = next(chunks)
        return chunk[:n] if chunk else next(counter).to_bytes(n, "big")

    serials = random_serials(4, length=8, random_bytes=source)
    assert len(set(serials)) == 4 and serials[0] == "00000000"


def test_random_serials_give_up_on_a_stuck_source():
    with pytest.raises(RuntimeError, match="keeps repeating"):
        random_serials(2, length=4, random_bytes=bytes)


@pytest.mark.parametrize(("count", "length"), [(-1, 12), (1, 0), (1, 21)])
def test_random_serials_reject_bad_arguments(count, length):
    with pytest.raises(ValueError):
        random_serials(count, length=length)

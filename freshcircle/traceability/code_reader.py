"""Reading scanned per-pack codes fast: each lot's part of the code is checked once.

Every pack of a lot carries the same code but for its serial and its signature:

    https://{domain}/01/{gtin}/10/{lot}/21/{serial}?{attributes}&sig={key id}.{tag}

`CodeReader.read` parses the first code of a lot strictly (`parse_digital_link`, then
`signing.verify`) and keeps what it learnt under the code's text without its serial and
signature. A later code of that lot whose serial and signature are plain (letters, digits,
'-', '.', '_': nothing to decode, nothing the strict parser could refuse but the serial's own
GS1 rule) costs that rule and one HMAC. Every other code is parsed in full. So `read` answers
what `verify(parse_digital_link(uri))` answers, raising the same DigitalLinkError, for any
text (tests/traceability/test_code_reader.py checks that on generated codes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .digital_link import DigitalLink, DigitalLinkError, parse_digital_link
from .gs1_ais import GS1ValueError, check_gs1_text
from .signing import Keyring, Verdict, check_signature, message_prefix, verify

_PLAIN = re.compile(r"[0-9A-Za-z_.-]+")
_SERIAL_AT = "/21/"
_SIGNATURE_AT = "sig="


@dataclass(frozen=True)
class ScannedCode:
    """What a scan needs of a code: its keys and the signature's verdict."""

    gtin: str
    cpv: str | None
    lot: str | None
    serial: str | None
    verdict: Verdict


@dataclass
class _Lot:
    """A lot's part of its packs' codes, parsed: the link without serial and signature."""

    link: DigitalLink
    prefixes: dict[str, bytes] = field(default_factory=dict)  # key id -> signed message head

    def prefix(self, key_id: str) -> bytes:
        head = self.prefixes.get(key_id)
        if head is None:
            head = self.prefixes[key_id] = message_prefix(key_id, self.link)
        return head


_Parts = tuple[tuple[str, str], str, str]  # (the lot's part, serial, signature)


def _split(uri: str) -> _Parts | None:
    """(the lot's part, serial, signature) of a code whose serial and signature are plain."""
    head, found, tail = uri.rpartition(_SERIAL_AT)
    if not found:
        return None
    serial, _, query = tail.partition("?")
    if query.startswith(_SIGNATURE_AT):
        rest, signature = "", query[len(_SIGNATURE_AT):]
    else:
        rest, found, signature = query.rpartition("&" + _SIGNATURE_AT)
        if not found:
            return None
    if not _PLAIN.fullmatch(serial) or not _PLAIN.fullmatch(signature):
        return None
    return (head, rest), serial, signature


class CodeReader:
    """Parses and verifies codes with one keyring, keeping up to `size` lots."""

    def __init__(self, keyring: Keyring, size: int = 1024):
        self.keyring = keyring
        self.size = size
        self._lots: dict[tuple[str, str], _Lot] = {}

    def read(self, uri: str) -> ScannedCode:
        """The code's keys and verdict; DigitalLinkError when it is not a valid Digital Link."""
        parts = _split(uri) if isinstance(uri, str) else None
        lot = self._lots.get(parts[0]) if parts is not None else None
        if parts is None or lot is None:
            return self._read_in_full(uri, parts)
        _key, serial, signature = parts
        try:
            check_gs1_text(serial, "serial (AI 21)")
        except GS1ValueError as exc:
            raise DigitalLinkError(exc.code, str(exc)) from None
        link = lot.link
        return ScannedCode(link.gtin, link.cpv, link.lot, serial,
                           check_signature(signature, self.keyring, lot.prefix, serial))

    def _read_in_full(self, uri: str, parts: _Parts | None) -> ScannedCode:
        link = parse_digital_link(uri)
        code = ScannedCode(link.gtin, link.cpv, link.lot, link.serial,
                           verify(link, self.keyring))
        if parts is not None and link.serial == parts[1] and link.signature == parts[2]:
            if len(self._lots) >= self.size:
                self._lots.clear()  # lots come and go slowly; start again rather than track age
            self._lots[parts[0]] = _Lot(link)
        return code

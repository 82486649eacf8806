"""Signed per-pack codes: a short HMAC tag in the Digital Link that anyone's scan can check offline.

Format: the query parameter `sig=<key id>.<tag>` goes last in the URI, for example

    https://fc.example.cn/01/09520123456788/10/L0301/21/3F7?17=250322&sig=1.q83vEjRWeJA

- key id: 1-8 characters of [0-9A-Za-z], naming the secret in the Keyring, so keys rotate;
- tag: HMAC-SHA256(secret, message) truncated to its first 64 bits, base64url without padding
  (always 11 characters); so the signature adds 18 characters to the URI ("&sig=" + 13).
- message: b"FC1", key id, GTIN-14, CPV, lot, the numeric attributes as sorted "AI=value" pairs
  joined by "&", and the serial, joined by the GS1 group separator 0x1D (none of these can hold
  it; an absent CPV, lot or serial is empty, which no present one can be).

The attributes are signed, so a forger cannot reprint a genuine code with a later expiry date.
The domain and non-numeric parameters (`linkType`) are not: a code survives a move of the
platform's domain, and a resolver may add `linkType` to it. A 64-bit tag cannot be guessed
(one chance in 1.8e19 per try) and checking needs the secret, so a forger has no offline oracle.
"""

from __future__ import annotations

import base64
import enum
import hmac
import re
import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from urllib.parse import quote

from .digital_link import SIGNATURE_PARAM, DigitalLink, DigitalLinkError, parse_digital_link
from .gs1_ais import GS1ValueError, check_gs1_text

SERIAL_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
"""Crockford base32: no I, L, O or U, so a serial read aloud or typed is not mistaken."""
MIN_SECRET_BYTES = 16
_KEY_ID = re.compile(r"[0-9A-Za-z]{1,8}")
_TAG = re.compile(r"[0-9A-Za-z_-]{11}")
_SEP = "\x1d"
_TO_CROCKFORD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", SERIAL_ALPHABET)


@dataclass(frozen=True)
class Keyring:
    """Signing secrets by key id; `current` signs, every key in `keys` verifies.

    Rotate by adding a new key and making it current (`rotated`); codes signed with the old
    key verify while it stays in the ring, and fail once it is removed (`without`).
    Secrets never appear in repr().
    """

    keys: Mapping[str, bytes] = field(repr=False, hash=False)
    current: str

    def __post_init__(self) -> None:
        keys = dict(self.keys)
        for key_id, secret in keys.items():
            if not isinstance(key_id, str) or not _KEY_ID.fullmatch(key_id):
                raise ValueError(f"key id {key_id!r} must be 1-8 characters of 0-9, A-Z, a-z")
            if not isinstance(secret, bytes) or len(secret) < MIN_SECRET_BYTES:
                raise ValueError(f"secret of key {key_id} must be at least 16 bytes")
        if self.current not in keys:
            raise ValueError(f"current key id {self.current!r} is not in the keyring")
        object.__setattr__(self, "keys", MappingProxyType(keys))

    @classmethod
    def generate(cls, key_id: str) -> Keyring:
        """A keyring holding one fresh random 32-byte key."""
        return cls({key_id: secrets.token_bytes(32)}, key_id)

    @classmethod
    def from_base64(cls, encoded: Mapping[str, str], current: str) -> Keyring:
        """Build a keyring from {key id: base64url secret}, the form kept in configuration."""
        keys = {
            kid: base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            for kid, text in encoded.items()
        }
        return cls(keys, current)

    def rotated(self, key_id: str, secret: bytes | None = None) -> Keyring:
        """A keyring with `key_id` added (a fresh secret unless given) and made current."""
        if key_id in self.keys:
            raise ValueError(f"key id {key_id} is already in the keyring; ids are never reused")
        fresh = secrets.token_bytes(32) if secret is None else secret
        return Keyring({**self.keys, key_id: fresh}, key_id)

    def without(self, key_id: str) -> Keyring:
        """A keyring with `key_id` removed; codes signed with it stop verifying."""
        if key_id == self.current:
            raise ValueError(f"key {key_id} is current; rotate to another key before removing it")
        return Keyring({k: v for k, v in self.keys.items() if k != key_id}, self.current)


class Status(enum.Enum):
    """What a scan of the code may tell the consumer."""

    GENUINE = "genuine"
    NOT_ISSUED = "not_issued"


@dataclass(frozen=True)
class Verdict:
    """The outcome of `verify`: a status, a stable `reason` code and an English `message`.

    Reasons: "genuine", "malformed_link", "missing_signature", "malformed_signature",
    "unknown_key", "bad_signature".
    """

    status: Status
    reason: str
    message: str
    key_id: str | None = None

    @property
    def genuine(self) -> bool:
        """True when FreshCircle issued this code."""
        return self.status is Status.GENUINE


def message_prefix(key_id: str, link: DigitalLink) -> bytes:
    """The canonical message up to and including the separator before the serial."""
    attributes = "&".join(f"{ai}={value}" for ai, value in sorted(link.attributes.items()))
    fields = ("FC1", key_id, link.gtin, link.cpv or "", link.lot or "", attributes, "")
    return _SEP.join(fields).encode()


def _tag(secret: bytes, message: bytes) -> str:
    digest = hmac.digest(secret, message, "sha256")[:8]
    return base64.urlsafe_b64encode(digest).decode()[:11]


def signature_for(link: DigitalLink, keyring: Keyring, key_id: str | None = None) -> str:
    """The `sig` value `<key id>.<tag>` for `link`, with the current key unless `key_id` given."""
    kid = keyring.current if key_id is None else key_id
    message = message_prefix(kid, link) + (link.serial or "").encode()
    return f"{kid}.{_tag(keyring.keys[kid], message)}"


def sign(link: DigitalLink, keyring: Keyring) -> DigitalLink:
    """`link` with its `sig` parameter set (replacing any) and placed last in the query."""
    extras = {k: v for k, v in link.extras.items() if k != SIGNATURE_PARAM}
    extras[SIGNATURE_PARAM] = signature_for(link, keyring)
    return replace(link, extras=extras)


def signed_uris(link: DigitalLink, serials: Iterable[str], keyring: Keyring) -> Iterator[str]:
    """The signed URI of `link` for each serial, as `sign(link with serial).to_uri()` gives.

    For label runs: the URI template and the message prefix are built once, so each code
    costs one HMAC. A serial outside the GS1 rules raises DigitalLinkError.
    """
    kid = keyring.current
    secret, prefix = keyring.keys[kid], message_prefix(kid, link)
    extras = {k: v for k, v in link.extras.items() if k != SIGNATURE_PARAM}
    path, _, query = replace(link, serial=None, extras=extras).to_uri().partition("?")
    query = f"?{query}&" if query else "?"
    for serial in serials:
        try:
            check_gs1_text(serial, "serial (AI 21)")
        except GS1ValueError as exc:
            raise DigitalLinkError(exc.code, str(exc)) from None
        tag = _tag(secret, prefix + serial.encode())
        yield f"{path}/21/{quote(serial, safe='')}{query}{SIGNATURE_PARAM}={kid}.{tag}"


def _not_issued(reason: str, message: str, key_id: str | None = None) -> Verdict:
    return Verdict(Status.NOT_ISSUED, reason, message, key_id)


def verify(link: DigitalLink | str, keyring: Keyring) -> Verdict:
    """Check a scanned code offline; every failure is a NOT_ISSUED verdict, never an exception.

    `link` may be a DigitalLink or the scanned URI text (parsed strictly). Tags are compared
    in constant time.
    """
    if isinstance(link, str):
        try:
            link = parse_digital_link(link)
        except DigitalLinkError as exc:
            return _not_issued("malformed_link", f"not a valid Digital Link: {exc}")
    if not isinstance(link, DigitalLink):
        return _not_issued("malformed_link", f"not a Digital Link but a {type(link).__name__}")
    return check_signature(link.signature, keyring,
                           lambda key_id: message_prefix(key_id, link), link.serial)


def check_signature(value: str | None, keyring: Keyring, prefix: Callable[[str], bytes],
                    serial: str | None) -> Verdict:
    """The verdict on a code's `sig` value, given the message up to the serial for a key id
    (`message_prefix`) and the serial: what `verify` says once the link is parsed."""
    if value is None:
        return _not_issued("missing_signature", "the code carries no signature")
    key_id, _, tag = value.partition(".")
    if not _KEY_ID.fullmatch(key_id) or not _TAG.fullmatch(tag):
        return _not_issued("malformed_signature", "the signature is not <key id>.<11-char tag>")
    secret = keyring.keys.get(key_id)
    if secret is None:
        return _not_issued("unknown_key", f"key {key_id} is not in the keyring", key_id)
    expected = _tag(secret, prefix(key_id) + (serial or "").encode())
    if not hmac.compare_digest(expected, tag):
        return _not_issued("bad_signature", "the signature does not match this code", key_id)
    return Verdict(Status.GENUINE, "genuine", f"signed with key {key_id}", key_id)


def encode_serial(number: int) -> str:
    """Write a non-negative integer in Crockford base32 (0 -> '0', 32 -> '10')."""
    if isinstance(number, bool) or not isinstance(number, int) or number < 0:
        raise ValueError(f"serial number {number!r} must be a non-negative integer")
    digits = ""
    while True:
        number, rest = divmod(number, 32)
        digits = SERIAL_ALPHABET[rest] + digits
        if not number:
            return digits


def sequential_serials(count: int, *, start: int = 0) -> list[str]:
    """`count` serials numbering start, start + 1, ... in Crockford base32 (shortest form).

    The caller keeps the next start per lot; 100,000 packs need at most 4 characters.
    Serials need not be secret: the signature, not the serial, makes a code genuine.
    """
    if count < 0 or start < 0:
        raise ValueError("count and start must be non-negative")
    return [encode_serial(n) for n in range(start, start + count)]


def random_serials(
    count: int, *, length: int = 12, random_bytes: Callable[[int], bytes] = secrets.token_bytes
) -> list[str]:
    """`count` distinct random serials of `length` Crockford base32 characters (5 bits each).

    Needs no stored counter. With the default 60 bits, two runs of a million packs on one lot
    collide with probability about 1e-6; within one call serials are always distinct.
    """
    if count < 0 or not 1 <= length <= 20:
        raise ValueError("count must be non-negative and length 1 to 20")
    found: dict[str, None] = {}
    for _ in range(100):
        missing = count - len(found)
        if missing <= 0:
            return list(found)[:count]
        chars = missing * length
        text = base64.b32encode(random_bytes(-(-chars * 5 // 40) * 5)).decode()
        text = text[:chars].translate(_TO_CROCKFORD)
        found.update(dict.fromkeys(text[i : i + length] for i in range(0, chars, length)))
    raise RuntimeError("the random source keeps repeating itself; serials are not unique")

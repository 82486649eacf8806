"""GS1 Digital Link URIs: build them and parse them strictly.

    https://{domain}/01/{gtin14}[/22/{cpv}][/10/{lot}][/21/{serial}][?{AI}={value}&...&{name}={value}]

Keys and key qualifiers live in the path, in the order 22, 10, 21; data attributes (numeric
AIs, see `gs1_ais.ATTRIBUTE_AIS`) and other parameters (`linkType`, the signature `sig`) live
in the query. The builder always writes the GTIN as 14 digits and percent-encodes every
reserved character of a qualifier (`ABC&+123` -> `ABC%26%2B123`), so build -> parse -> build
gives the same string. Only GTIN links are handled, with the path starting at /01/.

The parser rejects what a conformant resolver answers 400 to, raising `DigitalLinkError`
whose stable `code` is one of: not_https, bad_uri, bad_domain, bad_characters,
bad_percent_encoding, bad_path, gtin_length, check_digit, duplicate_ai, duplicate_parameter,
qualifier_order, empty_value, too_long, lot_in_query, qualifier_in_query, unknown_ai,
plus_in_query, bad_value, bad_date, bad_key.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from urllib.parse import quote, unquote, urlsplit

from .gs1_ais import (
    DATE_AIS,
    NET_WEIGHT_AIS,
    GS1ValueError,
    check_attributes,
    check_gs1_text,
    format_gs1_date,
    format_net_weight,
    gs1_date,
    read_net_weight,
)
from .gs1_keys import GS1KeyError, normalize_gtin

QUALIFIERS = {"22": "consumer product variant", "10": "lot", "21": "serial"}
"""Path qualifiers after the GTIN, in the order they must appear."""
SIGNATURE_PARAM = "sig"
"""Query parameter that carries the pack signature (see freshcircle.traceability.signing)."""

_DIGITS = re.compile(r"[0-9]+")
_DOMAIN = re.compile(  # a host name (an absolute one ends in "."), or an IPv6 literal; a port
    r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.?"
    r"|\[(?P<ipv6>[0-9a-f:.]+)\])(?::[0-9]{1,5})?"
)
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_NOT_VISIBLE_ASCII = re.compile(r"[^!-~]")
_SAFE = "!$'()*,/:@"  # legal in a query value; & = + # % ; are always encoded


class DigitalLinkError(ValueError):
    """A Digital Link is malformed; `code` is stable for programs, the message is for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@contextmanager
def _link_errors() -> Iterator[None]:
    """Re-raise the key and value errors of gs1_keys and gs1_ais as DigitalLinkError."""
    try:
        yield
    except (GS1KeyError, GS1ValueError) as exc:
        code = "gtin_length" if exc.code == "bad_length" else exc.code
        raise DigitalLinkError(code, str(exc)) from None


def _check_query_ai(ai: str) -> None:
    if not isinstance(ai, str) or not _DIGITS.fullmatch(ai):
        raise DigitalLinkError("bad_key", f"attribute key {ai!r} is not a numeric AI")
    if ai == "10":
        raise DigitalLinkError("lot_in_query", "lot (AI 10) must be in the path, not the query")
    if ai in ("01", "21", "22"):
        raise DigitalLinkError("qualifier_in_query", f"AI {ai} must be in the path, not the query")


def _is_ipv6(text: str) -> bool:
    try:
        ipaddress.IPv6Address(text)  # the pattern has already ruled out a zone ("%25eth0")
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class DigitalLink:
    """A parsed or to-be-built Digital Link; construction validates and normalises the GTIN.

    `attributes` maps query AIs to their raw GS1 values, `extras` holds non-numeric query
    parameters such as `linkType` and `sig`; both keep their order and are read-only.
    """

    domain: str
    gtin: str
    cpv: str | None = None
    lot: str | None = None
    serial: str | None = None
    attributes: Mapping[str, str] = field(default_factory=dict, hash=False)
    extras: Mapping[str, str] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        domain = self.domain.lower() if isinstance(self.domain, str) else ""
        match = _DOMAIN.fullmatch(domain)
        if not match or (match["ipv6"] and not _is_ipv6(match["ipv6"])):
            raise DigitalLinkError("bad_domain", f"domain {self.domain!r} is not a host name")
        with _link_errors():
            gtin = normalize_gtin(self.gtin)
            for ai, value in (("22", self.cpv), ("10", self.lot), ("21", self.serial)):
                if value is not None:
                    check_gs1_text(value, f"{QUALIFIERS[ai]} (AI {ai})")
        attributes, extras = dict(self.attributes), dict(self.extras)
        for ai in attributes:
            _check_query_ai(ai)
        with _link_errors():
            check_attributes(attributes)
        for key, value in extras.items():
            if not isinstance(key, str) or not key or _DIGITS.fullmatch(key):
                raise DigitalLinkError("bad_key", f"{key!r} is not a valid non-AI parameter name")
            if not isinstance(value, str) or not value:
                raise DigitalLinkError("empty_value", f"parameter {key} has an empty value")
        object.__setattr__(self, "domain", domain)
        object.__setattr__(self, "gtin", gtin)
        object.__setattr__(self, "attributes", MappingProxyType(attributes))
        object.__setattr__(self, "extras", MappingProxyType(extras))

    def to_uri(self) -> str:
        """The canonical URI: GTIN-14, qualifiers percent-encoded, query in stored order."""
        path = [f"https://{self.domain}/01/{self.gtin}"]
        for ai, value in (("22", self.cpv), ("10", self.lot), ("21", self.serial)):
            if value is not None:
                path.append(f"/{ai}/{quote(value, safe='')}")
        query = [f"{ai}={value}" for ai, value in self.attributes.items()]
        query += [f"{quote(k, safe='')}={quote(v, safe=_SAFE)}" for k, v in self.extras.items()]
        return "".join(path) + ("?" + "&".join(query) if query else "")

    __str__ = to_uri

    def date_attribute(self, ai: str) -> date | None:
        """The date in AI `ai` (11, 13, 15, 16 or 17), or None when the link has none."""
        if ai not in DATE_AIS:
            raise KeyError(f"AI {ai} is not a date attribute")
        value = self.attributes.get(ai)
        return gs1_date(value) if value else None

    @property
    def expiry_date(self) -> date | None:
        """AI 17, the use-by or expiry date."""
        return self.date_attribute("17")

    @property
    def packing_date(self) -> date | None:
        """AI 13."""
        return self.date_attribute("13")

    @property
    def production_date(self) -> date | None:
        """AI 11."""
        return self.date_attribute("11")

    @property
    def harvest_period(self) -> tuple[date, date] | None:
        """AI 7007 as (first day, last day); a single harvest date gives the same day twice."""
        value = self.attributes.get("7007")
        return (gs1_date(value[:6]), gs1_date(value[-6:])) if value else None

    @property
    def harvest_date(self) -> date | None:
        """AI 7007's (first) harvest day."""
        return period[0] if (period := self.harvest_period) else None

    @property
    def net_weight_kg(self) -> Decimal | None:
        """AI 3100-3105 in kg, with the decimals the AI states (3103 '001250' -> 1.250)."""
        for ai in NET_WEIGHT_AIS:
            if ai in self.attributes:
                return read_net_weight(ai, self.attributes[ai])
        return None

    @property
    def origin(self) -> str | None:
        """AI 422, the ISO 3166-1 numeric country of origin as 3 digits ('156' is China)."""
        return self.attributes.get("422")

    @property
    def signature(self) -> str | None:
        """The `sig` query parameter, unverified (see signing.verify)."""
        return self.extras.get(SIGNATURE_PARAM)


def make_link(
    domain: str,
    gtin: str,
    *,
    cpv: str | None = None,
    lot: str | None = None,
    serial: str | None = None,
    expiry_date: date | None = None,
    packing_date: date | None = None,
    production_date: date | None = None,
    harvest_date: date | tuple[date, date] | None = None,
    net_weight_kg: Decimal | int | str | None = None,
    origin: str | int | None = None,
    extras: Mapping[str, str] | None = None,
) -> DigitalLink:
    """Build a DigitalLink from typed values (attributes in the order 17, 13, 11, 7007, 3103, 422).

    `harvest_date` is a day or a (first, last) range; `origin` an ISO 3166 numeric code (156).
    """
    attributes: dict[str, str] = {}
    with _link_errors():
        for ai, day in (("17", expiry_date), ("13", packing_date), ("11", production_date)):
            if day is not None:
                attributes[ai] = format_gs1_date(day)
        if isinstance(harvest_date, tuple):
            attributes["7007"] = "".join(format_gs1_date(day) for day in harvest_date)
        elif harvest_date is not None:
            attributes["7007"] = format_gs1_date(harvest_date)
        if net_weight_kg is not None:
            attributes["3103"] = format_net_weight(net_weight_kg)
    if origin is not None:
        attributes["422"] = f"{origin:03d}" if isinstance(origin, int) else origin
    return DigitalLink(domain, gtin, cpv, lot, serial, attributes, dict(extras or {}))


def parse_digital_link(uri: str) -> DigitalLink:
    """Parse a Digital Link URI strictly; raise DigitalLinkError saying what is wrong."""
    if not isinstance(uri, str):
        raise DigitalLinkError("bad_uri", f"a Digital Link is a string, not {type(uri).__name__}")
    if _NOT_VISIBLE_ASCII.search(uri):
        bad = "".join(sorted({ch for ch in uri if not "!" <= ch <= "~"}))
        raise DigitalLinkError("bad_characters", f"URI contains {bad!r}; encode them as %XX")
    if _BAD_PERCENT.search(uri):
        raise DigitalLinkError("bad_percent_encoding", "a '%' is not followed by two hex digits")
    try:
        parts = urlsplit(uri)
    except ValueError as exc:
        raise DigitalLinkError("bad_uri", f"not a URI: {exc}") from None
    if parts.scheme != "https" or not uri.startswith(("https:", "HTTPS:")):
        scheme = uri.partition(":")[0] if parts.scheme else "none"
        raise DigitalLinkError("not_https", f"scheme must be https or HTTPS, not {scheme!r}")
    if not parts.netloc or "@" in parts.netloc:
        raise DigitalLinkError("bad_uri", "URI must name a domain (and no user)")
    if "#" in uri:
        raise DigitalLinkError("bad_uri", "a Digital Link has no fragment ('#')")
    segments = parts.path.split("/")[1:]
    if segments[:1] != ["01"] or len(segments) < 2:
        raise DigitalLinkError(
            "bad_path", f"path must start with /01/{{GTIN-14}}, not {parts.path!r}"
        )
    if segments[-1] == "" and len(segments) % 2:
        raise DigitalLinkError("bad_path", "path ends with '/'")
    values: dict[str, str] = {}
    order, last = list(QUALIFIERS), -1
    for i in range(0, len(segments), 2):
        ai, raw = segments[i], segments[i + 1] if i + 1 < len(segments) else ""
        name = QUALIFIERS.get(ai, "GTIN" if ai == "01" else ai)
        if ai in values:
            raise DigitalLinkError("duplicate_ai", f"AI {ai} ({name}) appears twice in the path")
        if i and ai not in QUALIFIERS:
            raise DigitalLinkError(
                "bad_path", f"AI {ai!r} cannot follow the GTIN in the path; only 22, 10 and 21 can"
            )
        if not raw:
            raise DigitalLinkError("empty_value", f"AI {ai} ({name}) in the path has no value")
        rank = order.index(ai) if i else -1
        if rank < last:
            raise DigitalLinkError(
                "qualifier_order",
                f"AI {ai} ({name}) must come before AI {order[last]}; the order is 22, 10, 21",
            )
        last = rank
        if i == 0 and len(raw) != 14:
            raise DigitalLinkError(
                "gtin_length", f"GTIN {raw!r} in the path has {len(raw)} characters, not 14"
            )
        try:
            values[ai] = unquote(raw, errors="strict") if i else raw
        except UnicodeDecodeError:
            raise DigitalLinkError("bad_characters", f"{name} is not valid UTF-8") from None
    attributes, extras = _parse_query(parts.query)
    cpv, lot, serial = (values.get(ai) for ai in QUALIFIERS)
    return DigitalLink(parts.netloc, values["01"], cpv, lot, serial, attributes, extras)


def _parse_query(query: str) -> tuple[dict[str, str], dict[str, str]]:
    if "+" in query:
        raise DigitalLinkError("plus_in_query", "'+' in the query is ambiguous; write %2B or %20")
    attributes: dict[str, str] = {}
    extras: dict[str, str] = {}
    for pair in query.split("&") if query else []:
        key_raw, _, value_raw = pair.partition("=")
        try:
            key, value = unquote(key_raw, errors="strict"), unquote(value_raw, errors="strict")
        except UnicodeDecodeError:
            raise DigitalLinkError("bad_characters", "query is not valid UTF-8") from None
        if not key:
            raise DigitalLinkError("empty_value", f"query parameter {pair!r} has no name")
        if not value:
            raise DigitalLinkError("empty_value", f"query parameter {key} has an empty value")
        if key in attributes or key in extras:
            code = "duplicate_ai" if _DIGITS.fullmatch(key) else "duplicate_parameter"
            raise DigitalLinkError(code, f"query parameter {key} appears twice")
        (attributes if _DIGITS.fullmatch(key) else extras)[key] = value
    return attributes, extras

"""Identifier normalisation for the EPCIS event hash (CBV 2.0 event hash rules 17 and 18).

EPC URIs (``urn:epc:id:...``, ``urn:epc:class:lgtin:...``, ``urn:epc:idpat:sgtin:...``) become
canonical GS1 Digital Link URIs, and any GS1 Digital Link URI is constrained: the domain becomes
``https://id.gs1.org``, the query string goes, and only the finest identification level allowed
by the algorithm is kept (``01``, ``01/21``, ``01/10``, ``01/235``, ``414/254``, ``8006/21``,
``8006/10``, ``8010/8011`` and single keys). Anything else is returned unchanged.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

CANONICAL_DL_DOMAIN = "https://id.gs1.org"

# Primary keys: AI -> pattern of a valid value in a Digital Link path.
_PRIMARY_KEYS = {
    "00": r"\d{18}",
    "01": r"\d{8}|\d{12,14}",
    "253": r"\d{13}[!-~]{0,17}",
    "255": r"\d{13}\d{0,12}",
    "401": r"[!-~%]{1,30}",
    "402": r"\d{17}",
    "414": r"\d{13}",
    "417": r"\d{13}",
    "8003": r"\d{14}[!-~%]{0,16}",
    "8004": r"[!-~%]{1,30}",
    "8006": r"\d{18}",
    "8010": r"[!-~%]{1,30}",
    "8017": r"\d{18}",
    "8018": r"\d{18}",
}
# Which qualifiers survive, finest first (the first one present wins).
_KEPT_QUALIFIERS = {
    "01": ("21", "235", "10"),
    "414": ("254",),
    "8006": ("21", "10"),
    "8010": ("8011",),
}
_QUALIFIER_AIS = frozenset({"21", "10", "22", "235", "254", "8011", "7040"})


def check_digit(digits: str) -> str:
    """GS1 mod-10 check digit for a string of digits (the key without its check digit)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return str((10 - total % 10) % 10)


def _with_check(digits: str) -> str:
    return digits + check_digit(digits)


def _dl(*pairs: tuple[str, str]) -> str:
    return CANONICAL_DL_DOMAIN + "".join(f"/{ai}/{value}" for ai, value in pairs)


def _gtin(company_prefix: str, item_ref: str) -> str:
    return _with_check(item_ref[:1] + company_prefix + item_ref[1:])


def _epc_urn_to_dl(value: str) -> str | None:
    match = re.fullmatch(r"urn:epc:(id|class|idpat):([a-z]+):(.+)", value)
    if not match:
        return None
    family, scheme, body = match.groups()
    parts = body.split(".")
    # The company prefix and the reference after it are digits, except a GIAI asset reference.
    numeric = parts[0].isdigit() and (scheme == "giai" or all(p.isdigit() for p in parts[:2]))
    if family == "class" and scheme == "lgtin" and len(parts) == 3 and numeric:
        return _dl(("01", _gtin(parts[0], parts[1])), ("10", parts[2]))
    if family == "idpat" and scheme == "sgtin" and len(parts) == 3 and numeric:
        if len(parts[0]) + len(parts[1]) != 13:
            return None
        return _dl(("01", _gtin(parts[0], parts[1]))) if parts[2] == "*" else None
    if family != "id" or not numeric:
        return None
    if scheme == "sgtin" and len(parts) == 3 and len(parts[0]) + len(parts[1]) == 13:
        return _dl(("01", _gtin(parts[0], parts[1])), ("21", parts[2]))
    if scheme == "sscc" and len(parts) == 2 and len(parts[0]) + len(parts[1]) == 17:
        return _dl(("00", _with_check(parts[1][:1] + parts[0] + parts[1][1:])))
    if scheme == "sgln" and len(parts) == 3 and len(parts[0]) + len(parts[1]) == 12:
        gln = _with_check(parts[0] + parts[1])
        return _dl(("414", gln)) if parts[2] == "0" else _dl(("414", gln), ("254", parts[2]))
    if scheme == "pgln" and len(parts) == 2 and len(parts[0]) + len(parts[1]) == 12:
        return _dl(("417", _with_check(parts[0] + parts[1])))
    if scheme in ("gsrn", "gsrnp") and len(parts) == 2 and len(parts[0] + parts[1]) == 17:
        return _dl(("8018" if scheme == "gsrn" else "8017", _with_check(parts[0] + parts[1])))
    if scheme == "giai" and len(parts) == 2:
        return _dl(("8004", parts[0] + parts[1]))
    if scheme == "grai" and len(parts) == 3 and len(parts[0] + parts[1]) == 12:
        return _dl(("8003", "0" + _with_check(parts[0] + parts[1]) + parts[2]))
    if scheme == "gdti" and len(parts) == 3 and len(parts[0] + parts[1]) == 12:
        return _dl(("253", _with_check(parts[0] + parts[1]) + parts[2]))
    if scheme == "sgcn" and len(parts) == 3 and len(parts[0] + parts[1]) == 12:
        return _dl(("255", _with_check(parts[0] + parts[1]) + parts[2]))
    return None


def _constrain_digital_link(value: str) -> str | None:
    if not value.startswith(("http://", "https://")):
        return None
    segments = [s for s in urlsplit(value).path.split("/") if s]
    for start, ai in enumerate(segments):
        pattern = _PRIMARY_KEYS.get(ai)
        if pattern is None or start + 1 >= len(segments):
            continue
        key_value = segments[start + 1]
        tail = segments[start + 2:]
        if not re.fullmatch(pattern, key_value) or len(tail) % 2:
            continue
        qualifiers = dict(zip(tail[::2], tail[1::2], strict=True))
        if not set(qualifiers) <= _QUALIFIER_AIS:
            continue
        if ai == "01":
            key_value = key_value.zfill(14)
        pairs = [(ai, key_value)]
        for qualifier in _KEPT_QUALIFIERS.get(ai, ()):
            if qualifier in qualifiers:
                pairs.append((qualifier, qualifiers[qualifier]))
                break
        return _dl(*pairs)
    return None


def canonical_identifier(value: str) -> str:
    """The canonical (constrained GS1 Digital Link) form of an identifier, or the value itself."""
    if value.startswith("urn:epc:"):
        return _epc_urn_to_dl(value) or value
    return _constrain_digital_link(value) or value

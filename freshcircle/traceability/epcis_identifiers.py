"""Identifier normalisation for the EPCIS event hash (CBV 2.0 event hash rules 17 and 18).

EPC URIs become canonical GS1 Digital Link URIs: ``urn:epc:id:`` sgtin, sscc, sgln, grai, giai,
gsrn, gsrnp, gdti, sgcn, cpi, ginc, gsin, itip, upui and pgln, ``urn:epc:class:lgtin`` and
``urn:epc:idpat:`` sgtin, grai, gdti, sgcn, cpi and itip (the class without its serial); URN
characters a path segment may not carry unescaped (``!()*+,:``) are percent-encoded. Any GS1
Digital Link URI is constrained: the domain becomes ``https://id.gs1.org``, the query string goes,
short names (``/gtin/``, ``/ser/``...) become AIs, and only the finest identification level
allowed by the algorithm is kept (``01``, ``01/21``, ``01/10``, ``01/235``, ``414/254``,
``8006/21``, ``8006/10``, ``8010/8011`` and single keys). Anything else is returned unchanged.
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


# Characters an EPC URN component may carry unescaped but a Digital Link path segment may not
# (GS1 Tag Data Standard: ``!'()*+,.:;=`` are URN-safe; the reference encodes these seven).
_URN_TO_DL = str.maketrans({"!": "%21", "(": "%28", ")": "%29", "*": "%2A", "+": "%2B",
                            ",": "%2C", ":": "%3A"})


def _part(text: str) -> str:
    """An alphanumeric EPC URN component as a Digital Link path segment."""
    return text.translate(_URN_TO_DL)


def _digits(*parts: str) -> bool:
    """Company prefix and reference are digits; a 12-digit prefix leaves the reference empty."""
    return parts[0].isdigit() and all(p == "" or p.isdigit() for p in parts[1:])


def _epc_pattern_to_dl(scheme: str, parts: list[str]) -> str | None:
    """``urn:epc:idpat:...`` with the serial (last part) ``*``: the class without a serial."""
    if parts[-1] != "*" or len(parts) < 3:
        return None
    cp, ref = parts[0], parts[1]
    if scheme == "cpi" and len(parts) == 3 and cp.isdigit():
        return _dl(("8010", cp + _part(ref)))
    if not _digits(cp, ref):
        return None
    if scheme == "sgtin" and len(parts) == 3 and len(cp + ref) == 13:
        return _dl(("01", _gtin(cp, ref)))
    if scheme == "itip" and len(parts) == 5 and len(cp + ref) == 13 and _digits(*parts[2:4]):
        return _dl(("8006", _gtin(cp, ref) + parts[2] + parts[3]))
    if len(parts) == 3 and len(cp + ref) == 12:
        if scheme == "grai":
            return _dl(("8003", "0" + _with_check(cp + ref)))
        if scheme in ("gdti", "sgcn"):
            return _dl(("253" if scheme == "gdti" else "255", _with_check(cp + ref)))
    return None


def _epc_urn_to_dl(value: str) -> str | None:
    match = re.fullmatch(r"urn:epc:(id|class|idpat):([a-z]+):(.+)", value)
    if not match:
        return None
    family, scheme, body = match.groups()
    parts = body.split(".")
    if family == "idpat":
        return _epc_pattern_to_dl(scheme, parts)
    cp = parts[0]
    if not cp.isdigit() or len(parts) < 2:
        return None
    if scheme in ("giai", "ginc") and len(parts) == 2:
        return _dl(("8004" if scheme == "giai" else "401", cp + _part(parts[1])))
    if scheme == "cpi" and len(parts) == 3 and parts[2].isdigit():
        return _dl(("8010", cp + _part(parts[1])), ("8011", parts[2]))
    if not _digits(cp, parts[1]):
        return None
    ref, size = parts[1], len(cp + parts[1])
    if family == "class":
        if scheme == "lgtin" and len(parts) == 3 and size == 13:
            return _dl(("01", _gtin(cp, ref)), ("10", _part(parts[2])))
        return None
    if scheme in ("sgtin", "upui") and len(parts) == 3 and size == 13:
        qualifier = "21" if scheme == "sgtin" else "235"
        return _dl(("01", _gtin(cp, ref)), (qualifier, _part(parts[2])))
    if scheme == "itip" and len(parts) == 5 and size == 13 and _digits(*parts[2:4]):
        return _dl(("8006", _gtin(cp, ref) + parts[2] + parts[3]), ("21", _part(parts[4])))
    if scheme == "sscc" and len(parts) == 2 and size == 17:
        return _dl(("00", _with_check(ref[:1] + cp + ref[1:])))
    if scheme == "sgln" and len(parts) == 3 and size == 12:
        gln = _with_check(cp + ref)
        return _dl(("414", gln)) if parts[2] == "0" else _dl(("414", gln), ("254", _part(parts[2])))
    if scheme == "pgln" and len(parts) == 2 and size == 12:
        return _dl(("417", _with_check(cp + ref)))
    if scheme == "gsin" and len(parts) == 2 and size == 16:
        return _dl(("402", _with_check(cp + ref)))
    if scheme in ("gsrn", "gsrnp") and len(parts) == 2 and size == 17:
        return _dl(("8018" if scheme == "gsrn" else "8017", _with_check(cp + ref)))
    if scheme == "grai" and len(parts) == 3 and size == 12:
        return _dl(("8003", "0" + _with_check(cp + ref) + _part(parts[2])))
    if scheme in ("gdti", "sgcn") and len(parts) == 3 and size == 12:
        key = "253" if scheme == "gdti" else "255"
        return _dl((key, _with_check(cp + ref) + _part(parts[2])))
    return None


# Digital Link 1.x short names of keys and qualifiers (``/gtin/...`` is ``/01/...``).
_SHORT_NAMES = {
    "gtin": "01", "itip": "8006", "cpid": "8010", "gln": "414", "party": "417", "gsrnp": "8017",
    "gsrn": "8018", "gcn": "255", "sscc": "00", "gdti": "253", "ginc": "401", "gsin": "402",
    "grai": "8003", "giai": "8004", "cpv": "22", "lot": "10", "ser": "21",
}


def _constrain_digital_link(value: str) -> str | None:
    if not value.startswith(("http://", "https://")):
        return None
    segments = [s for s in urlsplit(value).path.split("/") if s]
    for start, name in enumerate(segments):
        ai = _SHORT_NAMES.get(name, name)
        pattern = _PRIMARY_KEYS.get(ai)
        if pattern is None or start + 1 >= len(segments):
            continue
        key_value = segments[start + 1]
        tail = segments[start + 2:]
        if not re.fullmatch(pattern, key_value) or len(tail) % 2:
            continue
        qualifiers = dict(zip((_SHORT_NAMES.get(q, q) for q in tail[::2]), tail[1::2],
                              strict=True))
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

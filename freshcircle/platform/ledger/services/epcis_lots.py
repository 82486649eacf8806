"""Which lots an EPCIS event names, and in what role; the chain an event joins.

A lot is identified by (GTIN, lot code) taken from a Digital Link or EPC URN in any of the
event's object fields. Used by the event store (chains, per-lot index) and the genealogy
links (`ledger.services.lot_links`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from freshcircle.platform.models import lot_node
from freshcircle.traceability.digital_link import DigitalLinkError, parse_digital_link
from freshcircle.traceability.epcis_identifiers import canonical_identifier

# Where an event names its objects, most specific first: a transformation's outputs are the
# lot it makes, so its chain is the output lot's.
_CLASS_FIELDS = ("outputQuantityList", "quantityList", "childQuantityList", "inputQuantityList")
_EPC_FIELDS = ("outputEPCList", "epcList", "childEPCs", "parentID", "inputEPCList")
_ROLES = {"outputQuantityList": "output", "outputEPCList": "output", "quantityList": "object",
          "epcList": "object", "childQuantityList": "child", "childEPCs": "child",
          "parentID": "parent", "inputQuantityList": "input", "inputEPCList": "input"}
_GTIN_LOT = re.compile(r"/01/(\d{14})(?:/10/([^/?#]+))?")


@dataclass(frozen=True)
class LotKey:
    gtin: str | None
    lot: str | None


def gtin_lot(identifier: str) -> LotKey | None:
    """GTIN and lot of a Digital Link or EPC URN; the strict parser first, then tolerantly."""
    try:
        link = parse_digital_link(identifier)
        return LotKey(link.gtin.zfill(14), link.lot)
    except DigitalLinkError:
        pass
    match = _GTIN_LOT.search(urlsplit(canonical_identifier(identifier)).path)
    if match is None:
        return None
    lot = unquote(match.group(2)) if match.group(2) else None
    return LotKey(match.group(1), lot if lot and len(lot) <= 20 else None)


def lot_roles(event: Mapping[str, Any]) -> dict[LotKey, str]:
    """Every (GTIN, lot) an event names with where it appears, most specific field first
    (outputs before objects before inputs), each once with its first role."""
    found: dict[LotKey, str] = {}
    identifiers: list[tuple[str, Any]] = []
    for name in _CLASS_FIELDS:
        identifiers += [(name, q.get("epcClass")) for q in event.get(name) or []
                        if isinstance(q, dict)]
        if name == "quantityList":
            identifiers += [("epcList", e) for e in event.get("epcList") or []]
    for name in _EPC_FIELDS:
        value = event.get(name) or []
        identifiers += [(name, v) for v in ([value] if isinstance(value, str) else value)]
    for name, identifier in identifiers:
        key = gtin_lot(identifier) if isinstance(identifier, str) else None
        if key is not None and key not in found:
            found[key] = _ROLES[name]
    return found


def lots_of(event: Mapping[str, Any]) -> list[LotKey]:
    """Every (GTIN, lot) an event names, most specific field first, without repeats."""
    return list(lot_roles(event))


def chain_name(key: LotKey) -> str:
    """The `epcis_chain_heads` key of a chain."""
    return f"{key.gtin or '-'}/{key.lot or '-'}"


def chain_key(keys: list[LotKey]) -> LotKey:
    """The lot whose chain an event joins: the first one with a lot code, else the first GTIN."""
    return next((k for k in keys if k.lot), keys[0] if keys else LotKey(None, None))


def node_of(identifier: str) -> str:
    """The genealogy node of an EPC or class identifier: `lot_node` for a lot, else itself."""
    key = gtin_lot(identifier)
    return lot_node(key.gtin, key.lot) if key and key.gtin and key.lot else identifier

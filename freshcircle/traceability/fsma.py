"""FSMA 204 key data elements (KDEs) from EPCIS 2.0 JSON events: one spreadsheet row per lot.

:func:`kde_rows` turns EPCIS event dicts into rows keyed by :data:`COLUMNS`. FSMA records are
per traceability lot code (TLC), so an event naming several lots gives one row per lot (per
``quantityList`` / ``childQuantityList`` entry, and per EPC in ``epcList`` / ``childEPCs``); an
event naming none (an unpacking with only a ``parentID``...) still gives one row, with no TLC.
A TransformationEvent gives one row per *output* (the new TLC), each listing every input.

Critical tracking event (``cte``), from the bizStep (bare CBV name, ``https://ref.gs1.org/cbv/
BizStep-x`` or ``urn:epcglobal:cbv:bizstep:x``; custom steps as ``.../voc/BizStep-x``):
harvesting -> Harvesting; cooling -> Cooling; shipping -> Shipping; receiving -> Receiving;
an ObjectEvent ADD at packing or commissioning, or a TransformationEvent at one of those steps
whose outputs carry a harvest date -> Initial packing (the packer assigns the TLC to harvested
produce); any other TransformationEvent -> Transformation; anything else -> ``Other (step)``.

Columns and where they come from:
event_time, time_zone  eventTime shown in eventTimeZoneOffset, ``2025-03-08T06:30:00.000+08:00``
                       (fixed width, so one offset sorts as text; rows come sorted by instant)
tlc, gtin, object_id   lot (AI 10) and GTIN of the epcClass or EPC (Digital Link or EPC URN),
                       object_id the identifier as recorded
product                ILMD commodity and variety, else ``describe(gtin, lot)``
quantity, unit         quantity (Decimal) and unit (kg for KGM...) of that lot in the event
read_point, biz_location  readPoint.id and bizLocation.id
ship_from, ship_to     sourceList / destinationList (``location`` entries first, else parties);
                       a Shipping row without sources falls back to the event's location, a
                       Receiving row without destinations likewise
tlc_source             location of the event that created the lot (ADD ObjectEvent or
                       transformation output) among the given events
harvest_date, farm, field  ILMD harvestDate (or harvestStartDate), farm, field / plot. ILMD is
                       lot master data, so a lot's ILMD fills every row of that lot; a lot
                       made at Initial packing inherits its inputs' ILMD (its own keys win)
cooling_location, cooling_time  on Cooling rows the event's location and time; on Initial
                       packing rows those of the cooling events of its input lots
input_lots             transformation inputs, ``lot A: 12 kg; lot B: 3 kg``
output_quantity        transformation: total of all outputs when they share a unit
ref_doc_type, ref_doc_number  bizTransactionList types (po, bol, inv...) and ids, ``; ``-joined
disposition, biz_step  short CBV name (full URI when custom); event_id the eventID (ni:///...)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import unquote

from . import cbv_labels
from .epcis_identifiers import CANONICAL_DL_DOMAIN, canonical_identifier

Row = dict[str, Any]
Describe = Callable[[str, str | None], str | None]


@dataclass(frozen=True)
class Column:
    """One spreadsheet column: ``kind`` is text, datetime, date or number; ``width`` in chars."""

    key: str
    en: str
    zh: str
    kind: str = "text"
    width: int = 18

    def header(self, lang: str) -> str:
        return self.zh if lang.startswith("zh") else self.en


COLUMNS: tuple[Column, ...] = (
    Column("event_time", "Event time", "事件时间", "datetime", 20),
    Column("time_zone", "Time zone offset", "时区", "text", 8),
    Column("cte", "Critical tracking event", "关键追踪事件", "text", 16),
    Column("tlc", "Traceability lot code (TLC)", "追溯批次码", "text", 18),
    Column("product", "Product description", "产品描述", "text", 22),
    Column("quantity", "Quantity", "数量", "number", 10),
    Column("unit", "Unit of measure", "单位", "text", 8),
    Column("gtin", "GTIN", "GTIN", "text", 16),
    Column("ship_from", "Ship-from location", "发货地点", "text", 30),
    Column("ship_to", "Ship-to location", "收货地点", "text", 30),
    Column("read_point", "Read point", "读取点", "text", 30),
    Column("biz_location", "Business location", "业务地点", "text", 30),
    Column("tlc_source", "TLC source", "批次码来源地", "text", 30),
    Column("harvest_date", "Harvest date", "采收日期", "date", 12),
    Column("farm", "Farm", "农场", "text", 20),
    Column("field", "Field / plot", "地块", "text", 14),
    Column("cooling_location", "Cooling location", "冷却地点", "text", 30),
    Column("cooling_time", "Cooling time", "冷却时间", "datetime", 20),
    Column("input_lots", "Input lots and quantities", "投入批次及数量", "text", 30),
    Column("output_quantity", "Output quantity (all outputs)", "产出总量", "number", 12),
    Column("ref_doc_type", "Reference document type", "参考单据类型", "text", 10),
    Column("ref_doc_number", "Reference document number", "参考单据编号", "text", 30),
    Column("disposition", "Disposition", "处置状态", "text", 14),
    Column("biz_step", "Business step", "业务步骤", "text", 14),
    Column("object_id", "Identifier (EPC or class)", "标识符", "text", 40),
    Column("event_id", "Event ID", "事件编号", "text", 40),
)
KEYS = tuple(c.key for c in COLUMNS)

CTE_ZH = {"Harvesting": "采收", "Cooling": "冷却", "Initial packing": "初次包装",
          "Shipping": "发运", "Receiving": "接收", "Transformation": "转化加工", "Other": "其他"}
_STEP_CTE = {"harvesting": "Harvesting", "cooling": "Cooling", "shipping": "Shipping",
             "receiving": "Receiving"}
_PACKING_STEPS = frozenset({"packing", "commissioning"})
_CUSTOM_STEPS = frozenset({"harvesting", "cooling"})
_UNITS = {"KGM": "kg", "GRM": "g", "TNE": "t", "LBR": "lb", "LTR": "L", "H87": "pcs"}
_CBV = re.compile(r"(?:https://ref\.gs1\.org/cbv/[A-Za-z]+-|urn:epcglobal:cbv:[a-z]+:)(\w+)")
_CUSTOM = re.compile(r".*[/:]BizStep-(\w+)")


def cte_label(value: str, lang: str) -> str:
    """A ``cte`` value in the reader's words: ``Other (inspecting)`` is ``其他（检验）`` for
    ``zh``; the step in brackets is the business step's name (``cbv_labels``)."""
    if not value:
        return value
    name, _, step = value.partition(" (")
    step = cbv_labels.biz_step(step[:-1], lang) if step else ""
    if not lang.startswith("zh"):
        return f"{name} ({step})" if step else name
    zh = CTE_ZH.get(name, name)
    return f"{zh}（{step}）" if step else zh


def _short(value: str | None) -> str:
    """A CBV value's short name (bare, web URI or URN); anything else as is."""
    match = _CBV.fullmatch(value or "")
    return match.group(1) if match else value or ""


def _step(value: str | None) -> str:
    """The bizStep short name; custom steps only when they are ones the platform defines."""
    short = _short(value)
    custom = _CUSTOM.fullmatch(short)
    return custom.group(1) if custom and custom.group(1) in _CUSTOM_STEPS else short


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _moment(value: str | None, offset: str | None) -> tuple[datetime | None, str]:
    """The instant and its ISO text in the recorded offset, milliseconds always written."""
    offset = offset or "+00:00"
    try:
        moment = datetime.fromisoformat(value or "")
        hours, minutes = offset[1:].split(":")
        delta = timedelta(hours=int(hours), minutes=int(minutes))
        if moment.tzinfo is None:  # not valid EPCIS; read it as UTC rather than server time
            moment = moment.replace(tzinfo=UTC)
        local = moment.astimezone(timezone(-delta if offset[0] == "-" else delta))
    except (ValueError, TypeError):
        return None, value or ""
    text = local.strftime("%Y-%m-%dT%H:%M:%S.") + f"{local.microsecond // 1000:03d}"
    return moment, text + offset


def _identify(identifier: str) -> tuple[str | None, str | None]:
    """(GTIN-14, lot) of an epcClass or EPC; a pallet SSCC or a location gives (None, None)."""
    canonical = canonical_identifier(identifier)
    if not canonical.startswith(CANONICAL_DL_DOMAIN + "/01/"):
        return None, None
    parts = canonical[len(CANONICAL_DL_DOMAIN) + 1:].split("/")
    lot = unquote(parts[3]) if len(parts) >= 4 and parts[2] == "10" else None
    return parts[1], lot


def _ilmd(event: Mapping[str, Any]) -> dict[str, str]:
    """ILMD by local name (``fc:harvestDate``, ``https://x/voc/harvestDate`` -> harvestDate)."""
    out = {}
    for key, value in (event.get("ilmd") or {}).items():
        if isinstance(value, str | int | float):
            out[re.split(r"[:/#]", key)[-1]] = str(value)
    if "harvestStartDate" in out:
        out.setdefault("harvestDate", out["harvestStartDate"])
    return out


def _objects(event: Mapping[str, Any], epcs: str, quantities: str) -> list[Mapping[str, Any]]:
    return [*event.get(quantities, ()), *({"epcClass": e} for e in event.get(epcs, ()))]


def _row_objects(event: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    kind = event.get("type")
    if kind == "TransformationEvent":
        found = _objects(event, "outputEPCList", "outputQuantityList")
    elif kind in ("AggregationEvent", "AssociationEvent"):
        found = _objects(event, "childEPCs", "childQuantityList")
    else:
        found = _objects(event, "epcList", "quantityList")
    if not found and event.get("parentID"):
        found = [{"epcClass": event["parentID"]}]
    return found


def _parties(entries: Iterable[Mapping[str, Any]], key: str) -> str:
    pairs = [(_short(e.get("type")), e.get(key, "")) for e in entries]
    chosen = [uri for kind, uri in pairs if kind == "location"] or [uri for _, uri in pairs]
    return "; ".join(dict.fromkeys(chosen))


def _unit(item: Mapping[str, Any]) -> str:
    """`` kg`` for KGM...; none when uom is left out, which EPCIS reads as a count of items."""
    uom = item.get("uom")
    return f" {_UNITS.get(uom, uom)}" if uom else ""


def _amount(item: Mapping[str, Any]) -> str:
    _, lot = _identify(item["epcClass"])
    name = lot or item["epcClass"]
    quantity = _number(item.get("quantity"))
    return f"{name}: {quantity}{_unit(item)}".rstrip() if quantity is not None else name


def _cte(event: Mapping[str, Any], step: str, ilmd: Mapping[str, str]) -> str:
    kind = event.get("type")
    if step in _PACKING_STEPS and (
            (kind == "ObjectEvent" and event.get("action") == "ADD")
            or (kind == "TransformationEvent" and "harvestDate" in ilmd)):
        return "Initial packing"
    if kind == "TransformationEvent":
        return "Transformation"
    return _STEP_CTE.get(step) or f"Other ({step or kind})"


@dataclass
class _LotFacts:
    """What the events say about each lot: ILMD, where the TLC was assigned, its cooling."""

    ilmd: dict[tuple[str, str], dict[str, str]]
    source: dict[tuple[str, str], str]
    cooling: dict[tuple[str, str], tuple[str, str]]


def _facts(events: list[tuple[Mapping[str, Any], str, str, str]]) -> _LotFacts:
    facts = _LotFacts({}, {}, {})
    for event, step, time_text, where in events:
        created = event.get("type") == "TransformationEvent" or event.get("action") == "ADD"
        ilmd = _ilmd(event)
        if _cte(event, step, ilmd) == "Initial packing":
            # A packed lot keeps the harvest data (commodity, farm, field) of what went in.
            for key in _lot_keys(_objects(event, "inputEPCList", "inputQuantityList")):
                ilmd = {**facts.ilmd.get(key, {}), **ilmd}
        for key in _lot_keys(_row_objects(event)):
            facts.ilmd.setdefault(key, {}).update(ilmd)
            if created and where:
                facts.source.setdefault(key, where)
            if step == "cooling":
                facts.cooling.setdefault(key, (where, time_text))
    return facts


def _lot_keys(items: Iterable[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """(GTIN, lot) of the items that name a lot, in order."""
    return [(g, lot) for g, lot in (_identify(i["epcClass"]) for i in items) if g and lot]


def _lookup(keys: list[tuple[str, str]], table: Mapping[tuple[str, str], Any]) -> list[Any]:
    return [table[k] for k in keys if k in table]


def _event_rows(event: Mapping[str, Any], step: str, time_text: str, where: str,
                facts: _LotFacts, describe: Describe | None) -> list[Row]:
    ilmd = _ilmd(event)
    cte = _cte(event, step, ilmd)
    inputs = _objects(event, "inputEPCList", "inputQuantityList")
    input_keys = _lot_keys(inputs)
    txs = event.get("bizTransactionList", ())
    base: Row = {
        "event_time": time_text, "time_zone": event.get("eventTimeZoneOffset", ""), "cte": cte,
        "read_point": (event.get("readPoint") or {}).get("id", ""),
        "biz_location": (event.get("bizLocation") or {}).get("id", ""),
        "ship_from": _parties(event.get("sourceList", ()), "source"),
        "ship_to": _parties(event.get("destinationList", ()), "destination"),
        "input_lots": "; ".join(_amount(i) for i in inputs),
        "ref_doc_type": "; ".join(_short(t.get("type")) for t in txs),
        "ref_doc_number": "; ".join(t.get("bizTransaction", "") for t in txs),
        "disposition": _short(event.get("disposition")), "biz_step": step,
        "event_id": event.get("eventID", ""),
    }
    if cte == "Shipping" and not base["ship_from"]:
        base["ship_from"] = where
    if cte == "Receiving" and not base["ship_to"]:
        base["ship_to"] = where
    if cte == "Cooling":
        base["cooling_location"], base["cooling_time"] = where, time_text
    elif cte == "Initial packing":
        cooled = _lookup(input_keys, facts.cooling)
        base["cooling_location"] = "; ".join(dict.fromkeys(c[0] for c in cooled))
        base["cooling_time"] = "; ".join(dict.fromkeys(c[1] for c in cooled))
    objects = _row_objects(event)
    if event.get("type") == "TransformationEvent":
        units = {o.get("uom") for o in objects}
        amounts = [_number(o.get("quantity")) for o in objects]
        if objects and len(units) == 1 and None not in amounts:
            base["output_quantity"] = sum(a for a in amounts if a is not None)
    rows = []
    for item in objects or [{}]:
        gtin, lot = _identify(item["epcClass"]) if item else (None, None)
        key = (gtin or "", lot or "")
        lot_ilmd = {**facts.ilmd.get(key, {}), **ilmd}
        quantity = _number(item.get("quantity"))
        described = ", ".join(lot_ilmd[k] for k in ("commodity", "variety") if k in lot_ilmd)
        if not described and describe and gtin:
            described = describe(gtin, lot) or ""
        farm = lot_ilmd.get("farm") or (where if cte == "Harvesting" else "")
        rows.append({**base, "tlc": lot or "", "gtin": gtin or "", "product": described,
                     "quantity": quantity,
                     "unit": _unit(item).strip() if quantity is not None else "",
                     "object_id": item.get("epcClass", ""),
                     "tlc_source": facts.source.get(key, ""),
                     "harvest_date": lot_ilmd.get("harvestDate", ""), "farm": farm,
                     "field": " / ".join(lot_ilmd[k] for k in ("field", "plot")
                                         if k in lot_ilmd)})
    return rows


def kde_rows(events: Iterable[Mapping[str, Any]], *,
             describe: Describe | None = None) -> list[Row]:
    """FSMA 204 KDE rows of EPCIS JSON events, one per lot per event, sorted by event time.

    Every row has every key of :data:`COLUMNS` (missing values are ``""``, numbers ``Decimal``
    or ``None``). ``describe(gtin, lot)`` supplies the product description of lots whose ILMD
    (in these events) has no commodity. Events with an unreadable eventTime sort last.
    """
    prepared = []
    for event in events:
        moment, text = _moment(event.get("eventTime"), event.get("eventTimeZoneOffset"))
        where = ((event.get("bizLocation") or {}).get("id")
                 or (event.get("readPoint") or {}).get("id") or "")
        prepared.append((moment, (event, _step(event.get("bizStep")), text, where)))
    prepared.sort(key=lambda p: (p[0] is None, p[0] or datetime.min.replace(tzinfo=UTC)))
    ordered = [p[1] for p in prepared]
    facts = _facts(ordered)
    empty = {c.key: None if c.kind == "number" else "" for c in COLUMNS}
    return [{**empty, **row} for item in ordered
            for row in _event_rows(*item, facts=facts, describe=describe)]

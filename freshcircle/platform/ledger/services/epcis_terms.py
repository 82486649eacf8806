"""What the EPCIS query interface matches events by, taken out of an event at store time.

The columns of `epcis_events` (action, disposition, read point, business location), the
rows of `epcis_event_terms` (EPCs and classes with their field, business transactions,
sources and destinations with their type, and the sensor reports' types, devices, URIs and
strings) and of `epcis_sensor_values` (the sensor reports' numbers in base units and their
times), so a query is an index lookup at a million events rather than a scan of the JSON
bodies. CBV values are kept bare (`shipping`, `in_transit`, `po`, `owning_party`) whichever
form the sender used, and identifiers (EPCs, classes, read points, locations, parties, sensor
devices) in their canonical GS1 Digital Link form (`canonical`), so a query in either form
finds them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from freshcircle.traceability.epcis_identifiers import canonical_identifier
from freshcircle.traceability.epcis_sensors import MATCHED, URI_KINDS, sensor_reports
from freshcircle.traceability.epcis_vocab import (
    BIZ_STEPS,
    BIZ_TRANSACTION_TYPES,
    DISPOSITIONS,
    SOURCE_DEST_TYPES,
)

VALUE_LENGTH = 512  # read points, locations and term values longer than this are cut to it
EPC_KINDS = {"epcList": "epc", "childEPCs": "child", "inputEPCList": "input",
             "outputEPCList": "output"}
CLASS_KINDS = {"quantityList": "quantity", "childQuantityList": "child_qty",
               "inputQuantityList": "input_qty", "outputQuantityList": "output_qty"}
SENSOR_KINDS = frozenset({"sensor", "sensorType", *MATCHED.values()})
PARTIES = {"bizTransactionList": ("bizTransaction", "bizTransaction"),
           "sourceList": ("source", "source"), "destinationList": ("destination", "destination")}
# The CBV vocabularies a query names by bare word or by URI: (web URI prefix, URN prefix, words)
CBV = {
    "bizStep": ("https://ref.gs1.org/cbv/BizStep-", "urn:epcglobal:cbv:bizstep:", BIZ_STEPS),
    "disposition": ("https://ref.gs1.org/cbv/Disp-", "urn:epcglobal:cbv:disp:", DISPOSITIONS),
    "bizTransaction": ("https://ref.gs1.org/cbv/BTT-", "urn:epcglobal:cbv:btt:",
                       BIZ_TRANSACTION_TYPES),
    "source": ("https://ref.gs1.org/cbv/SDT-", "urn:epcglobal:cbv:sdt:", SOURCE_DEST_TYPES),
    "destination": ("https://ref.gs1.org/cbv/SDT-", "urn:epcglobal:cbv:sdt:", SOURCE_DEST_TYPES),
}


def canonical(value: str) -> str:
    """An identifier as stored and matched: EPC URN or Digital Link alike become the
    constrained Digital Link (`urn:epc:id:sgtin:0614141.107346.2018` and
    `https://id.gs1.org/01/10614141073464/21/2018` are one EPC); anything else as it is."""
    return canonical_identifier(value)[:VALUE_LENGTH]


def short_cbv(vocabulary: str, value: str | None, length: int = 160) -> str | None:
    """A CBV value of `vocabulary` in any of its forms as the bare word; others as they are."""
    if not value:
        return None
    web, urn, words = CBV[vocabulary]
    for prefix in (web, urn):
        if value.startswith(prefix) and value[len(prefix):] in words:
            return value[len(prefix):]
    return value[:length]


def _id_of(place: Any) -> str | None:
    value = place.get("id") if isinstance(place, Mapping) else None
    return canonical(str(value)) if value else None


def event_columns(event: Mapping[str, Any]) -> dict[str, str | None]:
    """The queried fields `epcis_events` keeps as columns (beside type, time and bizStep)."""
    action = event.get("action")
    return {"action": str(action)[:8] if action else None,
            "disposition": short_cbv("disposition", event.get("disposition")),
            "read_point": _id_of(event.get("readPoint")),
            "biz_location": _id_of(event.get("bizLocation"))}


def _strings(values: Any) -> Iterable[str]:
    if isinstance(values, str):
        values = [values]
    for value in values if isinstance(values, list) else []:
        if isinstance(value, str) and value:
            yield canonical(value)


def event_terms(event: Mapping[str, Any]) -> set[tuple[str, str, str]]:
    """(kind, type, value) of every EPC, class, business transaction, source and destination
    the event names (`type` '' for EPCs and classes), and of its sensor data: `sensor` once
    for an event with a sensorElementList, `sensorType` per measurement type, and deviceID,
    dataProcessing, microorganism, chemical, bizRules, stringValue, hexBinaryValue, uriValue
    and booleanValue ('true', 'false') per value a report or its metadata gives."""
    terms = {(kind, "", epc) for name, kind in EPC_KINDS.items()
             for epc in _strings(event.get(name))}
    terms |= {("parent", "", epc) for epc in _strings(event.get("parentID"))}
    for name, kind in CLASS_KINDS.items():
        for quantity in event.get(name) or []:
            if isinstance(quantity, Mapping):
                terms |= {(kind, "", cls) for cls in _strings(quantity.get("epcClass"))}
    for name, (kind, field) in PARTIES.items():
        for party in event.get(name) or []:
            if isinstance(party, Mapping):
                type_ = short_cbv(kind, party.get("type")) or ""
                terms |= {(kind, type_, value) for value in _strings(party.get(field))}
    reports = sensor_reports(event)
    if event.get("sensorElementList"):
        terms.add(("sensor", "", ""))
    for report in reports:
        if report.type:
            terms.add(("sensorType", "", report.type[:VALUE_LENGTH]))
        terms |= {(kind, "", canonical(value) if kind in URI_KINDS else value[:VALUE_LENGTH])
                  for kind, value in report.terms}
    return terms


def sensor_values(event: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The `epcis_sensor_values` rows of the event (without its id): each sensor report's
    numbers in base units and its times in seconds since 1970 UTC."""
    rows = []
    for report in sensor_reports(event):
        type_ = report.type[:160]
        rows += [{"report": report.report, "field": name, "type": type_, "uom": uom[:8],
                  "number": number} for name, (uom, number) in report.numbers.items()]
        rows += [{"report": report.report, "field": name, "type": type_, "uom": "",
                  "number": seconds} for name, seconds in report.times.items()]
    return rows

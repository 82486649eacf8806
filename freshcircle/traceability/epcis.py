"""EPCIS 2.0 JSON-LD events from plain dataclasses.

Build the five event types with the dataclasses of ``epcis_model`` (re-exported here) and turn
them into JSON-LD with :func:`build_event` (one event, ``eventID`` = its EPCIS event hash) or
:func:`build_document` (an ``EPCISDocument``). Quantities are Digital Link lot classes
(``https://{domain}/01/{gtin}/10/{lot}``) in kilograms (``KGM``); times carry ``+08:00``.
ILMD (lot master data: harvest date, field, plot, variety...) goes on ADD ObjectEvents and on
TransformationEvent outputs only, as the standard allows. Anything else the standard has no field
for (a label run's serial range, a test method) goes in ``extensions``: user extension properties
named in the platform vocabulary (``fc:firstSerial``), which the schema allows on every event and
the event hash includes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from .epcis_hash import event_hash
from .epcis_model import (
    ACTIONS,
    ADD,
    DELETE,
    OBSERVE,
    AggregationEvent,
    AssociationEvent,
    BizTransaction,
    Event,
    Location,
    LotMasterData,
    ObjectEvent,
    Party,
    Quantity,
    SensorElement,
    TemperatureReport,
    TransactionEvent,
    TransformationEvent,
)
from .epcis_vocab import EpcisConfig

__all__ = [
    "ADD", "DELETE", "OBSERVE", "AggregationEvent", "AssociationEvent", "BizTransaction",
    "EpcisConfig", "Event", "Location", "LotMasterData", "ObjectEvent", "Party", "Quantity",
    "SensorElement", "TemperatureReport", "TransactionEvent", "TransformationEvent",
    "build_document", "build_event", "event_payload",
]
DEFAULT_CONFIG = EpcisConfig()


def _number(value: Decimal | int | float) -> int | float:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _time(moment: datetime, config: EpcisConfig) -> str:
    if moment.tzinfo is None:
        raise ValueError("EPCIS times must be timezone-aware")
    sign = 1 if config.time_zone_offset[0] == "+" else -1
    hours, minutes = config.time_zone_offset[1:].split(":")
    offset = sign * timedelta(hours=int(hours), minutes=int(minutes))
    local = moment.astimezone(UTC) + offset
    return local.strftime("%Y-%m-%dT%H:%M:%S.") + f"{local.microsecond // 1000:03d}" + (
        config.time_zone_offset)


def _quantity(item: Quantity, config: EpcisConfig) -> dict[str, Any]:
    out: dict[str, Any] = {"epcClass": config.lot_class(item.gtin, item.lot)}
    if item.quantity is not None:
        out["quantity"] = _number(item.quantity)
        if item.uom:
            out["uom"] = item.uom
    return out


def _location(loc: Location, config: EpcisConfig) -> dict[str, str]:
    if loc.uri:
        return {"id": loc.uri}
    if not loc.gln:
        raise ValueError("a Location needs a gln or a uri")
    return {"id": config.location(loc.gln, loc.extension)}


def _report(report: TemperatureReport, config: EpcisConfig) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "gs1:Temperature"}
    if report.alarm:
        out["exception"] = "ALARM_CONDITION"
    if report.device_id:
        out["deviceID"] = report.device_id
    if report.time:
        out["time"] = _time(report.time, config)
    for key, value in (("value", report.value), ("minValue", report.min_value),
                       ("maxValue", report.max_value), ("meanValue", report.mean_value)):
        if value is not None:
            out[key] = _number(value)
    out["uom"] = "CEL"
    return out


def _sensor_element(element: SensorElement, config: EpcisConfig) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    if element.start_time:
        meta["startTime"] = _time(element.start_time, config)
    if element.end_time:
        meta["endTime"] = _time(element.end_time, config)
    if element.device_id:
        meta["deviceID"] = element.device_id
    out: dict[str, Any] = {"sensorMetadata": meta} if meta else {}
    out["sensorReport"] = [_report(r, config) for r in element.reports]
    return out


def _ilmd(data: LotMasterData, config: EpcisConfig) -> dict[str, Any]:
    pairs = {"harvestDate": data.harvest_date, "harvestEndDate": data.harvest_end_date,
             "commodity": data.commodity, "variety": data.variety, "farm": data.farm,
             "field": data.field, "plot": data.plot, "countyCode": data.county_code,
             **data.extra}
    return {config.ilmd_key(key): value.isoformat() if isinstance(value, date) else value
            for key, value in pairs.items() if value not in (None, "")}


def _extension_value(value: Any, config: EpcisConfig) -> Any:
    if isinstance(value, Mapping):
        return _extensions(value, config)
    if isinstance(value, list | tuple):
        return [_extension_value(item, config) for item in value]
    if isinstance(value, datetime):
        return _time(value, config)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return _number(value)
    return value


def _extensions(data: Mapping[str, Any], config: EpcisConfig) -> dict[str, Any]:
    """User extension properties: bare keys go into the platform vocabulary (``fc:key``)."""
    return {config.ilmd_key(key): _extension_value(value, config)
            for key, value in data.items() if value not in (None, "")}


def _put(out: dict[str, Any], key: str, items: Iterable[Any]) -> None:
    items = list(items)
    if items:
        out[key] = items


def _what(event: Event, config: EpcisConfig) -> dict[str, Any]:
    """The "what" dimension: identifiers, quantities and the action."""
    out: dict[str, Any] = {}
    if isinstance(event, AggregationEvent | TransactionEvent | AssociationEvent) and (
            event.parent_id):
        out["parentID"] = event.parent_id

    def q(items: Iterable[Quantity]) -> list[dict[str, Any]]:
        return [_quantity(i, config) for i in items]

    if isinstance(event, ObjectEvent | TransactionEvent):
        _put(out, "epcList", event.epcs)
        _put(out, "quantityList", q(event.quantities))
    elif isinstance(event, AggregationEvent | AssociationEvent):
        _put(out, "childEPCs", event.child_epcs)
        _put(out, "childQuantityList", q(event.child_quantities))
    else:
        _put(out, "inputEPCList", event.input_epcs)
        _put(out, "inputQuantityList", q(event.inputs))
        _put(out, "outputEPCList", event.output_epcs)
        _put(out, "outputQuantityList", q(event.outputs))
        if event.transformation_id:
            out["transformationID"] = event.transformation_id
    if not isinstance(event, TransformationEvent):
        if event.action not in ACTIONS:
            raise ValueError(f"action must be one of {ACTIONS}, not {event.action!r}")
        out["action"] = event.action
    return out


def event_payload(event: Event, config: EpcisConfig = DEFAULT_CONFIG, *,
                  extensions: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The JSON-LD object of one event, without ``eventID``.

    ``extensions`` become user extension properties at the end of the event: a bare key goes
    into the platform vocabulary (``firstSerial`` -> ``fc:firstSerial``), a key with a prefix
    is kept as it is; nested mappings are extension elements with children, dates and times
    are written as elsewhere in the event. Empty values are left out.
    """
    ilmd = getattr(event, "ilmd", None)
    if ilmd and isinstance(event, ObjectEvent) and event.action != ADD:
        raise ValueError("ilmd is only allowed on ADD ObjectEvents and TransformationEvents")
    out: dict[str, Any] = {"type": type(event).__name__,
                           "eventTime": _time(event.event_time, config),
                           "eventTimeZoneOffset": config.time_zone_offset}
    out.update(_what(event, config))
    if event.biz_step:
        out["bizStep"] = config.biz_step(event.biz_step)
    if event.disposition:
        out["disposition"] = config.disposition(event.disposition)
    if event.read_point:
        out["readPoint"] = _location(event.read_point, config)
    if event.biz_location:
        out["bizLocation"] = _location(event.biz_location, config)
    _put(out, "bizTransactionList", ({"type": b.type, "bizTransaction": b.uri} if b.type
                                     else {"bizTransaction": b.uri}
                                     for b in event.biz_transactions))
    _put(out, "sourceList", ({"type": p.type, "source": p.uri} for p in event.sources))
    _put(out, "destinationList", ({"type": p.type, "destination": p.uri}
                                  for p in event.destinations))
    _put(out, "sensorElementList", (_sensor_element(e, config) for e in event.sensor_elements))
    if ilmd:
        out["ilmd"] = _ilmd(ilmd, config)
    if extensions:
        out.update(_extensions(extensions, config))
    return out


def build_event(event: Event, config: EpcisConfig = DEFAULT_CONFIG, *,
                extensions: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The JSON-LD object of one event with ``eventID`` set to its EPCIS event hash."""
    payload = event_payload(event, config, extensions=extensions)
    return {"eventID": event_hash(payload, config.prefixes), **payload}


def build_document(events: Iterable[Event | Mapping[str, Any]],
                   config: EpcisConfig = DEFAULT_CONFIG, *,
                   creation_date: datetime | None = None,
                   document_id: str | None = None) -> dict[str, Any]:
    """An ``EPCISDocument`` (schemaVersion 2.0) holding the given events.

    Dataclass events are built with :func:`build_event`; mappings (already-built JSON events)
    are copied as they are.
    """
    doc: dict[str, Any] = {"@context": config.context, "type": "EPCISDocument",
                           "schemaVersion": "2.0",
                           "creationDate": _time(creation_date or datetime.now(UTC), config)}
    if document_id:
        doc["id"] = document_id
    doc["epcisBody"] = {"eventList": [dict(e) if isinstance(e, Mapping) else build_event(e, config)
                                      for e in events]}
    return doc

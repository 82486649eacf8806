"""What an EPCIS 2.0 event's sensor data says, as plain values a query can compare.

EPCIS 2.0 queries sensor reports by `EQ_type` (a measurement type), by numbers with their unit
in the parameter's name (`GE_value_CEL`, `LT_maxValue_KEL`, `GE_sDev_CEL`...), by times
(`GE_time`, `LT_startTime`...) and by the reports' URIs and strings (`EQ_deviceID`,
`EQ_stringValue`...). GS1's conformance test (TCR-53, step 26) asks a query in one unit to find
a report in another of the same kind (`GE_value_KEL` finds a report in `CEL`), so every number
is kept in its kind's base unit (`to_base`): kelvin, kilogram, metre, pascal, second... A unit
this module does not know is its own base (found only by a query in the same unit).

Measurement types are kept bare (`Temperature`) whichever form the sender used
(`gs1:Temperature`, `https://gs1.org/voc/Temperature`); custom types as sent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from freshcircle.traceability.epcis_vocab import GS1_VOC_BASE, MEASUREMENT_TYPES

# UN/CEFACT Recommendation 20 codes: code -> (base code, factor, offset); base = v * factor + offset
UNITS: dict[str, tuple[str, float, float]] = {
    # temperature
    "KEL": ("KEL", 1.0, 0.0), "CEL": ("KEL", 1.0, 273.15),
    "FAH": ("KEL", 5 / 9, 273.15 - 32 * 5 / 9),
    # mass
    "KGM": ("KGM", 1.0, 0.0), "GRM": ("KGM", 1e-3, 0.0), "MGM": ("KGM", 1e-6, 0.0),
    "TNE": ("KGM", 1e3, 0.0), "LBR": ("KGM", 0.45359237, 0.0), "ONZ": ("KGM", 0.028349523125, 0.0),
    # length
    "MTR": ("MTR", 1.0, 0.0), "KMT": ("MTR", 1e3, 0.0), "CMT": ("MTR", 1e-2, 0.0),
    "MMT": ("MTR", 1e-3, 0.0), "INH": ("MTR", 0.0254, 0.0), "FOT": ("MTR", 0.3048, 0.0),
    "SMI": ("MTR", 1609.344, 0.0),
    # speed
    "MTS": ("MTS", 1.0, 0.0), "KMH": ("MTS", 1 / 3.6, 0.0), "HM": ("MTS", 0.44704, 0.0),
    # pressure
    "PAL": ("PAL", 1.0, 0.0), "KPA": ("PAL", 1e3, 0.0), "A97": ("PAL", 1e2, 0.0),
    "MBR": ("PAL", 1e2, 0.0), "BAR": ("PAL", 1e5, 0.0), "ATM": ("PAL", 101325.0, 0.0),
    # volume
    "MTQ": ("MTQ", 1.0, 0.0), "LTR": ("MTQ", 1e-3, 0.0), "MLT": ("MTQ", 1e-6, 0.0),
    # time
    "SEC": ("SEC", 1.0, 0.0), "MIN": ("SEC", 60.0, 0.0), "HUR": ("SEC", 3600.0, 0.0),
    "DAY": ("SEC", 86400.0, 0.0),
    # ratios
    "P1": ("P1", 1.0, 0.0), "C62": ("C62", 1.0, 0.0),
}
NUMBER_FIELDS = ("value", "minValue", "maxValue", "meanValue", "sDev", "percValue")
TIME_FIELDS = ("time", "startTime", "endTime")
# Report and metadata attributes matched by equality: attribute -> its kind in the query index
MATCHED = {"deviceID": "deviceID", "dataProcessingMethod": "dataProcessing",
           "microorganism": "microorganism", "chemicalSubstance": "chemical",
           "bizRules": "bizRules", "stringValue": "stringValue",
           "hexBinaryValue": "hexBinaryValue", "uriValue": "uriValue",
           "booleanValue": "booleanValue"}
URI_KINDS = frozenset({"deviceID", "dataProcessing", "microorganism", "chemical", "bizRules",
                       "uriValue"})
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def measurement_type(value: str) -> str:
    """A measurement type bare when it is a standard one (`gs1:Temperature`, the GS1 Web
    Vocabulary URI and the older `MT-` form all give `Temperature`), else as sent."""
    bare = value
    for prefix in ("gs1:", GS1_VOC_BASE, "http://gs1.org/voc/"):
        if bare.startswith(prefix):
            bare = bare[len(prefix):]
            break
    bare = bare.removeprefix("MT-")
    return bare if bare in MEASUREMENT_TYPES else value


def to_base(number: float, uom: str, *, spread: bool = False) -> tuple[str, float]:
    """(base unit, number in it) of `number` in `uom`. A `spread` (a standard deviation) is a
    difference, so it takes the factor but not the offset (1 CEL of sDev is 1 KEL)."""
    base, factor, offset = UNITS.get(uom, (uom, 1.0, 0.0))
    return base, number * factor + (0.0 if spread else offset)


def epoch_seconds(moment: dt.datetime) -> float:
    """A time-zone-aware moment as seconds since 1970 UTC (how the index compares times)."""
    return (moment - _EPOCH).total_seconds()


def parse_time(text: str) -> dt.datetime | None:
    """An EPCIS date-time (`2019-04-02T14:05:00.000+01:00`, `...Z`); None when unreadable or
    without a time zone."""
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


@dataclass
class SensorReport:
    """One `sensorReport` as a query sees it: its place in the event (`report`, counted over
    every sensor element), type, numbers in base units and times (its own, else its element's
    `sensorMetadata` ones), and the attributes matched by equality."""

    report: int
    type: str
    numbers: dict[str, tuple[str, float]] = field(default_factory=dict)  # field -> (base, n)
    times: dict[str, float] = field(default_factory=dict)  # field -> epoch seconds
    terms: set[tuple[str, str]] = field(default_factory=set)  # (kind, value)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _terms(source: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    for attribute, kind in MATCHED.items():
        value = source.get(attribute)
        if kind == "booleanValue":
            if isinstance(value, bool):
                yield kind, "true" if value else "false"
        elif isinstance(value, str) and value:
            yield kind, value.upper() if kind == "hexBinaryValue" else value


def sensor_reports(event: Mapping[str, Any]) -> list[SensorReport]:
    """Every sensor report of the event, in order (none for an event without sensor data)."""
    reports: list[SensorReport] = []
    for element in event.get("sensorElementList") or []:
        if not isinstance(element, Mapping):
            continue
        meta = element.get("sensorMetadata")
        meta = meta if isinstance(meta, Mapping) else {}
        for raw in element.get("sensorReport") or []:
            if not isinstance(raw, Mapping):
                continue
            type_ = raw.get("type")
            report = SensorReport(len(reports),
                                  measurement_type(type_) if isinstance(type_, str) else "")
            uom = raw.get("uom")
            for name in NUMBER_FIELDS:
                number = _number(raw.get(name))
                if number is not None and isinstance(uom, str) and uom:
                    report.numbers[name] = to_base(number, uom, spread=name == "sDev")
            rank = _number(raw.get("percRank"))
            if rank is not None:
                report.numbers["percRank"] = ("", rank)
            for name in TIME_FIELDS:
                text = raw.get(name) or meta.get(name)
                moment = parse_time(text) if isinstance(text, str) else None
                if moment is not None:
                    report.times[name] = epoch_seconds(moment)
            report.terms = set(_terms(meta)) | set(_terms(raw))
            reports.append(report)
    return reports

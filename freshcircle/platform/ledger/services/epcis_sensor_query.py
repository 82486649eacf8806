"""The EPCIS 2.0 sensor query parameters (section 8.2.7.1), as index lookups.

- `EQ_type`: a sensor report of one of these measurement types (bare, `gs1:` or URI).
- `EQ_value_{uom}` (a list), `GT_`/`GE_`/`LT_`/`LE_` + `value`, `minValue`, `maxValue`,
  `meanValue`, `sDev`, `percValue` + `_{uom}` (a UN/CEFACT code: `GE_value_CEL=8`);
  `GT_`/`GE_`/`LT_`/`LE_percRank`; `GE_`/`LT_` + `time`, `startTime`, `endTime` (a report's
  own, else its sensor element's `sensorMetadata` one).
- `EQ_deviceID`, `EQ_dataProcessingMethod`, `EQ_microorganism`, `EQ_chemicalSubstance`,
  `EQ_bizRules`, `EQ_stringValue`, `EQ_hexBinaryValue`, `EQ_uriValue` (lists),
  `EQ_booleanValue`, `EXISTS_sensorElementList`.

Numbers are compared in their kind's base unit (`epcis_sensors.to_base`), so `GE_value_KEL`
finds a report in CEL (GS1's TCR-53); a report in a unit of another kind never matches.
The numbers, times and `EQ_type` of one query hold for one and the same sensor report
(`EQ_type=Temperature&GE_value_CEL=8&LT_value_CEL=30`: a temperature report between 8 and 30
°C), one `epcis_sensor_values` row per field joined on the report; the equality parameters
are each a lookup in `epcis_event_terms` and hold for the event.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import aliased

from freshcircle.platform.ledger.services.epcis_query_values import (
    Args,
    QueryParameterException,
    number_of,
    one_of,
    time_of,
    values_of,
)
from freshcircle.platform.ledger.services.epcis_terms import canonical
from freshcircle.platform.models import EpcisEventRecord
from freshcircle.platform.models.traceability import EpcisEventTerm, EpcisSensorValue
from freshcircle.traceability.epcis_sensors import (
    MATCHED,
    NUMBER_FIELDS,
    URI_KINDS,
    epoch_seconds,
    measurement_type,
    to_base,
)

NUMBERS = re.compile(rf"^(EQ|GT|GE|LT|LE)_({'|'.join(NUMBER_FIELDS)})_([A-Z0-9]{{2,4}})$")
RANK = re.compile(r"^(GT|GE|LT|LE)_percRank$")
TIMES = re.compile(r"^(GE|LT)_(time|startTime|endTime)$")
EQUALS = {f"EQ_{attribute}": kind for attribute, kind in MATCHED.items()
          if kind != "booleanValue"}
COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "GT": operator.gt, "GE": operator.ge, "LT": operator.lt, "LE": operator.le}
EPSILON = 1e-9  # EQ_value_{uom}: equal within this share (a unit conversion rounds)


@dataclass
class SensorConditions:
    """The sensor parameters of one query: `types` (EQ_type), `bounds` per field of one
    report ((comparison, base unit, numbers) each) and event-level `filters`."""

    types: list[str] | None = None
    bounds: dict[str, list[tuple[str, str, list[float]]]] = field(default_factory=dict)
    filters: list[ColumnElement[bool]] = field(default_factory=list)


Reader = Callable[[SensorConditions, Args, str], None]


def _numbers(found: re.Match[str]) -> Reader | None:
    op, name, uom = found.groups()
    if op == "EQ" and name != "value":  # the standard has EQ_ for value only
        return None

    def read(conditions: SensorConditions, args: Args, param: str) -> None:
        texts = values_of(args, param) if op == "EQ" else [one_of(args, param)]
        if not texts:
            raise QueryParameterException(errors={param: [_l("Give this parameter a value.")]})
        converted = [to_base(number_of(param, text), uom, spread=name == "sDev")
                     for text in texts]
        conditions.bounds.setdefault(name, []).append(
            (op, converted[0][0], [number for _, number in converted]))
    return read


def _plain(op: str, name: str, parse: Callable[[str, str], float]) -> Reader:
    def read(conditions: SensorConditions, args: Args, param: str) -> None:
        number = parse(param, one_of(args, param))
        conditions.bounds.setdefault(name, []).append((op, "", [number]))
    return read


def _types(conditions: SensorConditions, args: Args, param: str) -> None:
    values = values_of(args, param)
    if not values:
        raise QueryParameterException(errors={param: [_l("Give this parameter a value.")]})
    conditions.types = [measurement_type(value) for value in values]


def _terms(kind: str, values: list[str]) -> ColumnElement[bool]:
    return EpcisEventRecord.id.in_(select(EpcisEventTerm.event_record_id).where(
        EpcisEventTerm.kind == kind, EpcisEventTerm.value.in_(values)))


def _equals(kind: str) -> Reader:
    def read(conditions: SensorConditions, args: Args, param: str) -> None:
        values = values_of(args, param)
        if not values:
            raise QueryParameterException(errors={param: [_l("Give this parameter a value.")]})
        normal = {canonical(v) if kind in URI_KINDS else v.upper() if kind == "hexBinaryValue"
                  else v for v in values}
        conditions.filters.append(_terms(kind, sorted(normal)))
    return read


def _boolean(conditions: SensorConditions, args: Args, param: str) -> None:
    value = one_of(args, param).lower()
    if value not in ("true", "false"):
        raise QueryParameterException(errors={param: [_l("Use true or false.")]})
    conditions.filters.append(_terms("booleanValue", [value]))


def _exists(conditions: SensorConditions, args: Args, param: str) -> None:
    """`EXISTS_sensorElementList` (no value, or true); `false` asks for nothing."""
    values = [value.strip().lower() for value in args[param]]
    if len(values) != 1 or values[0] not in ("", "true", "false"):
        raise QueryParameterException(errors={param: [_l("Give no value, true or false.")]})
    if values[0] != "false":
        conditions.filters.append(_terms("sensor", [""]))


def _seconds(param: str, text: str) -> float:
    return epoch_seconds(time_of(param, text))


def sensor_reader(name: str) -> Reader | None:
    """The reader of the sensor parameter `name`, or None when it is not one."""
    if name == "EQ_type":
        return _types
    if name == "EQ_booleanValue":
        return _boolean
    if name == "EXISTS_sensorElementList":
        return _exists
    if name in EQUALS:
        return _equals(EQUALS[name])
    if found := NUMBERS.match(name):
        return _numbers(found)
    if found := RANK.match(name):
        return _plain(found[1], "percRank", number_of)
    if found := TIMES.match(name):
        return _plain(found[1], found[2], _seconds)
    return None


def _bound(column: Any, op: str, numbers: list[float]) -> ColumnElement[bool]:
    if op != "EQ":
        return COMPARE[op](column, numbers[0])
    return or_(*(column.between(n - EPSILON * max(1.0, abs(n)), n + EPSILON * max(1.0, abs(n)))
                 for n in numbers))


def sensor_filters(conditions: SensorConditions) -> list[ColumnElement[bool]]:
    """SQL conditions on `epcis_events` for the sensor parameters read into `conditions`."""
    filters = list(conditions.filters)
    if not conditions.bounds:
        if conditions.types is not None:
            filters.append(_terms("sensorType", conditions.types))
        return filters
    rows = {name: aliased(EpcisSensorValue) for name in conditions.bounds}
    first = next(iter(rows.values()))
    reports = select(first.event_record_id)
    for row in list(rows.values())[1:]:
        reports = reports.join(row, and_(row.event_record_id == first.event_record_id,
                                         row.report == first.report))
    for name, bounds in conditions.bounds.items():
        row = rows[name]
        reports = reports.where(row.field == name, *(
            and_(row.uom == uom, _bound(row.number, op, numbers)) for op, uom, numbers in bounds))
    if conditions.types is not None:
        reports = reports.where(first.type.in_(conditions.types))
    filters.append(EpcisEventRecord.id.in_(reports))
    return filters

"""Plain dataclasses for the five EPCIS 2.0 event types and their parts.

They carry domain values only (GTINs, lots, GLNs, datetimes, Decimals); ``epcis.build_event``
turns them into JSON-LD with the configured domain, time zone and vocabulary.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

ADD, OBSERVE, DELETE = "ADD", "OBSERVE", "DELETE"
ACTIONS = (ADD, OBSERVE, DELETE)


@dataclass(frozen=True)
class Quantity:
    """An amount of a GTIN, or of one lot of it (``epcClass`` + ``quantity`` + ``uom``)."""

    gtin: str
    lot: str | None = None
    quantity: Decimal | int | float | None = None
    uom: str | None = "KGM"


@dataclass(frozen=True)
class Location:
    """A readPoint / bizLocation: a GLN (+ extension), or any URI (``uri`` wins)."""

    gln: str | None = None
    extension: str | None = None
    uri: str | None = None


@dataclass(frozen=True)
class Party:
    """A source or destination: ``type`` is owning_party, possessing_party or location."""

    uri: str
    type: str = "owning_party"


@dataclass(frozen=True)
class BizTransaction:
    """A business document reference (``type`` is a CBV short name such as ``po`` or ``desadv``)."""

    uri: str
    type: str | None = None


@dataclass(frozen=True)
class TemperatureReport:
    """One temperature reading (``value``) or summary (min/max/mean) in °C.

    ``alarm`` marks an excursion (``exception: ALARM_CONDITION``).
    """

    value: float | Decimal | None = None
    min_value: float | Decimal | None = None
    max_value: float | Decimal | None = None
    mean_value: float | Decimal | None = None
    time: datetime | None = None
    alarm: bool = False
    device_id: str | None = None


@dataclass(frozen=True)
class SensorElement:
    """Readings from one device or period (``sensorMetadata`` + ``sensorReport`` list)."""

    reports: tuple[TemperatureReport, ...]
    device_id: str | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None


@dataclass(frozen=True)
class LotMasterData:
    """ILMD for a lot: what was harvested, where and when (keys in the platform vocabulary)."""

    harvest_date: date | None = None
    harvest_end_date: date | None = None
    commodity: str | None = None
    variety: str | None = None
    farm: str | None = None
    field: str | None = None
    plot: str | None = None
    county_code: str | None = None
    extra: Mapping[str, Any] = dc_field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class _Event:
    event_time: datetime
    biz_step: str | None = None
    disposition: str | None = None
    read_point: Location | None = None
    biz_location: Location | None = None
    biz_transactions: tuple[BizTransaction, ...] = ()
    sources: tuple[Party, ...] = ()
    destinations: tuple[Party, ...] = ()
    sensor_elements: tuple[SensorElement, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ObjectEvent(_Event):
    """Something happened to objects: harvest/commissioning (ADD, with ILMD), shipping..."""

    action: str = OBSERVE
    quantities: tuple[Quantity, ...] = ()
    epcs: tuple[str, ...] = ()
    ilmd: LotMasterData | None = None


@dataclass(frozen=True, kw_only=True)
class AggregationEvent(_Event):
    """Children packed into (ADD), seen in (OBSERVE) or unpacked from (DELETE) a parent."""

    action: str = ADD
    parent_id: str | None = None
    child_quantities: tuple[Quantity, ...] = ()
    child_epcs: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class TransactionEvent(_Event):
    """Objects tied to (ADD) or released from (DELETE) business transactions."""

    action: str = ADD
    parent_id: str | None = None
    quantities: tuple[Quantity, ...] = ()
    epcs: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class TransformationEvent(_Event):
    """Inputs consumed to make outputs: lot splits, merges, repacking; ILMD on the outputs."""

    inputs: tuple[Quantity, ...] = ()
    outputs: tuple[Quantity, ...] = ()
    input_epcs: tuple[str, ...] = ()
    output_epcs: tuple[str, ...] = ()
    transformation_id: str | None = None
    ilmd: LotMasterData | None = None


@dataclass(frozen=True, kw_only=True)
class AssociationEvent(_Event):
    """Children (e.g. a temperature logger) associated with a parent (e.g. a pallet or truck)."""

    action: str = ADD
    parent_id: str
    child_quantities: tuple[Quantity, ...] = ()
    child_epcs: tuple[str, ...] = ()


Event = ObjectEvent | AggregationEvent | TransactionEvent | TransformationEvent | AssociationEvent

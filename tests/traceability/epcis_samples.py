"""FreshCircle events of every type, as a farmer's lot would produce them (shared by tests)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from freshcircle.traceability.epcis import (
    ADD,
    DELETE,
    OBSERVE,
    AggregationEvent,
    AssociationEvent,
    BizTransaction,
    EpcisConfig,
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

CONFIG = EpcisConfig(domain="id.freshcircle.test")
CST = timezone(timedelta(hours=8))
T0 = datetime(2025, 3, 8, 6, 30, tzinfo=CST)
GTIN = "06901234567892"
PACK_GTIN = "09520123456788"
FARM_GLN = "9520123000017"
PACKHOUSE_GLN = "9520123000024"
BUYER = CONFIG.local_id("buyer", "sh-restaurant-17")
LOT = "TH250308A"
PACKS = ("TH250308A-1", "TH250308A-2", "TH250308A-3")
PALLET = "urn:epc:id:sscc:9520123.0000000017"

HARVEST_ILMD = LotMasterData(harvest_date=date(2025, 3, 8), commodity="菠菜", variety="大叶菠菜",
                             farm="太和县绿源合作社", field="东一块", plot="P-03",
                             county_code="341222")


def harvest() -> ObjectEvent:
    """Harvest: ADD a lot with its lot master data (custom bizStep URI)."""
    return ObjectEvent(event_time=T0, action=ADD, biz_step="harvesting", disposition="active",
                       quantities=(Quantity(GTIN, LOT, Decimal("120.50")),),
                       read_point=Location(FARM_GLN, "3"), biz_location=Location(FARM_GLN),
                       ilmd=HARVEST_ILMD)


def cooling() -> ObjectEvent:
    """Cooling with a temperature summary and one alarmed excursion reading."""
    element = SensorElement(
        reports=(TemperatureReport(min_value=1.5, max_value=9.0, mean_value=3.2),
                 TemperatureReport(value=Decimal("9.0"), time=T0 + timedelta(hours=2),
                                   alarm=True)),
        device_id="urn:epc:id:giai:9520123.LOGGER7",
        start_time=T0 + timedelta(hours=1), end_time=T0 + timedelta(hours=3))
    return ObjectEvent(event_time=T0 + timedelta(hours=3), action=OBSERVE, biz_step="cooling",
                       disposition="active", quantities=(Quantity(GTIN, LOT, 120.5),),
                       read_point=Location(PACKHOUSE_GLN), sensor_elements=(element,))


def split() -> TransformationEvent:
    """Initial packing: one lot split into three packs, new lot codes with ILMD."""
    return TransformationEvent(
        event_time=T0 + timedelta(hours=5), biz_step="commissioning", disposition="active",
        inputs=(Quantity(GTIN, LOT, Decimal("120.5")),),
        outputs=tuple(Quantity(PACK_GTIN, p, 40) for p in PACKS),
        read_point=Location(PACKHOUSE_GLN), biz_location=Location(PACKHOUSE_GLN),
        ilmd=LotMasterData(harvest_date=date(2025, 3, 8), extra={"packDate": "2025-03-08"}))


def packing() -> AggregationEvent:
    """The three packs go onto a pallet (SSCC)."""
    return AggregationEvent(event_time=T0 + timedelta(hours=6), action=ADD, biz_step="packing",
                            disposition="in_progress", parent_id=PALLET,
                            child_quantities=tuple(Quantity(PACK_GTIN, p, 40) for p in PACKS),
                            read_point=Location(PACKHOUSE_GLN))


def shipping() -> ObjectEvent:
    """The pallet ships to a Shanghai buyer against a purchase order."""
    return ObjectEvent(
        event_time=T0 + timedelta(hours=8), action=OBSERVE, biz_step="shipping",
        disposition="in_transit", epcs=(PALLET,),
        read_point=Location(PACKHOUSE_GLN),
        biz_transactions=(BizTransaction(CONFIG.local_id("po", "PO-2025-0042"), "po"),),
        sources=(Party(CONFIG.party(PACKHOUSE_GLN)),
                 Party(CONFIG.location(PACKHOUSE_GLN), "location")),
        destinations=(Party(BUYER), Party(BUYER, "possessing_party")))


def invoice() -> TransactionEvent:
    """The packs tied to the invoice."""
    return TransactionEvent(event_time=T0 + timedelta(hours=9), action=ADD,
                            biz_step="retail_selling",
                            quantities=tuple(Quantity(PACK_GTIN, p, 40) for p in PACKS),
                            biz_transactions=(BizTransaction(CONFIG.local_id("inv", "INV-9"),
                                                             "inv"),))


def logger_association() -> AssociationEvent:
    """A temperature logger associated with the pallet for the trip."""
    return AssociationEvent(event_time=T0 + timedelta(hours=7), action=ADD,
                            biz_step="loading", parent_id=PALLET,
                            child_epcs=("urn:epc:id:giai:9520123.LOGGER7",),
                            read_point=Location(PACKHOUSE_GLN))


def unpacking() -> AggregationEvent:
    """The buyer unpacks the pallet (DELETE)."""
    return AggregationEvent(event_time=T0 + timedelta(hours=20), action=DELETE,
                            biz_step="unpacking", parent_id=PALLET,
                            read_point=Location(uri=BUYER))


ALL = (harvest, cooling, split, packing, shipping, invoice, logger_association, unpacking)

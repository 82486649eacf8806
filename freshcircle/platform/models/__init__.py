"""All models, importable from one place (Alembic and the services import from here)."""

from .base import Base, utcnow
from .batches import Batch, BatchPhoto
from .catalog import Product
from .enums import (
    BatchStatus,
    CertificationKind,
    InputKind,
    LabelRunStatus,
    MemberRole,
    PlaceKind,
    ProducerKind,
    Role,
    ShipmentStatus,
    TemperatureClass,
    TestMethod,
    TestResult,
    TransportMode,
)
from .farm_records import FarmInput, ResidueTest
from .files import StoredFile
from .genealogy import LotLink, lot_node, parse_lot_node
from .notices import Notice
from .places import Place
from .producers import Certification, Producer
from .shipments import Shipment, ShipmentLine, TemperatureReading
from .traceability import (
    EpcisChainHead,
    EpcisEventLot,
    EpcisEventRecord,
    LabelRun,
    ScanEvent,
    TradeItem,
)
from .users import ApiToken, Membership, User

__all__ = [
    "ApiToken",
    "Base",
    "Batch",
    "BatchPhoto",
    "BatchStatus",
    "Certification",
    "CertificationKind",
    "EpcisChainHead",
    "EpcisEventLot",
    "EpcisEventRecord",
    "FarmInput",
    "InputKind",
    "LabelRun",
    "LabelRunStatus",
    "LotLink",
    "MemberRole",
    "Membership",
    "Notice",
    "Place",
    "PlaceKind",
    "Producer",
    "ProducerKind",
    "Product",
    "ResidueTest",
    "Role",
    "ScanEvent",
    "Shipment",
    "ShipmentLine",
    "ShipmentStatus",
    "StoredFile",
    "TemperatureClass",
    "TemperatureReading",
    "TestMethod",
    "TestResult",
    "TradeItem",
    "TransportMode",
    "User",
    "lot_node",
    "parse_lot_node",
    "utcnow",
]

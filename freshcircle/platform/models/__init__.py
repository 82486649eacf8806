"""All models, importable from one place (Alembic and the services import from here)."""

from .base import Base, utcnow
from .batches import Batch, BatchPhoto
from .catalog import Product
from .dispatch import DispatchPlan, Vehicle, VehicleCompartment
from .enums import (
    BatchStatus,
    CertificationKind,
    DisputeStatus,
    InputKind,
    LabelRunStatus,
    ListingStatus,
    MemberRole,
    OrderStatus,
    PlaceKind,
    ProducerKind,
    QuoteStatus,
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
from .marketplace import (
    BuyerProfile,
    ContractPrice,
    CutoffNotice,
    Listing,
    ListingTerm,
    ListingTier,
)
from .notices import Notice
from .orders import CartLine, Dispute, Order, OrderLine, Quote, QuoteRequest, Rating
from .places import Place
from .producers import Certification, Producer
from .shipments import Shipment, ShipmentAlert, ShipmentLine, TemperatureReading
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
    "BuyerProfile",
    "CartLine",
    "Certification",
    "CertificationKind",
    "ContractPrice",
    "CutoffNotice",
    "DispatchPlan",
    "Dispute",
    "DisputeStatus",
    "EpcisChainHead",
    "EpcisEventLot",
    "EpcisEventRecord",
    "FarmInput",
    "InputKind",
    "LabelRun",
    "LabelRunStatus",
    "Listing",
    "ListingStatus",
    "ListingTerm",
    "ListingTier",
    "LotLink",
    "MemberRole",
    "Membership",
    "Notice",
    "Order",
    "OrderLine",
    "OrderStatus",
    "Place",
    "PlaceKind",
    "Producer",
    "ProducerKind",
    "Product",
    "Quote",
    "QuoteRequest",
    "QuoteStatus",
    "Rating",
    "ResidueTest",
    "Role",
    "ScanEvent",
    "Shipment",
    "ShipmentAlert",
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
    "Vehicle",
    "VehicleCompartment",
    "lot_node",
    "parse_lot_node",
    "utcnow",
]

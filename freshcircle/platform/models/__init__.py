"""All models, importable from one place (Alembic and the services import from here)."""

from freshcircle.platform.models.audit import AuditAction, AuditEntry
from freshcircle.platform.models.base import Base, utcnow
from freshcircle.platform.models.batches import Batch, BatchPhoto
from freshcircle.platform.models.catalog import Product
from freshcircle.platform.models.contracts import (
    ContractOrder,
    ContractShortfall,
    ContractStatus,
    ContractWeek,
    ForwardContract,
    PriceKind,
    ShortfallStatus,
    contract_plantings,
)
from freshcircle.platform.models.data_versions import DataVersion
from freshcircle.platform.models.demand import DemandStatus, StandingDemand, StandingDemandMatch
from freshcircle.platform.models.demo import DemoDatabase
from freshcircle.platform.models.dispatch import DispatchPlan, Vehicle, VehicleCompartment
from freshcircle.platform.models.enums import (
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
    SeasonStatus,
    ShipmentStatus,
    TemperatureClass,
    TestMethod,
    TestResult,
    TransportMode,
)
from freshcircle.platform.models.epcis_subscriptions import (
    EpcisDeliveredEvent,
    EpcisNamedQuery,
    EpcisSubscription,
)
from freshcircle.platform.models.farm_records import FarmInput, ResidueTest
from freshcircle.platform.models.files import StoredFile
from freshcircle.platform.models.genealogy import LotLink, lot_node, parse_lot_node
from freshcircle.platform.models.idempotency import IdempotencyKey
from freshcircle.platform.models.marketplace import (
    ArrivalSite,
    BuyerProfile,
    ContractPrice,
    CutoffNotice,
    Listing,
    ListingArrival,
    ListingTerm,
    ListingTier,
    ProducerArrival,
    SearchSynonym,
)
from freshcircle.platform.models.notices import Notice
from freshcircle.platform.models.orders import (
    CartLine,
    Dispute,
    Order,
    OrderLine,
    Quote,
    QuoteRequest,
    Rating,
)
from freshcircle.platform.models.photo_uploads import PhotoUpload, PhotoUploadPart
from freshcircle.platform.models.places import Place
from freshcircle.platform.models.plantings import Planting, PlantingUpdate
from freshcircle.platform.models.plots import Plot, plot_crops
from freshcircle.platform.models.producers import Certification, Producer
from freshcircle.platform.models.recalls import RecallRecord
from freshcircle.platform.models.shipments import (
    Shipment,
    ShipmentAlert,
    ShipmentLine,
    TemperatureReading,
)
from freshcircle.platform.models.traceability import (
    EpcisCaptureJob,
    EpcisChainHead,
    EpcisErrorDeclaration,
    EpcisEventLot,
    EpcisEventRecord,
    LabelRun,
    ScanEvent,
    TradeItem,
)
from freshcircle.platform.models.users import ApiToken, Membership, User

__all__ = [
    "ApiToken",
    "ArrivalSite",
    "AuditAction",
    "AuditEntry",
    "Base",
    "Batch",
    "BatchPhoto",
    "BatchStatus",
    "BuyerProfile",
    "CartLine",
    "Certification",
    "CertificationKind",
    "ContractOrder",
    "ContractPrice",
    "ContractShortfall",
    "ContractStatus",
    "ContractWeek",
    "CutoffNotice",
    "DataVersion",
    "DemandStatus",
    "DemoDatabase",
    "DispatchPlan",
    "Dispute",
    "DisputeStatus",
    "EpcisCaptureJob",
    "EpcisChainHead",
    "EpcisDeliveredEvent",
    "EpcisErrorDeclaration",
    "EpcisEventLot",
    "EpcisEventRecord",
    "EpcisNamedQuery",
    "EpcisSubscription",
    "FarmInput",
    "ForwardContract",
    "IdempotencyKey",
    "InputKind",
    "LabelRun",
    "LabelRunStatus",
    "Listing",
    "ListingArrival",
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
    "PhotoUpload",
    "PhotoUploadPart",
    "Place",
    "PlaceKind",
    "Planting",
    "PlantingUpdate",
    "Plot",
    "PriceKind",
    "Producer",
    "ProducerArrival",
    "ProducerKind",
    "Product",
    "Quote",
    "QuoteRequest",
    "QuoteStatus",
    "Rating",
    "RecallRecord",
    "ResidueTest",
    "Role",
    "ScanEvent",
    "SearchSynonym",
    "SeasonStatus",
    "Shipment",
    "ShipmentAlert",
    "ShipmentLine",
    "ShipmentStatus",
    "ShortfallStatus",
    "StandingDemand",
    "StandingDemandMatch",
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
    "contract_plantings",
    "lot_node",
    "parse_lot_node",
    "plot_crops",
    "utcnow",
]

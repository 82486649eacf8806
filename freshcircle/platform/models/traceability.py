"""Traceability records: GTINs per producer product, label runs, scans and EPCIS events.

The codes, signatures, labels and events themselves are made by the pure library
`freshcircle.traceability`; these tables remember what was issued and what happened.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Double,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from freshcircle.platform.models.base import Base, utcnow
from freshcircle.platform.models.batches import Batch
from freshcircle.platform.models.enums import LabelRunStatus, enum_type
from freshcircle.platform.models.files import StoredFile


class TradeItem(Base):
    """The GTIN a producer's product carries (assigned from the platform's GS1 company prefix)."""

    __tablename__ = "trade_items"
    __table_args__ = (UniqueConstraint("producer_id", "product_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    gtin: Mapped[str] = mapped_column(String(14), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class LabelRun(Base):
    """One print job: `count` packs of a batch, serials first_serial .. first_serial+count-1."""

    __tablename__ = "label_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"), index=True)
    trade_item_id: Mapped[int] = mapped_column(ForeignKey("trade_items.id"))
    layout: Mapped[str] = mapped_column(String(16))
    count: Mapped[int]
    first_serial: Mapped[int] = mapped_column(BigInteger)
    # Net weight of one pack (AI 3103 on the label); a lot is packed in packs of one size per run.
    net_weight_g: Mapped[int | None] = mapped_column(BigInteger)
    key_id: Mapped[str] = mapped_column(String(8))
    status: Mapped[LabelRunStatus] = mapped_column(
        enum_type(LabelRunStatus), default=LabelRunStatus.QUEUED
    )
    progress: Mapped[int] = mapped_column(default=0)
    file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"))
    error: Mapped[str | None] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None]
    # Moved on by the job as it works; a running job whose heartbeat stopped has died.
    heartbeat_at: Mapped[dt.datetime | None]

    batch: Mapped[Batch] = relationship()
    trade_item: Mapped[TradeItem] = relationship()
    file: Mapped[StoredFile | None] = relationship()


class ScanEvent(Base):
    """A consumer's scan of a code; the history flags copied codes.

    Append-only rows with no counters to update, so concurrent scans never wait on each other.
    `network` is a hash of the client's /24 (IPv4) or /48 (IPv6) network, never the address.
    """

    __tablename__ = "scan_events"
    # On PostgreSQL partitioned by month of scanned_at (trace/services/scan_partitions.py): a
    # key or unique constraint there holds the partition's column, so the scan id is unique
    # with its time (a scan delivered twice has both the same), here as there.
    __table_args__ = (Index("ix_scan_events_gtin_serial_time", "gtin", "serial", "scanned_at"),
                      UniqueConstraint("scan_id", "scanned_at"))

    # BIGINT on PostgreSQL (many scans); SQLite only autoincrements a plain INTEGER key.
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True
    )
    gtin: Mapped[str] = mapped_column(String(14))
    lot: Mapped[str | None] = mapped_column(String(20))
    serial: Mapped[str | None] = mapped_column(String(20))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id"), index=True)
    verdict: Mapped[str] = mapped_column(String(24))
    network: Mapped[str | None] = mapped_column(String(16))
    scanned_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Made when the page answers; the scan writer inserts a scan from the Redis stream once
    # however often it is delivered (trace/services/scan_stream.py). Rows from before: none.
    scan_id: Mapped[str | None] = mapped_column(String(32))


class EpcisEventRecord(Base):
    """A captured or platform-generated EPCIS 2.0 event, chained per lot for tamper evidence.

    `event_id` is the eventID the sender gave (`urn:uuid:...`, `ni:///...`), or the event hash
    when none was given; `event_hash` is the EPCIS event hash, so capturing the same event
    twice stores it once. `link` = sha256(previous_link + event hash)
    (freshcircle.traceability.event_chain).
    """

    __tablename__ = "epcis_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(120), unique=True)
    event_hash: Mapped[str] = mapped_column(String(120), unique=True)
    event_type: Mapped[str] = mapped_column(String(32), index=True)
    event_time: Mapped[dt.datetime] = mapped_column(index=True)
    biz_step: Mapped[str | None] = mapped_column(String(160), index=True)
    # The fields the EPCIS query interface filters on, out of `body` at store time
    # (ledger.services.epcis_terms): CBV values bare, other URIs as sent.
    action: Mapped[str | None] = mapped_column(String(8))  # three values: an index would not help
    disposition: Mapped[str | None] = mapped_column(String(160), index=True)
    read_point: Mapped[str | None] = mapped_column(String(512), index=True)
    biz_location: Mapped[str | None] = mapped_column(String(512), index=True)
    gtin: Mapped[str | None] = mapped_column(String(14), index=True)
    lot_code: Mapped[str | None] = mapped_column(String(20), index=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    previous_link: Mapped[str] = mapped_column(String(64))
    link: Mapped[str] = mapped_column(String(64))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    declarations: Mapped[list[EpcisErrorDeclaration]] = relationship(
        back_populates="event", order_by="EpcisErrorDeclaration.id", lazy="selectin")

    @property
    def declared_wrong(self) -> bool:
        """Whether an error declaration names this event (EPCIS 2.0 section 7.4.1.4)."""
        return bool(self.declarations)


class EpcisErrorDeclaration(Base):
    """An error declaration a partner captured for a stored event: the event (same event hash,
    the declaration is not hashed) is kept as it was, and this says it was wrong, when, why and
    which events correct it. `body` is the errorDeclaration as sent (extensions included)."""

    __tablename__ = "epcis_error_declarations"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_record_id: Mapped[int] = mapped_column(
        ForeignKey("epcis_events.id", ondelete="CASCADE"), index=True)
    declaration_time: Mapped[dt.datetime]
    reason: Mapped[str | None] = mapped_column(String(160))
    corrective_event_ids: Mapped[str] = mapped_column(Text, default="[]")  # JSON list
    body: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    event: Mapped[EpcisEventRecord] = relationship(back_populates="declarations")


class EpcisCaptureJob(Base):
    """One POST to the EPCIS capture interface (REST binding): what it stored and what it
    could not. `errors` is a JSON list of RFC 7807 problems, one per refused event; `result`
    the counts and eventIDs (ledger.services.capture_jobs)."""

    __tablename__ = "epcis_capture_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    capture_id: Mapped[str] = mapped_column(String(32), unique=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    behaviour: Mapped[str] = mapped_column(String(8))  # rollback or proceed
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None]
    success: Mapped[bool]
    errors: Mapped[str] = mapped_column(Text, default="[]")
    result: Mapped[str] = mapped_column(Text, default="{}")


class EpcisEventLot(Base):
    """Every lot an event names, so an event about several lots (a merge, a mixed pallet, a
    shipment) is found under each of them, not only under the lot whose chain it joined.

    `role` is where the lot appears: object, input, output, child or parent.
    """

    __tablename__ = "epcis_event_lots"
    __table_args__ = (Index("ix_epcis_event_lots_lot_gtin", "lot_code", "gtin"),)

    # An index of its event: it goes when the event goes.
    event_record_id: Mapped[int] = mapped_column(
        ForeignKey("epcis_events.id", ondelete="CASCADE"), primary_key=True
    )
    gtin: Mapped[str] = mapped_column(String(14), primary_key=True)
    lot_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    role: Mapped[str] = mapped_column(String(8))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id"), index=True)


class EpcisEventTerm(Base):
    """What the EPCIS query interface matches an event by, one row per value, so a query by
    EPC, class, business transaction, source or destination is an index lookup, not a scan of
    `body`.

    `kind`: an EPC's field (epc, child, parent, input, output), a class's quantity list
    (quantity, child_qty, input_qty, output_qty), or bizTransaction, source, destination with
    the CBV `type` bare ('' for an EPC, a class or an untyped transaction).
    """

    __tablename__ = "epcis_event_terms"
    __table_args__ = (
        Index("ix_epcis_event_terms_value_kind", "value", "kind", "type"),
        # `GET /epcs`: each kind's values in order, one index probe per value
        Index("ix_epcis_event_terms_kind_value", "kind", "value"),
    )

    event_record_id: Mapped[int] = mapped_column(
        ForeignKey("epcis_events.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    type: Mapped[str] = mapped_column(String(160), primary_key=True)
    value: Mapped[str] = mapped_column(String(512), primary_key=True)


class EpcisSensorValue(Base):
    """A number or time of one sensor report, so an EPCIS sensor query (`GE_value_CEL`,
    `LT_maxValue_KEL`, `GE_time`...) is an index range, not a scan of `body`.

    One row per (event, report, field): `report` counts the event's sensor reports over all
    its sensor elements, so conditions on several fields of one report join on it. `field` is
    value, minValue, maxValue, meanValue, sDev, percValue, percRank, time, startTime or
    endTime; `number` is in the base unit of its kind (`uom`: KEL for CEL and FAH, KGM for
    GRM...; `freshcircle.traceability.epcis_sensors.to_base`), a time in seconds since 1970
    UTC with `uom` ''. `type` is the report's measurement type, bare for standard ones.
    The report's URIs and strings (deviceID, stringValue...) are `epcis_event_terms` rows.
    """

    __tablename__ = "epcis_sensor_values"
    __table_args__ = (Index("ix_epcis_sensor_values_field_uom_number", "field", "uom", "number",
                            "type", "event_record_id"),)

    event_record_id: Mapped[int] = mapped_column(
        ForeignKey("epcis_events.id", ondelete="CASCADE"), primary_key=True
    )
    report: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    field: Mapped[str] = mapped_column(String(16), primary_key=True)
    type: Mapped[str] = mapped_column(String(160))
    uom: Mapped[str] = mapped_column(String(8))
    number: Mapped[float] = mapped_column(Double)


class EpcisChainHead(Base):
    """The newest link of each chain and how many events it holds.

    A chain's rows alone cannot show that its newest events were deleted (what is left still
    links up); the head, written in the same transaction as every append, can.
    `chain` is `{gtin}/{lot}` with `-` for a missing part (a unique key NULLs cannot make).
    """

    __tablename__ = "epcis_chain_heads"

    chain: Mapped[str] = mapped_column(String(40), primary_key=True)
    link: Mapped[str] = mapped_column(String(64))
    length: Mapped[int]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

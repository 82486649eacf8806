"""Farm inputs (pesticides, fertilisers) and residue tests."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from freshcircle.platform.models.base import Base, utcnow
from freshcircle.platform.models.batches import Batch
from freshcircle.platform.models.enums import InputKind, TestMethod, TestResult, enum_type
from freshcircle.platform.models.files import StoredFile
from freshcircle.platform.models.plots import Plot
from freshcircle.platform.models.producers import Producer


class FarmInput(Base):
    """One application of a pesticide or fertiliser on a plot."""

    __tablename__ = "farm_inputs"

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    kind: Mapped[InputKind] = mapped_column(enum_type(InputKind))
    product_name: Mapped[str] = mapped_column(String(100))
    active_ingredient: Mapped[str | None] = mapped_column(String(100))
    dose: Mapped[str] = mapped_column(String(64))
    plot_id: Mapped[int] = mapped_column(ForeignKey("plots.id"), index=True)
    applied_on: Mapped[dt.date]
    # 安全间隔期: days that must pass between application and harvest.
    pre_harvest_interval_days: Mapped[int] = mapped_column(default=0)
    notes: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    producer: Mapped[Producer] = relationship()
    plot: Mapped[Plot] = relationship()

    @property
    def safe_harvest_date(self) -> dt.date:
        return self.applied_on + dt.timedelta(days=self.pre_harvest_interval_days)


class ResidueTest(Base):
    """A pesticide-residue rapid test (农残快检) or lab report for a batch."""

    __tablename__ = "residue_tests"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"), index=True)
    method: Mapped[TestMethod] = mapped_column(enum_type(TestMethod))
    result: Mapped[TestResult] = mapped_column(enum_type(TestResult))
    measured_values: Mapped[str | None] = mapped_column(Text)
    tester: Mapped[str] = mapped_column(String(100))
    tested_on: Mapped[dt.date]
    file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    batch: Mapped[Batch] = relationship()
    file: Mapped[StoredFile | None] = relationship()

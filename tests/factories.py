"""Test data factories: small, explicit, committed inside the test's outer transaction."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from decimal import Decimal

from sqlalchemy import select

from freshcircle.platform.core.services.accounts import hash_password
from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.core.services.files import keep_stream
from freshcircle.platform.models import (
    Batch,
    Certification,
    CertificationKind,
    FarmInput,
    InputKind,
    MemberRole,
    Membership,
    Place,
    PlaceKind,
    Planting,
    Plot,
    Producer,
    ProducerKind,
    Product,
    ResidueTest,
    Role,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
    TemperatureClass,
    TemperatureReading,
    TestMethod,
    TestResult,
    TransportMode,
    User,
)

PASSWORD = "correct-horse-9"
_phones = itertools.count(13800000001)
_PASSWORD_HASH = None


def _password_hash() -> str:
    global _PASSWORD_HASH  # argon2 is slow on purpose; hash the shared test password once
    if _PASSWORD_HASH is None:
        _PASSWORD_HASH = hash_password(PASSWORD)
    return _PASSWORD_HASH


class Factory:
    def __init__(self, session):
        self.session = session

    def _save(self, obj):
        self.session.add(obj)
        self.session.commit()
        return obj

    def user(self, role: Role = Role.FARMER, name: str = "测试用户", phone: str | None = None):
        return self._save(
            User(phone=phone or str(next(_phones)), name=name, role=role,
                 password_hash=_password_hash())
        )

    def producer(self, *members: User, name: str = "测试合作社", county_code: str = "341222",
                 kind: ProducerKind = ProducerKind.COOPERATIVE, manager: bool = True, **extra):
        producer = Producer(kind=kind, name=name, county_code=county_code, county_name="太和县",
                            **extra)
        for member in members:
            producer.memberships.append(
                Membership(user=member, role=MemberRole.MANAGER if manager else MemberRole.MEMBER)
            )
        return self._save(producer)

    def product(self, name_en: str = "Spinach") -> Product:
        return self.session.scalar(select(Product).where(Product.name_en == name_en))

    def place(self, name_en: str = "Taihe County") -> Place:
        return self.session.scalar(select(Place).where(Place.name_en == name_en))

    def plot(self, producer: Producer, name: str = "东地块", **extra) -> Plot:
        """The producer's plot of that name, made on first use."""
        found = self.session.scalar(
            select(Plot).where(Plot.producer_id == producer.id, Plot.name == name)
        )
        return found or self._save(Plot(producer_id=producer.id, name=name, **extra))

    def planting(self, producer: Producer, *, plot: str | Plot = "东地块",
                 product: Product | None = None, area_mu: str = "2",
                 harvest_from: dt.date, days: int = 14, yield_jin: int = 3000, **extra):
        """A planting harvested from `harvest_from` for `days` days, planted 10 weeks before."""
        return self._save(Planting(
            producer_id=producer.id, plot=self._plot(producer, plot),
            product=product or self.product(), area_mu=Decimal(area_mu),
            planted_on=harvest_from - dt.timedelta(weeks=10), harvest_from=harvest_from,
            harvest_to=harvest_from + dt.timedelta(days=days - 1),
            expected_yield_jin_per_mu=yield_jin, **extra))

    def _plot(self, producer: Producer, plot: str | Plot) -> Plot:
        return plot if isinstance(plot, Plot) else self.plot(producer, plot)

    def batch(self, producer: Producer, *, plot: str | Plot = "东地块",
              harvest_date: dt.date | None = None, quantity_g: int = 500_000,
              product: Product | None = None, lot_code: str | None = None, **extra):
        harvest_date = harvest_date or today_in_china() - dt.timedelta(days=1)
        lot_code = lot_code or f"T{next(_phones) % 10_000_000:07d}"
        return self._save(
            Batch(producer=producer, product=product or self.product(),
                  plot=self._plot(producer, plot),
                  harvest_date=harvest_date, quantity_g=quantity_g, lot_code=lot_code, **extra)
        )

    def farm_input(self, producer: Producer, *, plot: str | Plot = "东地块", applied_on: dt.date,
                   interval_days: int = 7, product_name: str = "阿维菌素",
                   kind: InputKind = InputKind.PESTICIDE, **extra):
        return self._save(
            FarmInput(producer=producer, kind=kind, product_name=product_name,
                      dose="30 mL/亩", plot=self._plot(producer, plot), applied_on=applied_on,
                      pre_harvest_interval_days=interval_days, **extra)
        )

    def stored_file(self, producer: Producer | None, *, data: bytes = b"%PDF-1.4 test report",
                    filename: str = "检测报告.pdf", content_type: str = "application/pdf"):
        return self._save(
            keep_stream(self.session, io.BytesIO(data),
                        producer_id=producer.id if producer else None, filename=filename,
                        content_type=content_type, uploaded_by_id=None)
        )

    def residue_test(self, batch: Batch, *, created_by: User | None = None,
                     result: TestResult = TestResult.PASS, tested_on: dt.date | None = None,
                     **extra):
        return self._save(
            ResidueTest(batch=batch, method=TestMethod.RAPID, result=result, tester="自检",
                        tested_on=tested_on or batch.harvest_date,
                        created_by_id=created_by.id if created_by else None, **extra)
        )

    def certification(self, producer: Producer, *, valid_from: dt.date | None = None,
                      valid_to: dt.date | None = None, number: str = "LB-18-1234567890",
                      kind: CertificationKind = CertificationKind.GREEN_FOOD, **extra):
        valid_from = valid_from or today_in_china() - dt.timedelta(days=365)
        return self._save(
            Certification(producer=producer, kind=kind, number=number,
                          issuer="中国绿色食品发展中心", valid_from=valid_from,
                          valid_to=valid_to or valid_from + dt.timedelta(days=3 * 365), **extra)
        )

    def new_place(self, *, name_zh: str = "李家冷库", kind: PlaceKind = PlaceKind.COLD_STORE,
                  producer: Producer | None = None, latitude: str = "33.16",
                  longitude: str = "115.62", name_en: str | None = None):
        from decimal import Decimal

        return self._save(
            Place(name_zh=name_zh, name_en=name_en or f"{name_zh} {next(_phones)}", kind=kind,
                  latitude=Decimal(latitude), longitude=Decimal(longitude),
                  producer_id=producer.id if producer else None)
        )

    def shipment(self, *, created_by: User | None = None, carrier: User | None = None,
                 lines=(), status: ShipmentStatus = ShipmentStatus.PLANNED,
                 temp_class: TemperatureClass = TemperatureClass.CHILLED,
                 from_place: Place | None = None, to_place: Place | None = None, **extra):
        """A shipment from Taihe to Shanghai tomorrow; `lines` are (batch, grams) pairs."""
        departure = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=1)
        shipment = Shipment(
            from_place=from_place or self.place("Taihe County"),
            to_place=to_place or self.place("Shanghai"),
            created_by_id=created_by.id if created_by else None,
            carrier_id=carrier.id if carrier else None, mode=TransportMode.REEFER_TRUCK,
            temp_class=temp_class, planned_departure=departure,
            planned_arrival=departure + dt.timedelta(hours=8), status=status, **extra,
        )
        for batch, grams in lines:
            shipment.lines.append(ShipmentLine(batch=batch, quantity_g=grams))
        return self._save(shipment)

    def temperature_reading(self, shipment: Shipment, celsius: str, recorded_at: dt.datetime,
                            sensor_id: str = "T-001"):
        from decimal import Decimal

        return self._save(
            TemperatureReading(shipment_id=shipment.id, sensor_id=sensor_id,
                               recorded_at=recorded_at, celsius=Decimal(celsius))
        )

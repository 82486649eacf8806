"""Turn the demo content into dated records: pure Python, no database.

Everything random comes from one `random.Random(2026)` drawn in a fixed order, so two runs
(on any database, on any day) plan the same content; only the dates move with `today`.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from freshcircle.platform.core.services.clock import CHINA
from freshcircle.platform.core.services.identifiers import FUYANG_COUNTIES
from freshcircle.platform.demo import content as c
from freshcircle.platform.models import (
    CertificationKind,
    InputKind,
    ProducerKind,
    ShipmentStatus,
    TestMethod,
    TestResult,
)

SEED = 2026
WINDOW_DAYS = 27
READING_INTERVAL = dt.timedelta(minutes=10)
SOLD_OUT_AFTER_DAYS = 20
HELD_REASON = "农残快检不合格，暂停销售，待实验室复检" + c.SAMPLE


@dataclass(frozen=True)
class InputPlan:
    kind: InputKind
    product_name: str
    active_ingredient: str | None
    dose: str
    applied_on: dt.date
    interval_days: int


@dataclass(frozen=True)
class TestPlan:
    method: TestMethod
    result: TestResult
    tester: str
    tested_on: dt.date
    measured_values: str
    by_inspector: bool = False


@dataclass
class BatchPlan:
    key: str  # the batch's idempotency key, its natural key across runs
    producer_key: str
    product_en: str
    variety: str | None
    plot: str
    harvest_date: dt.date
    quantity_kg: int
    grade: str
    notes: str
    registered_by: c.Person
    story: str = ""  # too_early, failed_test, or the key of the shipment that carries it
    status: str = "listed"  # registered | listed | sold_out | held
    inputs: list[InputPlan] = field(default_factory=list)
    tests: list[TestPlan] = field(default_factory=list)

    @property
    def quantity_g(self) -> int:
        return self.quantity_kg * 1000

    @property
    def plot_area_mu(self) -> Decimal:
        """The plot's area in 亩, 1.5 to 9 by its name (the same on every run)."""
        return Decimal(6 + sum(map(ord, self.plot)) % 31) / 4


@dataclass(frozen=True)
class CertPlan:
    producer_key: str
    kind: CertificationKind
    product_en: str
    number: str
    issuer: str
    valid_from: dt.date
    valid_to: dt.date
    notes: str


@dataclass
class ShipmentPlan:
    key: str
    shipper: c.Person
    plate: str
    from_en: str
    to_en: str
    status: ShipmentStatus
    planned_departure: dt.datetime
    planned_arrival: dt.datetime
    actual_departure: dt.datetime | None = None
    actual_arrival: dt.datetime | None = None
    lines: list[tuple[str, int]] = field(default_factory=list)  # (batch key, grams)
    readings: list[tuple[dt.datetime, Decimal]] = field(default_factory=list)

    @property
    def sensor_id(self) -> str:
        return f"DEMO-LOGGER-{self.key}"


@dataclass
class DemoPlan:
    batches: list[BatchPlan]
    certifications: list[CertPlan]
    shipments: list[ShipmentPlan]
    offsets: dict[str, tuple[Decimal, Decimal]]  # producer key -> (dlat, dlon) from county centre


# (producer key, product, n-th batch of that crop) -> (days before today, story)
STORIES = {
    ("taihe-lvxiang", c.SPINACH, 0): (2, "too_early"),
    ("jieshou-lvye", c.CELERY, 0): (6, "failed_test"),
    ("taihe-lvxiang", c.TOON, 1): (6, "S1"),
    ("taihe-lvxiang", c.SPINACH, 1): (6, "S1"),
    ("yingshang-hexiang", c.LOTUS, 0): (4, "S2"),
    ("yingshang-hexiang", c.LOTUS, 1): (5, "S2"),
    ("yingdong-xinnong", c.BROCCOLI, 0): (1, "S3"),
    ("jieshou-lvye", c.CELERY, 1): (1, "S3"),
    ("yingzhou-lvyuan", c.SPINACH, 0): (0, "S4"),
    ("jieshou-lvye", c.CABBAGE, 0): (1, "S4"),
    ("taihe-lvxiang", c.TOON, 0): (1, "S4"),
}
# Shipment key -> (shipper, plate, from, to, status); all reefer trucks, chilled at 2 °C.
# A co-op ships its own lots from its cold store; the platform admin consolidates at the hub.
ROUTES = {
    # To the demo buyer's own site: recalling a lot on it reaches 13900000003's inbox.
    "S1": (c.COOP_ADMIN, "皖K12345", c.TAIHE_STORE.name_en, c.BUYERS[0].site.name_en,
           ShipmentStatus.DELIVERED),
    "S2": (c.PRODUCERS_BY_KEY["yingshang-hexiang"].manager, "皖K36820", c.YINGSHANG_STORE.name_en,
           "Nanjing Zhongcai Agricultural Products Wholesale Market", ShipmentStatus.DELIVERED),
    "S3": (c.ADMIN, "皖K50917", c.HUB.name_en, "Hangzhou Agricultural Products Logistics Center",
           ShipmentStatus.IN_TRANSIT),
    "S4": (c.ADMIN, "皖K72406", c.HUB.name_en,
           "Shanghai Xijiao International Agricultural Products Trade Center",
           ShipmentStatus.PLANNED),
}
LOW_SPRAY = {c.LOTUS, c.GARLIC, c.SWEET_POTATO}


def _inputs(rng: random.Random, product_en: str, harvest: dt.date, story: str) -> list[InputPlan]:
    name, ingredient, dose = rng.choice(c.FERTILISERS)
    plans = [InputPlan(InputKind.FERTILISER, name, ingredient, dose,
                       harvest - dt.timedelta(days=rng.randint(25, 45)), 0)]
    if story == "too_early":
        name, ingredient, dose, interval = c.PESTICIDES[0]  # abamectin, 7 days on leafy greens
        plans.append(InputPlan(InputKind.PESTICIDE, name, ingredient, dose,
                               harvest - dt.timedelta(days=3), interval))
    elif rng.random() < (0.3 if product_en in LOW_SPRAY else 0.65):
        name, ingredient, dose, interval = rng.choice(c.PESTICIDES)
        applied = harvest - dt.timedelta(days=interval + rng.randint(1, 6))
        plans.append(InputPlan(InputKind.PESTICIDE, name, ingredient, dose, applied, interval))
    return plans


def _tests(rng: random.Random, spec: c.ProducerSpec, harvest: dt.date, story: str):
    if spec.kind == ProducerKind.COOPERATIVE:
        tester = "合作社农残快检室"
    else:
        tester = f"{spec.township}农产品质量安全监管站"
    plans = []
    if story or rng.random() < 0.75:
        rate = Decimal(str(round(rng.uniform(3, 30), 1)))
        plans.append(TestPlan(TestMethod.RAPID, TestResult.PASS, tester + c.SAMPLE, harvest,
                              f"酶抑制率 {rate}%（判定限 50%）"))
    if story == "failed_test":
        inspector = f"{FUYANG_COUNTIES[spec.county_code]}农产品质量安全检测站{c.SAMPLE}"
        plans.append(TestPlan(TestMethod.RAPID, TestResult.FAIL, inspector,
                              harvest + dt.timedelta(days=1),
                              "酶抑制率 63.5%（判定限 50%），有机磷类阳性", by_inspector=True))
    if story == "S1":
        plans.append(TestPlan(TestMethod.LAB, TestResult.PASS,
                              "阜阳市农产品质量安全检测中心" + c.SAMPLE, harvest,
                              "GB 2763-2021 所列 42 项农药残留均未检出或低于最大残留限量"))
    return plans


def _batches(rng: random.Random, today: dt.date) -> list[BatchPlan]:
    batches: list[BatchPlan] = []
    for p_index, spec in enumerate(c.PRODUCERS, start=1):
        registrars = (spec.manager, *spec.members)
        plot_numbers: dict[str, int] = {}
        for crop in spec.crops:
            for n in range(crop.batches):
                days_ago, story = STORIES.get((spec.key, crop.product_en, n), (None, ""))
                if days_ago is None:
                    days_ago = rng.randint(3, WINDOW_DAYS)
                harvest = today - dt.timedelta(days=days_ago)
                plot_numbers[crop.plot] = plot_numbers.get(crop.plot, 0) + 1
                low, high = crop.kg
                batch = BatchPlan(
                    key=f"demo-{p_index:02d}-{len(batches) + 1:03d}",
                    producer_key=spec.key,
                    product_en=crop.product_en,
                    variety=crop.variety,
                    plot=f"{spec.village}{crop.plot}{plot_numbers[crop.plot]}号",
                    harvest_date=harvest,
                    quantity_kg=rng.randint(low // 50, high // 50) * 50,
                    grade=rng.choice(c.GRADES),
                    notes=c.SAMPLE_NOTE,
                    registered_by=rng.choice(registrars),
                    story=story,
                    inputs=_inputs(rng, crop.product_en, harvest, story),
                    tests=_tests(rng, spec, harvest, story),
                )
                batch.status = _status(rng, story, days_ago)
                if story == "too_early":
                    # The demo farmer registered it, so their own list shows the flag.
                    batch.registered_by = c.FARMER
                    batch.notes = f"{c.SAMPLE_NOTE}：施用阿维菌素后第3天采收，安全间隔期7天未满"
                batches.append(batch)
    return batches


def _status(rng: random.Random, story: str, days_ago: int) -> str:
    draw = rng.random()
    if story == "too_early":
        return "registered"
    if story == "failed_test":
        return "held"
    if story:
        return "listed"
    if days_ago >= SOLD_OUT_AFTER_DAYS:
        return "sold_out"
    return "registered" if draw < 0.15 else "listed"


def _certifications(today: dt.date) -> list[CertPlan]:
    days = dt.timedelta
    note = c.SAMPLE_NOTE + "，证书编号为虚构"
    return [
        CertPlan("taihe-lvxiang", CertificationKind.GEO_INDICATION, c.TOON, "示例AGI-000123",
                 "农业农村部", today - days(800), today + days(1025),
                 note + "（太和香椿地理标志）"),
        CertPlan("yingzhou-lvyuan", CertificationKind.GREEN_FOOD, c.SPINACH, "LB-示例-24110056",
                 "中国绿色食品发展中心", today - days(200), today + days(895), note),
        CertPlan("yingshang-hexiang", CertificationKind.GREEN_FOOD, c.LOTUS, "LB-示例-21080412",
                 "中国绿色食品发展中心", today - days(3 * 365 + 40), today - days(40),
                 note + "；已过期，待续展"),
    ]


def _local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=CHINA)


def _readings(rng: random.Random, start: dt.datetime, end: dt.datetime, excursion: bool):
    """A reading every 10 min at ~2-4 °C; an excursion is a door left open at a rest stop."""
    readings = []
    at, i = start, 0
    spike = (Decimal("4.8"), Decimal("6.6"), Decimal("5.9"), Decimal("4.4"))
    while at <= end:
        value = Decimal(str(round(rng.uniform(2.2, 3.6), 1)))
        if i < 2:
            value = (Decimal("3.9"), Decimal("3.5"))[i]  # still pulling down after loading
        if excursion and 30 <= i < 30 + len(spike):
            value = spike[i - 30]
        readings.append((at.astimezone(dt.UTC), value))
        at += READING_INTERVAL
        i += 1
    return readings


def _shipments(rng: random.Random, today: dt.date, now: dt.datetime, batches) -> list:
    by_story: dict[str, list[BatchPlan]] = {}
    for batch in batches:
        by_story.setdefault(batch.story, []).append(batch)
    local_now = now.astimezone(CHINA).replace(second=0, microsecond=0)
    local_now -= dt.timedelta(minutes=local_now.minute % 10)
    times = {
        "S1": (_local(today - dt.timedelta(days=5), 20), dt.timedelta(hours=9, minutes=30)),
        "S2": (_local(today - dt.timedelta(days=3), 21), dt.timedelta(hours=5, minutes=30)),
        "S3": (local_now - dt.timedelta(hours=3), dt.timedelta(hours=9)),
        "S4": (_local(today + dt.timedelta(days=1), 20), dt.timedelta(hours=9, minutes=30)),
    }
    plans = []
    for key, (shipper, plate, origin, destination, status) in ROUTES.items():
        departure, duration = times[key]
        plan = ShipmentPlan(key, shipper, plate, origin, destination, status,
                            departure.astimezone(dt.UTC), (departure + duration).astimezone(dt.UTC))
        for batch in by_story[key]:
            share = rng.uniform(0.6, 0.9)
            plan.lines.append((batch.key, int(batch.quantity_g * share) // 500 * 500))
        if status != ShipmentStatus.PLANNED:
            plan.actual_departure = plan.planned_departure + dt.timedelta(minutes=10)
            end = local_now
            if status == ShipmentStatus.DELIVERED:
                plan.actual_arrival = plan.planned_arrival - dt.timedelta(minutes=20)
                end = plan.actual_arrival
            plan.readings = _readings(rng, plan.actual_departure, end, excursion=key == "S1")
        plans.append(plan)
    return plans



def build_plan(today: dt.date, now: dt.datetime) -> DemoPlan:
    """Everything the demo holds, dated relative to `today` (Asia/Shanghai) and `now` (UTC)."""
    rng = random.Random(SEED)
    offsets = {
        spec.key: (Decimal(str(round(rng.uniform(-0.06, 0.06), 4))),
                   Decimal(str(round(rng.uniform(-0.06, 0.06), 4))))
        for spec in c.PRODUCERS
    }
    batches = _batches(rng, today)
    return DemoPlan(batches, _certifications(today), _shipments(rng, today, now, batches), offsets)

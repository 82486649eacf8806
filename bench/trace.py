"""Forward and backward lot trace, and the FSMA spreadsheet of a lot, on a large PostgreSQL set.

    .venv/bin/python bench/trace.py [--lots 200000] [--events 1000000] [--samples 500]
        [--seed 2026] [--database-url postgresql+psycopg://postgres@127.0.0.1/freshcircle_bench_trace]

1. Drops and creates the database, migrates it to head (Flask-Migrate inside `create_app`),
   loads the reference data (products, places) and a few users (an inspector is the trace
   actor), a bench cold-chain hub and three buyer sites.
2. Generates, deterministically for --seed, --lots batches across --producers producers (three
   products each, a GTIN per producer product from the app's GTIN scheme) with a genealogy:
   most lots harvested (an ADD ObjectEvent with ILMD); some split into 2-4 new lots, merges of
   2-3 lots of one producer product, repacks (one TransformationEvent each, as
   `batches.services.transformations` records them, chained to the first output); the lots left
   whole go on shipments (`shipments`, `shipment_lines`; loading, shipping and receiving events
   with source and destination, and storing at the hub, as `ledger.services.epcis_events`
   records them; and the carrier's cold-chain logger report of each lot's trip, captured from
   its system: a sensor_reporting ObjectEvent naming the pallet's SSCC, with a Temperature
   min/max/mean in CEL, about 3% above 8 °C with ALARM_CONDITION); then label runs
   (commissioning) and residue tests (inspecting) up to exactly --events events, a few lots
   getting many. Bodies are the platform's own JSON: one event of each kind is built with
   `freshcircle.traceability.epcis` and turned into a template, and every template is checked
   against the library's output and the EPCIS schema. Event ids are sha256 of a counter in the
   `ni:///sha-256;...` form, NOT EPCIS event hashes (hashing a million events is not what is
   measured); the chain links are the real
   `event_chain.link_hash` over each lot's events in time order, with `epcis_chain_heads`.
   `epcis_event_lots` and `lot_links` rows are what `store_event` writes (checked on a sample
   with the real `lot_roles`, `chain_key` and `records_from_events`), and so are the query
   index's columns, `epcis_event_terms` and `epcis_sensor_values` (the real `event_columns`,
   `event_terms` and `sensor_values` on every body). Loaded with COPY over five connections
   (foreign key triggers off while loading: session_replication_role = replica, then every
   foreign key checked with one query each), plain indexes dropped first and rebuilt from
   their own definitions, then ANALYZE. A split lot and a merged lot are
   traced with the real `trace_lot` and compared with the genealogy the generator made.
3. --samples random lots, half among lots with genealogy and half from all lots: forward and
   backward `trace_lot` (the real service, a real session in an app context, one transaction
   each, the batch loaded before the clock starts); p50 and p95 per direction, `trace_p95_ms`
   over both. Then the spreadsheet of the 20 lots with the most events (and a merged lot):
   records -> `fsma.kde_rows` -> `trace_export.write_xlsx` into memory.
   Records come from `trace.services.trace_records.lot_records` when that module exists, else the
   lot's bodies through `epcis_event_lots` (output says which: `spreadsheet_records`).
4. If a trace goal is missed, prints EXPLAIN (ANALYZE, BUFFERS) of the recursive query of
   `reachable_edges` for the slowest lot of each direction, and how the time splits.
5. The EPCIS 2.0 query mix (`epcis_query_mix`, --epcis-samples of each kind) through the real
   `parse_query` and `query_events` as the inspector: `epcis_p95_ms` over all of them; every
   answer is checked against the stored bodies (`epcis_answers_right`, a check).

Goals: trace p95 under 100 ms, EPCIS query p95 at most 100 ms, the spreadsheet of a lot under
2 s. Prints as it goes; the last
line is one JSON object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import json
import os
import random
import statistics
import sys
import time
from collections import Counter, deque
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import func, select, text

from freshcircle.traceability.epcis import (
    ADD,
    OBSERVE,
    BizTransaction,
    EpcisConfig,
    Location,
    LotMasterData,
    ObjectEvent,
    Party,
    Quantity,
    SensorElement,
    TemperatureReport,
    TransformationEvent,
    event_payload,
)
from freshcircle.traceability.epcis_validation import validate_document
from freshcircle.traceability.event_chain import GENESIS, link_hash
from freshcircle.traceability.genealogy import LotEdge, records_from_events
from freshcircle.traceability.gs1_keys import GtinScheme, complete
from freshcircle.traceability.signing import encode_serial

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchkit import LOWER, Goal, finish, pct, recreate_database, say  # bench/: no package

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1/freshcircle_bench_trace"
TRACE_GOAL_MS = 100.0
SPREADSHEET_GOAL_S = 2.0
EPCIS_GOAL_MS = 100.0  # p95 of the standard query mix (issue 17)
GOALS = (
    Goal("trace_p95_ms", "<", TRACE_GOAL_MS),
    Goal("epcis_p95_ms", "<=", EPCIS_GOAL_MS),
    Goal("spreadsheet_s", "<", SPREADSHEET_GOAL_S),
    # every answer of the EPCIS mix holds what its query asked for (checked on the bodies)
    Goal("epcis_answers_right", "==", True, check=True),
)
WATCH = {"forward_p95_ms": LOWER, "backward_p95_ms": LOWER, "trace_p50_ms": LOWER,
         "seed_s": LOWER}
COUNTIES = [("341202", "颍州区"), ("341203", "颍东区"), ("341204", "颍泉区"),
            ("341221", "临泉县"), ("341222", "太和县"), ("341225", "阜南县"),
            ("341226", "颍上县"), ("341282", "界首市")]
CHINA = dt.timezone(dt.timedelta(hours=8))
BASE_TIME = dt.datetime(2026, 1, 5, 7, 0, tzinfo=CHINA)
SPAN_S = 300 * 86400
SIGNING_KEYS = "b1=YmVuY2gtc2lnbmluZy1rZXktMzItYnl0ZXMtbG9uZyEh"
CONTEXT_KEYS = ("@context",)
# Sentinels the library writes into the template events (unreserved characters only, so
# percent-encoding leaves them alone; numbers unquoted).
S_TIME = "2001-02-03T04:05:06.789+08:00"
S_DATE = "2002-03-04"
SENSOR_WINDOW = dt.timedelta(hours=7, minutes=30)  # a logger's report: departure to this
EXCURSION_C = 8  # a chilled load above this is an excursion (the report's ALARM_CONDITION)
COMPANY_PREFIX = "952000"
VARIETY = "常规"


def plain_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


# --------------------------------------------------------------------------- templates


class Templates:
    """Event bodies as %-format strings, made from events the real library built."""

    def __init__(self, config: EpcisConfig) -> None:
        self.config = config
        self.context = config.context
        self.kinds: dict[str, tuple[str, str, str]] = {}  # kind -> (template, type, step)
        sentinel = {"gtin": "ZZGTINZZZZZZZZ", "lot": "ZZLOTZZ", "producer": "ZZPRODZZ",
                    "farm": "ZZFARMZZ", "commodity": "ZZCOMMZZ", "variety": "ZZVARZZ",
                    "plot": "ZZPLOTZZ", "county": "ZZCNTYZZ", "kg": 987654321,
                    "packs": 987654322, "place": "ZZPLACEZZ", "from": "ZZFROMZZ",
                    "to": "ZZTOZZ", "doc": "ZZDOCZZ", "first": "ZZFIRSTZZ", "last": "ZZLASTZZ",
                    "packkg": 987654323, "eid": "ZZEIDZZ", "disp": "conformant",
                    "sscc": "ZZSSCCZZ", "tmin": 987654324, "tmax": 987654325,
                    "tmean": 987654326}
        self.sentinel = sentinel
        start = json.dumps(event_payload(ObjectEvent(
            event_time=dt.datetime.fromisoformat(S_TIME) - SENSOR_WINDOW), config)["eventTime"])
        for kind in ("harvest", "loading", "shipping", "receiving", "storing", "commissioning",
                     "inspecting", "sensor", "sensor_alarm"):
            body = self.body(self.build(kind, sentinel), sentinel["eid"])
            raw = json.dumps(body, ensure_ascii=False, sort_keys=True).replace("%", "%%")
            raw = raw.replace(start, '"%(start)s"')
            raw = raw.replace(S_TIME, "%(time)s").replace(S_DATE, "%(date)s")
            for key, value in sentinel.items():
                if key == "disp":
                    continue
                raw = raw.replace(str(value), f"%({key})s")
            self.kinds[kind] = (raw, body["type"], body.get("bizStep"))

    def build(self, kind: str, v: dict[str, Any], moment: dt.datetime | None = None,
              harvest: dt.date | None = None) -> dict[str, Any]:
        """One event of `kind` as the platform's services build it (event_payload)."""
        c = self.config
        moment = moment or dt.datetime.fromisoformat(S_TIME)
        harvest = harvest or dt.date.fromisoformat(S_DATE)
        producer = Location(uri=c.local_id("producer", str(v["producer"])))
        if kind == "harvest":
            event = ObjectEvent(
                event_time=moment, action=ADD, biz_step="harvesting", disposition="active",
                quantities=(Quantity(v["gtin"], v["lot"], Decimal(v["kg"])),),
                biz_location=producer,
                ilmd=LotMasterData(harvest_date=harvest, commodity=v["commodity"],
                                   variety=v["variety"], farm=v["farm"], plot=v["plot"],
                                   county_code=v["county"]))
            return event_payload(event, c)
        if kind in ("loading", "shipping", "receiving"):
            step = {"loading": ("loading", "in_progress"), "shipping": ("shipping", "in_transit"),
                    "receiving": ("receiving", "in_progress")}[kind]
            here = v["to"] if kind == "receiving" else v["from"]
            event = ObjectEvent(
                event_time=moment, action=OBSERVE, biz_step=step[0], disposition=step[1],
                quantities=(Quantity(v["gtin"], v["lot"], Decimal(v["kg"])),),
                read_point=Location(uri=c.local_id("place", str(here))),
                biz_transactions=(BizTransaction(c.local_id("shipment", str(v["doc"])), "bol"),),
                sources=(Party(c.local_id("place", str(v["from"])), "location"),),
                destinations=(Party(c.local_id("place", str(v["to"])), "location"),))
            return event_payload(event, c)
        if kind == "storing":
            here = Location(uri=c.local_id("place", str(v["place"])))
            event = ObjectEvent(
                event_time=moment, action=OBSERVE, biz_step="storing",
                disposition="sellable_not_accessible",
                quantities=(Quantity(v["gtin"], v["lot"], Decimal(v["kg"])),),
                read_point=here, biz_location=here,
                biz_transactions=(BizTransaction(c.local_id("shipment", str(v["doc"])), "bol"),))
            return event_payload(event, c)
        if kind == "commissioning":
            event = ObjectEvent(
                event_time=moment, action=ADD, biz_step="commissioning", disposition="active",
                quantities=(Quantity(v["gtin"], v["lot"], v["packs"], uom=None),
                            Quantity(v["gtin"], v["lot"], Decimal(v["kg"]))),
                read_point=producer, biz_location=producer,
                biz_transactions=(BizTransaction(c.local_id("label-run", str(v["doc"])),
                                                 "prodorder"),))
            return event_payload(event, c, extensions={
                "firstSerial": v["first"], "lastSerial": v["last"],
                "packNetWeightKg": v["packkg"]})
        if kind == "inspecting":
            event = ObjectEvent(
                event_time=moment, action=OBSERVE, biz_step="inspecting", disposition=v["disp"],
                quantities=(Quantity(v["gtin"], v["lot"], Decimal(v["kg"])),),
                read_point=producer,
                biz_transactions=(BizTransaction(c.local_id("test", str(v["doc"])), "testres"),))
            return event_payload(event, c, extensions={"testMethod": "rapid"})
        if kind in ("sensor", "sensor_alarm"):
            # the carrier's cold-chain logger on the lot's pallet (its SSCC) while in transit
            report = TemperatureReport(min_value=v["tmin"], max_value=v["tmax"],
                                       mean_value=v["tmean"], alarm=kind == "sensor_alarm")
            event = ObjectEvent(
                event_time=moment, action=OBSERVE, biz_step="sensor_reporting",
                disposition="in_transit", epcs=(f"https://{c.domain}/00/{v['sscc']}",),
                quantities=(Quantity(v["gtin"], v["lot"], Decimal(v["kg"])),),
                biz_transactions=(BizTransaction(c.local_id("shipment", str(v["doc"])), "bol"),),
                sensor_elements=(SensorElement(
                    reports=(report,), device_id=c.local_id("logger", str(v["doc"])),
                    start_time=moment - SENSOR_WINDOW, end_time=moment),))
            return event_payload(event, c)
        raise ValueError(kind)

    def body(self, event: dict[str, Any], event_id: str) -> dict[str, Any]:
        """What store_event keeps: the document @context, the event, eventID = its id."""
        return {"@context": self.context, **event, "eventID": event_id}

    def render(self, kind: str, values: dict[str, Any]) -> str:
        return self.kinds[kind][0] % values

    def transformation(self, moment: dt.datetime, inputs: list[tuple[str, str, int]],
                       outputs: list[tuple[str, str, int]], v: dict[str, Any],
                       harvest: dt.date, event_id: str) -> str:
        """As batches.services.transformations._record builds it (few of these: json.dumps each)."""
        c = self.config
        event = TransformationEvent(
            event_time=moment, biz_step="repackaging", disposition="active",
            inputs=tuple(Quantity(g, lot, Decimal(kg)) for g, lot, kg in inputs),
            outputs=tuple(Quantity(g, lot, Decimal(kg)) for g, lot, kg in outputs),
            biz_location=Location(uri=c.local_id("producer", str(v["producer"]))),
            ilmd=LotMasterData(harvest_date=harvest, commodity=v["commodity"],
                               variety=v["variety"], farm=v["farm"], plot=v["plot"],
                               county_code=v["county"]))
        return json.dumps(self.body(event_payload(event, c), event_id), ensure_ascii=False,
                          sort_keys=True)


def sscc_of(lot: int) -> str:
    """The SSCC of the pallet a shipped lot travels on (one per lot: a lot ships once)."""
    return complete(f"0{COMPANY_PREFIX}{lot + 1:010d}")


def temperatures(rng: random.Random) -> tuple[Decimal, Decimal, Decimal]:
    """A chilled trip's logger summary (min, max, mean °C): about 3% above EXCURSION_C, 1% below
    freezing."""
    mean = rng.gauss(3.0, 0.8)
    low, high = mean - rng.uniform(0.3, 1.5), mean + rng.uniform(0.3, 2.0)
    if rng.random() < 0.03:
        high = rng.uniform(EXCURSION_C + 0.5, 15.0)
    elif rng.random() < 0.01:
        low = rng.uniform(-3.0, -0.5)
    return tuple(Decimal(f"{x:.1f}") for x in (low, high, mean))


def check_templates(templates: Templates) -> None:
    """Every template renders exactly what the library builds, and is valid EPCIS 2.0."""
    values = {"gtin": "09520000010101", "lot": "FY341222-260301-001", "producer": "17",
              "farm": "太和县基准果蔬专业合作社0017", "commodity": "香椿", "variety": "红油",
              "plot": "东地3号", "county": "341222", "kg": 125, "packs": 250,
              "place": "5", "from": "6", "to": "44", "doc": "9001", "first": encode_serial(0),
              "last": encode_serial(249), "packkg": Decimal("0.5"), "eid": "ni:///x",
              "disp": "conformant", "sscc": sscc_of(16), "tmin": Decimal("-0.5"),
              "tmax": Decimal("9.5"), "tmean": Decimal("3")}
    moment = dt.datetime(2026, 3, 1, 9, 30, 0, 123000, tzinfo=CHINA)
    events = []
    for kind in templates.kinds:
        real = templates.body(templates.build(kind, values, moment, dt.date(2026, 3, 1)),
                              values["eid"])
        rendered = json.loads(templates.render(kind, {
            **values, "time": "2026-03-01T09:30:00.123+08:00", "date": "2026-03-01",
            "packkg": "0.5", "start": "2026-03-01T02:00:00.123+08:00", "tmin": "-0.5",
            "tmax": "9.5", "tmean": "3"}))
        if rendered != real:
            raise SystemExit(f"template {kind} differs from the library's event:\n"
                             f"{rendered}\n{real}")
        events.append({k: v for k, v in real.items() if k not in CONTEXT_KEYS})
    document = {"@context": templates.context, "type": "EPCISDocument", "schemaVersion": "2.0",
                "creationDate": "2026-03-01T09:30:00.000+08:00",
                "epcisBody": {"eventList": events}}
    report = validate_document(document)
    if not report.ok:
        raise SystemExit(f"template events are not valid EPCIS: {report.document_errors} "
                         f"{report.event_errors}")


# --------------------------------------------------------------------------- genealogy


class World:
    """The generated lots and their genealogy, in memory (index i is batch id i + 1)."""

    def __init__(self, args, producers: int, products: list[int], scheme: GtinScheme) -> None:
        rng = random.Random(args.seed)
        self.rng = rng
        self.producers = producers
        # Trade items: three products per producer.
        self.ti_producer: list[int] = []
        self.ti_product: list[int] = []
        self.ti_gtin: list[str] = []
        for producer in range(1, producers + 1):
            for product in rng.sample(products, 3):
                self.ti_producer.append(producer)
                self.ti_product.append(product)
                self.ti_gtin.append(scheme.gtin_for(producer, product).zfill(14))
        self.county = [COUNTIES[rng.randrange(len(COUNTIES))] for _ in range(producers + 1)]
        n = args.lots
        self.n = n
        self.ti: list[int] = []
        self.t: list[float] = []  # seconds after BASE_TIME
        self.kg: list[int] = []
        self.harvest_day: list[int] = []  # days after BASE_TIME's date
        self.plot: list[str] = []
        self.made_by: list[int] = []  # transformation index, -1 harvested
        self.consumed_by: list[int] = []
        self.shipment_of: dict[int, int] = {}  # lot shipped whole -> shipment id (its line)
        self.transformations: list[tuple[list[int], list[int], str]] = []  # inputs, outputs, how
        step = SPAN_S / n
        alive = bytearray(n)
        ti_alive: dict[int, list[int]] = {}
        window = 3000

        def new_lot(ti: int, kg: int, day: int, plot: str, made_by: int) -> int:
            i = len(self.ti)
            self.ti.append(ti)
            self.t.append(i * step + rng.random() * step * 0.5)
            self.kg.append(kg)
            self.harvest_day.append(day)
            self.plot.append(plot)
            self.made_by.append(made_by)
            self.consumed_by.append(-1)
            alive[i] = 1
            ti_alive.setdefault(ti, []).append(i)
            return i

        def recent_alive() -> int | None:
            size = len(self.ti)
            for _ in range(6):
                j = rng.randrange(max(0, size - window), size) if size else 0
                if size and alive[j]:
                    return j
            return None

        def consume(j: int, by: int) -> None:
            alive[j] = 0
            self.consumed_by[j] = by

        while len(self.ti) < n:
            left = n - len(self.ti)
            r = rng.random()
            src = recent_alive() if r < 0.20 else None
            if src is not None and r < 0.12 and left >= 2:  # split
                parts = min(rng.randint(2, 4), left)
                kgs = [max(1, self.kg[src] // parts)] * parts
                kgs[-1] = max(1, self.kg[src] - sum(kgs[:-1]))
                index = len(self.transformations)
                outs = [new_lot(self.ti[src], k, self.harvest_day[src], self.plot[src], index)
                        for k in kgs]
                consume(src, index)
                self.transformations.append(([src], outs, "split"))
            elif src is not None and r < 0.18:  # merge: 2-3 lots of one producer product
                same = [j for j in ti_alive.get(self.ti[src], []) if alive[j]]
                ti_alive[self.ti[src]] = same
                if len(same) < 2:
                    src = None
                else:
                    ins = same[-rng.randint(2, 3):]
                    index = len(self.transformations)
                    plots = sorted({self.plot[j] for j in ins})
                    out = new_lot(self.ti[src], sum(self.kg[j] for j in ins),
                                  min(self.harvest_day[j] for j in ins),
                                  plots[0] if len(plots) == 1 else "、".join(plots)[:64], index)
                    for j in ins:
                        consume(j, index)
                    self.transformations.append((ins, [out], "merge"))
            elif src is not None:  # repack
                index = len(self.transformations)
                out = new_lot(self.ti[src], self.kg[src], self.harvest_day[src], self.plot[src],
                              index)
                consume(src, index)
                self.transformations.append(([src], [out], "repack"))
            if src is None:  # harvest
                ti = rng.randrange(len(self.ti_gtin))
                i = len(self.ti)
                day = int((i * step) // 86400)
                new_lot(ti, rng.randint(20, 2000), day, f"地块{rng.randint(1, 40)}号", -1)
        # Lot codes as batches.services.batches.next_lot_code makes them: county, harvest date,
        # sequence per producer (so two producers of one county share codes; the GTIN tells
        # them apart).
        seq: Counter = Counter()
        self.lot: list[str] = []
        base_date = BASE_TIME.date()
        for i in range(n):
            producer = self.ti_producer[self.ti[i]]
            day = base_date + dt.timedelta(days=self.harvest_day[i])
            prefix = f"FY{self.county[producer][0]}-{day:%y%m%d}-"
            seq[(producer, prefix)] += 1
            self.lot.append(f"{prefix}{seq[(producer, prefix)]:03d}")
        self.gtin = [self.ti_gtin[ti] for ti in self.ti]

    def node(self, i: int) -> str:
        return f"01/{self.gtin[i]}/10/{self.lot[i]}"

    def descendants(self, i: int) -> set[int]:
        found, queue = set(), deque([i])
        while queue:
            j = queue.popleft()
            by = self.consumed_by[j]
            if by >= 0:
                for o in self.transformations[by][1]:
                    if o not in found:
                        found.add(o)
                        queue.append(o)
        return found

    def ancestors(self, i: int) -> set[int]:
        found, queue = set(), deque([i])
        while queue:
            j = queue.popleft()
            by = self.made_by[j]
            if by >= 0:
                for s in self.transformations[by][0]:
                    if s not in found:
                        found.add(s)
                        queue.append(s)
        return found


# --------------------------------------------------------------------------- database


def make_app(url: str):
    os.environ["DATABASE_URL"] = url
    from freshcircle.platform import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-trace",
                       "SIGNING_KEYS": SIGNING_KEYS})


def seed_fixed(app) -> dict[str, Any]:
    """Migrate, reference data, users, the hub and buyer sites (through the ORM: a few rows)."""
    from flask_migrate import upgrade
    from werkzeug.security import generate_password_hash

    from freshcircle.platform.core.services import reference_data
    from freshcircle.platform.extensions import db
    from freshcircle.platform.models import Place, PlaceKind, Product, Role, User

    with app.app_context():
        upgrade()
        session = db.session
        reference_data.load_products(session)
        reference_data.load_places(session)
        password = generate_password_hash("bench-trace")
        users = {}
        for phone, name, role in (("13900000105", "基准检查员", Role.INSPECTOR),
                                  ("13900000106", "基准管理员", Role.ADMIN),
                                  ("13900000101", "基准农户", Role.FARMER),
                                  ("13900000104", "基准承运人", Role.CARRIER)):
            user = User(phone=phone, name=name, password_hash=password, role=role)
            session.add(user)
            users[role.value] = user
        session.flush()
        hub = Place(name_zh="阜阳冷链物流中心（基准）", name_en="Fuyang cold-chain hub (bench)",
                    kind=PlaceKind.HUB, latitude=Decimal("32.89"), longitude=Decimal("115.81"))
        session.add(hub)
        sites = []
        buyer_sites = (("上海基准超市配送中心", "Shanghai DC", "31.2", "121.4"),
                       ("杭州基准生鲜门店", "Hangzhou store", "30.3", "120.2"),
                       ("南京基准餐饮中央厨房", "Nanjing kitchen", "32.0", "118.8"))
        for k, (zh, en, lat, lon) in enumerate(buyer_sites):
            buyer = User(phone=f"1390000011{k}", name=f"基准采购商{k + 1}",
                         password_hash=password, role=Role.BUYER)
            session.add(buyer)
            session.flush()
            site = Place(name_zh=zh, name_en=f"{en} (bench)", kind=PlaceKind.BUYER_SITE,
                         latitude=Decimal(lat), longitude=Decimal(lon), buyer_id=buyer.id)
            session.add(site)
            sites.append(site)
        session.flush()
        products = {p.id: (p.name_zh, p.name_en) for p in session.scalars(select(Product))}
        places = {p.name_zh: p.id for p in session.scalars(select(Place))}
        markets = [p.id for p in session.scalars(
            select(Place).where(Place.kind == PlaceKind.WHOLESALE_MARKET))]
        fixed = {"users": {k: u.id for k, u in users.items()}, "hub": hub.id,
                 "sites": [s.id for s in sites], "markets": markets, "products": products,
                 "county_place": {code: places[name] for code, name in COUNTIES}}
        session.commit()
        db.session.remove()
    return fixed


def tsv(values) -> str:
    return "\t".join("\\N" if v is None else str(v) for v in values) + "\n"


def ts(seconds: float) -> str:
    moment = BASE_TIME + dt.timedelta(seconds=seconds)
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f+00")


def epcis_time(seconds: float) -> str:
    moment = BASE_TIME + dt.timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+08:00"


class Loader:
    """Five COPY streams (events, event lots, lot links, the query index's terms and sensor
    values) on their own connections."""

    def __init__(self, url: str) -> None:
        self.conns = [psycopg.connect(plain_url(url)) for _ in range(5)]
        for conn in self.conns:
            conn.execute("SET session_replication_role = replica")
            conn.execute("SET synchronous_commit = off")
        self.copies = []
        self.buffers = [[], [], [], [], []]
        self.sizes = [0, 0, 0, 0, 0]
        self.rows = [0, 0, 0, 0, 0]
        stmts = ("COPY epcis_events (id, event_id, event_hash, event_type, event_time, biz_step, "
                 "gtin, lot_code, batch_id, body, previous_link, link, recorded_by_id, "
                 "recorded_at, action, disposition, read_point, biz_location) FROM STDIN",
                 "COPY epcis_event_lots (event_record_id, gtin, lot_code, role, batch_id) "
                 "FROM STDIN",
                 "COPY lot_links (id, source, target, kind, quantity_g, event_id, "
                 "source_batch_id, target_batch_id, created_at) FROM STDIN",
                 "COPY epcis_event_terms (event_record_id, kind, type, value) FROM STDIN",
                 "COPY epcis_sensor_values (event_record_id, report, field, type, uom, number)"
                 " FROM STDIN")
        self._cms = [conn.cursor().copy(stmt) for conn, stmt in zip(self.conns, stmts,
                                                                     strict=True)]
        self.copies = [cm.__enter__() for cm in self._cms]

    def add(self, stream: int, line: str) -> None:
        self.buffers[stream].append(line)
        self.sizes[stream] += len(line)
        self.rows[stream] += 1
        if self.sizes[stream] > 4_000_000:
            self.flush(stream)

    def flush(self, stream: int) -> None:
        if self.buffers[stream]:
            self.copies[stream].write("".join(self.buffers[stream]).encode())
            self.buffers[stream], self.sizes[stream] = [], 0

    def close(self) -> None:
        for stream in range(5):
            self.flush(stream)
        for cm in self._cms:
            cm.__exit__(None, None, None)
        for conn in self.conns:
            conn.commit()
            conn.close()


def plain_indexes(conn, table: str) -> list[tuple[str, str]]:
    return conn.execute(
        "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x"
        " JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = %s::regclass"
        " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)",
        (table,)).fetchall()


def generate_and_load(args, url: str, fixed: dict[str, Any]) -> tuple[World, dict[str, Any]]:
    started = time.perf_counter()
    config = EpcisConfig(domain="id.freshcircle.example")
    templates = Templates(config)
    check_templates(templates)
    say(f"templates: {len(templates.kinds)} event kinds built with freshcircle.traceability.epcis,"
        " rendered bodies "
        "equal the library's and pass the EPCIS 2.0 schema")
    scheme = GtinScheme(company_prefix="952000", product_digits=2)
    products = sorted(fixed["products"])
    producers = args.producers or max(3, min(2000, args.lots // 100))
    world = World(args, producers, products, scheme)
    rng = world.rng
    kinds = Counter(how for _, _, how in world.transformations)
    say(f"genealogy: {world.n:,} lots, {producers:,} producers, {len(world.ti_gtin):,} trade "
        f"items; {sum(1 for m in world.made_by if m < 0):,} harvested, {kinds['split']:,} "
        f"splits, {kinds['merge']:,} merges, {kinds['repack']:,} repacks "
        f"({time.perf_counter() - started:.1f} s)")
    n = world.n
    users = fixed["users"]
    recorder = users["admin"]
    now = ts(SPAN_S + 86400 * 20)

    # ---- plan: shipments for lots kept whole, then label runs and tests to the event total
    leaves = [i for i in range(n) if world.consumed_by[i] < 0]
    base_events = sum(1 for m in world.made_by if m < 0) + len(world.transformations)
    budget = args.events - base_events
    if budget < 0:
        raise SystemExit(f"--events {args.events} is fewer than the {base_events} harvest and "
                         f"transformation events of --lots {n}; give more events")
    ship_share = min(1.0, budget * 0.7 / (max(1, len(leaves)) * 4.25))
    shipped = [i for i in leaves if rng.random() < ship_share]
    shipments = []  # (id, lots, from, to, depart seconds)
    k = 0
    while k < len(shipped):
        size = rng.randint(5, 30)
        lots = shipped[k:k + size]
        k += size
        first = lots[0]
        frm = fixed["county_place"][world.county[world.ti_producer[world.ti[first]]][0]]
        r = rng.random()
        to = (fixed["hub"] if r < 0.2 else rng.choice(fixed["sites"]) if r < 0.55
              else rng.choice(fixed["markets"]))
        depart = max(world.t[j] for j in lots) + 86400 * rng.uniform(0.5, 3)
        shipments.append((len(shipments) + 1, lots, frm, to, depart))
    ship_events = sum(len(s[1]) * (5 if s[3] == fixed["hub"] else 4) for s in shipments)
    singles = budget - ship_events
    if singles < 0:
        raise SystemExit("the shipment plan exceeds the event budget")
    extra: list[list[tuple[float, str, int]]] = [[] for _ in range(n)]
    hot = rng.sample(range(n), max(1, n // 200))
    label_run, test_id = 0, 0
    for _ in range(singles):
        i = rng.choice(hot) if rng.random() < 0.15 else rng.randrange(n)
        end = (world.t[world.transformations[world.consumed_by[i]][1][0]] - 1
               if world.consumed_by[i] >= 0 else world.t[i] + 86400 * 10)
        moment = rng.uniform(world.t[i] + 60, max(world.t[i] + 61, end))
        if rng.random() < 0.55:
            label_run += 1
            extra[i].append((moment, "commissioning", label_run))
        else:
            test_id += 1
            extra[i].append((moment, "inspecting", test_id))
    line_of: dict[int, tuple[int, int, int, float]] = {}  # lot -> shipment id, from, to, depart
    trip: dict[int, tuple[Decimal, Decimal, Decimal]] = {}  # lot -> logger min, max, mean °C
    trip_rng = random.Random(args.seed + 3)
    for sid, lots, frm, to, depart in shipments:
        for j in lots:
            line_of[j] = (sid, frm, to, depart)
            world.shipment_of[j] = sid
            extra[j].append((depart - 7200, "loading", sid))
            extra[j].append((depart, "shipping", sid))
            trip[j] = temperatures(trip_rng)
            extra[j].append((depart + SENSOR_WINDOW.total_seconds(),
                             "sensor_alarm" if trip[j][1] > EXCURSION_C else "sensor", sid))
            extra[j].append((depart + 8 * 3600, "receiving", sid))
            if to == fixed["hub"]:
                extra[j].append((depart + 8 * 3600 + 600, "storing", sid))
    say(f"plan: {len(shipments):,} shipments carrying {len(shipped):,} lots "
        f"({ship_events:,} events), {label_run:,} label runs, {test_id:,} residue tests, "
        f"{len(hot):,} lots take 15% of those; {args.events:,} events in all")

    # ---- small tables through COPY on one connection
    with psycopg.connect(plain_url(url)) as conn:
        conn.execute("SET synchronous_commit = off")
        dropped = []
        for table in ("batches", "epcis_events", "epcis_event_lots", "lot_links",
                      "epcis_event_terms", "epcis_sensor_values"):
            for name, definition in plain_indexes(conn, table):
                conn.execute(f'DROP INDEX "{name}"')
                dropped.append(definition)
        with conn.cursor().copy("COPY producers (id, kind, name, county_code, county_name, "
                                "is_sample, created_at) FROM STDIN") as copy:
            for p in range(1, producers + 1):
                code, county = world.county[p]
                kind = "cooperative" if p % 3 else "family_farm"
                name = f"{county}基准果蔬{'专业合作社' if p % 3 else '家庭农场'}{p:04d}"
                copy.write(tsv((p, kind, name, code, county, "f", now)))
        with conn.cursor().copy("COPY trade_items (id, producer_id, product_id, gtin, created_at)"
                                " FROM STDIN") as copy:
            for t, gtin in enumerate(world.ti_gtin):
                copy.write(tsv((t + 1, world.ti_producer[t], world.ti_product[t], gtin, now)))
        plot_ids: dict[tuple[int, str], int] = {}  # (producer, name) -> plot id, exact names merge
        for i in range(n):
            key = (world.ti_producer[world.ti[i]], world.plot[i][:64])
            plot_ids.setdefault(key, len(plot_ids) + 1)
        with conn.cursor().copy("COPY plots (id, producer_id, name, created_at)"
                                " FROM STDIN") as copy:
            copy.write("".join(tsv((pid, producer, name, now))
                               for (producer, name), pid in plot_ids.items()))
        with conn.cursor().copy(
                "COPY batches (id, producer_id, product_id, lot_code, variety, plot_id,"
                " harvest_date, quantity_g, grade, notes, status, serials_issued, created_by_id,"
                " created_at, updated_at) FROM STDIN") as copy:
            buf = []
            base_date = BASE_TIME.date()
            for i in range(n):
                made = world.made_by[i]
                note = None
                if made >= 0:
                    ins, _, how = world.transformations[made]
                    note = ("合并自 " + ", ".join(world.lot[j] for j in ins) if how == "merge"
                            else f"拆分自 {world.lot[ins[0]]}")
                status = "sold_out" if world.consumed_by[i] >= 0 else "registered"
                ti = world.ti[i]
                buf.append(tsv((i + 1, world.ti_producer[ti], world.ti_product[ti], world.lot[i],
                                VARIETY, plot_ids[(world.ti_producer[ti], world.plot[i][:64])],
                                base_date + dt.timedelta(days=world.harvest_day[i]),
                                world.kg[i] * 1000, "一级", note, status, 0, users["farmer"],
                                ts(world.t[i]), ts(world.t[i]))))
                if len(buf) >= 20000:
                    copy.write("".join(buf))
                    buf = []
            copy.write("".join(buf))
        with conn.cursor().copy(
                "COPY shipments (id, from_place_id, to_place_id, carrier_id, vehicle_plate, mode,"
                " temp_class, set_point_c, planned_departure, planned_arrival, actual_departure,"
                " actual_arrival, status, created_by_id, created_at) FROM STDIN") as copy:
            for sid, _lots, frm, to, depart in shipments:
                copy.write(tsv((sid, frm, to, users["carrier"], f"皖K{sid % 100000:05d}",
                                "reefer_truck", "chilled", "2.0", ts(depart), ts(depart + 28800),
                                ts(depart), ts(depart + 28800), "delivered", users["carrier"],
                                ts(depart - 86400))))
        with conn.cursor().copy("COPY shipment_lines (id, shipment_id, batch_id, quantity_g)"
                                " FROM STDIN") as copy:
            line_id = 0
            for sid, lots, *_ in shipments:
                for j in lots:
                    line_id += 1
                    copy.write(tsv((line_id, sid, j + 1, world.kg[j] * 1000)))
        conn.commit()
    say(f"loaded producers, trade items, {n:,} batches, {len(shipments):,} shipments "
        f"({time.perf_counter() - started:.1f} s)")

    # ---- events, event lots, lot links: per lot, its chain in time order
    seed_tag = f"bench-trace:{args.seed}:"
    counter = 0
    link_id = 0
    heads: list[str] = []
    loader = Loader(url)
    t_kind = {kind: (typ, step) for kind, (_, typ, step) in templates.kinds.items()}
    from freshcircle.platform.ledger.services.epcis_store import short_biz_step
    from freshcircle.platform.ledger.services.epcis_terms import (
        event_columns,
        event_terms,
        sensor_values,
    )

    short = {kind: short_biz_step(step) for kind, (_, step) in t_kind.items()}
    short["transformation"] = "repackaging"
    samples: list[tuple[str, list[tuple], list[tuple]]] = []  # body, event lots, links
    sample_every = max(1, args.events // 400)
    place_uri = {p: config.local_id("place", str(p)) for p in
                 [fixed["hub"], *fixed["sites"], *fixed["markets"],
                  *fixed["county_place"].values()]}
    for i in range(n):
        ti = world.ti[i]
        producer = world.ti_producer[ti]
        gtin, lot = world.gtin[i], world.lot[i]
        product_zh = fixed["products"][world.ti_product[ti]][0]
        harvest = BASE_TIME.date() + dt.timedelta(days=world.harvest_day[i])
        common = {"gtin": gtin, "lot": lot, "producer": producer,
                  "farm": f"{world.county[producer][1]}基准果蔬"
                          f"{'专业合作社' if producer % 3 else '家庭农场'}{producer:04d}",
                  "commodity": product_zh, "variety": VARIETY, "plot": world.plot[i],
                  "county": world.county[producer][0], "kg": world.kg[i],
                  "date": harvest.isoformat()}
        chain: list[tuple[float, str, Any]] = []
        made = world.made_by[i]
        if made < 0:
            chain.append((world.t[i], "harvest", None))
        elif world.transformations[made][1][0] == i:
            chain.append((world.t[i], "transformation", made))
        chain.extend(sorted(extra[i]))
        previous = GENESIS
        batch_id = i + 1
        for moment, kind, ref in chain:
            counter += 1
            eid = ("ni:///sha-256;" + hashlib.sha256(f"{seed_tag}{counter}".encode()).hexdigest()
                   + "?ver=CBV2.0")
            lots_rows: list[tuple] = []
            links: list[tuple] = []
            if kind == "transformation":
                ins, outs, how = world.transformations[ref]
                head = common
                body = templates.transformation(
                    BASE_TIME + dt.timedelta(seconds=moment),
                    [(world.gtin[j], world.lot[j], world.kg[j]) for j in ins],
                    [(world.gtin[j], world.lot[j], world.kg[j]) for j in outs], head,
                    BASE_TIME.date() + dt.timedelta(days=world.harvest_day[i]), eid)
                lots_rows = ([(world.gtin[j], world.lot[j], "output", j + 1) for j in outs]
                             + [(world.gtin[j], world.lot[j], "input", j + 1) for j in ins])
                for s in ins:
                    for o in outs:
                        grams = world.kg[o] * 1000 if how == "split" else world.kg[s] * 1000
                        links.append((world.node(s), world.node(o), how, grams, s + 1, o + 1))
                event_type = "TransformationEvent"
            else:
                values = {**common, "time": epcis_time(moment), "eid": eid}
                if kind in ("loading", "shipping", "receiving", "storing"):
                    sid, frm, to, _ = line_of[i]
                    values.update({"from": frm, "to": to, "doc": sid, "place": to})
                    if kind != "storing":
                        links.append((world.node(i), place_uri[to], "shipment", None, batch_id,
                                      None))
                elif kind == "commissioning":
                    packs = max(1, world.kg[i] * 2 // 5)
                    values.update({"doc": ref, "packs": packs, "first": encode_serial(0),
                                   "last": encode_serial(packs - 1), "packkg": "2.5",
                                   "kg": Decimal(packs * 25) / 10})
                elif kind == "inspecting":
                    values.update({"doc": ref})
                elif kind in ("sensor", "sensor_alarm"):
                    low, high, mean = trip[i]
                    values.update({"doc": ref, "sscc": sscc_of(i), "tmin": low, "tmax": high,
                                   "tmean": mean, "start": epcis_time(
                                       moment - SENSOR_WINDOW.total_seconds())})
                body = templates.render(kind, values)
                lots_rows = [(gtin, lot, "object", batch_id)]
                event_type = t_kind[kind][0]
            link = link_hash(previous, eid)
            # The platform's own events: their eventID is their event hash.
            # The query interface's columns and terms, as store_event takes them out.
            parsed = json.loads(body)
            columns = event_columns(parsed)
            loader.add(0, tsv((counter, eid, eid, event_type, ts(moment), short[kind], gtin, lot,
                               batch_id, body.replace("\\", "\\\\"), previous, link, recorder,
                               now, columns["action"], columns["disposition"],
                               columns["read_point"], columns["biz_location"])))
            for term_kind, term_type, value in event_terms(parsed):
                loader.add(3, tsv((counter, term_kind, term_type, value)))
            for row in sensor_values(parsed):
                loader.add(4, tsv((counter, row["report"], row["field"], row["type"], row["uom"],
                                   repr(row["number"]))))
            previous = link
            for g, lc, role, b in lots_rows:
                loader.add(1, tsv((counter, g, lc, role, b)))
            for src, tgt, how, grams, sb, tb in links:
                link_id += 1
                loader.add(2, tsv((link_id, src, tgt, how, grams, eid, sb, tb, now)))
            if counter % sample_every == 0 or (kind == "transformation" and len(samples) < 600
                                               and rng.random() < 0.02):
                samples.append((body, lots_rows, links))
        if chain:
            heads.append(tsv((f"{gtin}/{lot}", previous, len(chain), now)))
        if i and i % max(1, n // 10) == 0:
            say(f"  events: {counter:,} rows for {i:,} lots "
                f"({time.perf_counter() - started:.1f} s)")
    loader.close()
    links_total = link_id
    say(f"copied {counter:,} events, {loader.rows[1]:,} event-lot rows, {links_total:,} lot "
        f"links, {loader.rows[3]:,} query terms, {loader.rows[4]:,} sensor values "
        f"({time.perf_counter() - started:.1f} s)")
    if counter != args.events:
        raise SystemExit(f"generated {counter} events, asked {args.events}")
    check_samples(samples)
    say(f"checked {len(samples)} events against the real lot_roles/chain_key/"
        "records_from_events: event lots and lot links as store_event writes them")

    with psycopg.connect(plain_url(url), autocommit=True) as conn:
        with conn.cursor().copy("COPY epcis_chain_heads (chain, link, length, updated_at)"
                                " FROM STDIN") as copy:
            for k in range(0, len(heads), 20000):
                copy.write("".join(heads[k:k + 20000]))
        conn.execute("SET maintenance_work_mem = '512MB'")
        t0 = time.perf_counter()
        for definition in dropped:
            conn.execute(definition)
        say(f"rebuilt {len(dropped)} indexes from their definitions "
            f"({time.perf_counter() - t0:.1f} s)")
        for table in ("producers", "plots", "trade_items", "batches", "shipments", "shipment_lines",
                      "epcis_events", "lot_links"):
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                         f" (SELECT max(id) FROM {table}))")
        t0 = time.perf_counter()
        broken = check_foreign_keys(conn)
        if broken:
            raise SystemExit(f"foreign keys broken: {broken}")
        say(f"every foreign key holds ({time.perf_counter() - t0:.1f} s)")
        t0 = time.perf_counter()
        conn.execute("ANALYZE")
        say(f"ANALYZE ({time.perf_counter() - t0:.1f} s)")
        sizes = conn.execute(
            "SELECT pg_size_pretty(pg_database_size(current_database())),"
            " pg_size_pretty(pg_total_relation_size('epcis_events')),"
            " pg_size_pretty(pg_total_relation_size('lot_links'))").fetchone()
    say(f"database {sizes[0]} (epcis_events {sizes[1]}, lot_links {sizes[2]})")
    info = {"links": links_total, "event_lots": loader.rows[1], "shipments": len(shipments),
            "chains": len(heads)}
    return world, info


def check_samples(samples) -> None:
    from freshcircle.platform.ledger.services.epcis_lots import chain_key, lot_roles, node_of
    from freshcircle.platform.ledger.services.lot_links import _edge_grams, _quantities

    for body, lots_rows, links in samples:
        event = json.loads(body)
        roles = lot_roles(event)
        mine = [(g, lc, role) for g, lc, role, _ in lots_rows]
        real = [(k.gtin, k.lot, role) for k, role in roles.items()]
        if sorted(mine) != sorted(real):
            raise SystemExit(f"event lots differ: {mine} != {real}\n{body}")
        key = chain_key(list(roles))
        if (key.gtin, key.lot) != (lots_rows[0][0], lots_rows[0][1]):
            raise SystemExit(f"chain differs: {key} for {body}")
        inputs = _quantities(event, "inputQuantityList")
        outputs = _quantities(event, "outputQuantityList")
        edges = [(node_of(r.source), node_of(r.target), r.kind, _edge_grams(r, inputs, outputs))
                 for r in records_from_events([event]) if isinstance(r, LotEdge)]
        if sorted(edges, key=str) != sorted([link[:4] for link in links], key=str):
            raise SystemExit(f"lot links differ: {edges} != {links}\n{body}")


def check_foreign_keys(conn) -> list[str]:
    """Every foreign key of the loaded tables, checked with one anti-join each."""
    broken = []
    rows = conn.execute(
        "SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text, b.attname"
        " FROM pg_constraint c"
        " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]"
        " JOIN pg_attribute b ON b.attrelid = c.confrelid AND b.attnum = c.confkey[1]"
        " WHERE c.contype = 'f' AND c.conrelid::regclass::text IN ('epcis_events',"
        " 'epcis_event_lots', 'lot_links')").fetchall()
    for table, column, ref, ref_column in rows:
        missing = conn.execute(
            f"SELECT count(*) FROM {table} t WHERE t.{column} IS NOT NULL AND NOT EXISTS"
            f" (SELECT 1 FROM {ref} r WHERE r.{ref_column} = t.{column})").fetchone()[0]
        if missing:
            broken.append(f"{table}.{column}: {missing}")
    return broken


# --------------------------------------------------------------------------- checks, timing


def trace_differences(world: World, lot: int, direction: str, result) -> list[str]:
    """What `trace_lot`'s result says that the generator did not make, in words.

    The trace's contract: `lots` are every lot reached; going forward, the platform's own
    deliveries are `shipments` (one per shipment line, from `shipment_lines`) and
    `consignees` are only parties that captured events name outside the platform (other
    systems' deliveries). The generator ships lots kept whole to the platform's own hub,
    buyer sites and markets, so a forward trace must list exactly those shipment lines and
    no consignee.
    """
    expected = world.descendants(lot) if direction == "forward" else world.ancestors(lot)
    found = {t.batch.id - 1 for t in result.lots if t.batch is not None}
    named = {(t.gtin, t.lot) for t in result.lots}
    want = {(world.gtin[j], world.lot[j]) for j in expected}
    problems = []
    if found != expected:
        problems.append(f"lots missing {sorted(world.lot[j] for j in expected - found)[:10]}, "
                        f"extra {sorted(world.lot[j] for j in found - expected)[:10]}")
    if named != want:
        problems.append(f"lot keys missing {sorted(want - named)[:5]}, "
                        f"extra {sorted(named - want)[:5]}")
    if direction == "forward":
        lines = {(j, world.shipment_of[j]) for j in {lot, *expected} if j in world.shipment_of}
        hits = {(h.batch.id - 1, h.shipment.id) for h in result.shipments}
        if hits != lines:
            problems.append(f"shipment lines (lot, shipment) missing {sorted(lines - hits)[:10]}, "
                            f"extra {sorted(hits - lines)[:10]}")
        if result.consignees:
            problems.append(f"{len(result.consignees)} consignees, expected none (every "
                            f"generated delivery is to the platform's own places, which "
                            f"belong in shipments): {[c.node for c in result.consignees[:5]]}")
    return problems


def verify_traces(app, world: World, fixed) -> dict[str, Any]:
    """A split lot forward and a merged lot backward: the real trace_lot against the generator."""
    from freshcircle.platform.extensions import db
    from freshcircle.platform.models import Batch, User
    from freshcircle.platform.trace.services.lot_trace import trace_lot

    split = max((ins[0] for ins, _, how in world.transformations if how == "split"),
                key=lambda j: len(world.descendants(j)), default=None)
    merged = max((outs[0] for _, outs, how in world.transformations if how == "merge"),
                 key=lambda j: len(world.ancestors(j)), default=None)
    checked: dict[str, Any] = {}
    with app.app_context():
        actor = db.session.get(User, fixed["users"]["inspector"])
        for lot, direction in ((split, "forward"), (merged, "backward")):
            if lot is None:
                raise SystemExit("no split or merge generated: give more lots")
            result = trace_lot(db.session, actor, db.session.get(Batch, lot + 1), direction)
            problems = trace_differences(world, lot, direction, result)
            extra_line = ""
            if direction == "forward":
                extra_line = (f", {len(result.shipments)} shipment lines, "
                              f"{len(result.consignees)} consignees outside the platform")
                checked["forward_shipment_lines"] = len(result.shipments)
            checked[f"{direction}_lots"] = len(result.lots)
            say(f"check: {direction} trace of {world.lot[lot]} (batch {lot + 1}) finds "
                f"{len(result.lots)} lots{extra_line}: {'WRONG' if problems else 'OK'}")
            if problems:
                raise SystemExit(f"trace_lot disagrees with the generated genealogy in the "
                                 f"{direction} trace of {world.lot[lot]}: "
                                 + "; ".join(problems))
        db.session.remove()
    return checked


def time_traces(app, world: World, fixed, args) -> dict[str, Any]:
    from freshcircle.platform.extensions import db
    from freshcircle.platform.models import Batch, User
    from freshcircle.platform.trace.services.lot_trace import trace_lot

    rng = random.Random(args.seed + 1)
    linked = [i for i in range(world.n)
              if world.made_by[i] >= 0 or world.consumed_by[i] >= 0]
    half = args.samples // 2
    chosen = rng.sample(linked, min(half, len(linked)))
    chosen += rng.sample(range(world.n), args.samples - len(chosen))
    rng.shuffle(chosen)
    with_genealogy = sum(1 for i in chosen if world.made_by[i] >= 0 or world.consumed_by[i] >= 0)
    times: dict[str, list[tuple[float, int, int]]] = {"forward": [], "backward": []}
    with app.app_context():
        session = db.session
        actor_id = fixed["users"]["inspector"]
        for i in rng.sample(range(world.n), 10):  # warm the pool and the code paths
            for direction in ("forward", "backward"):
                trace_lot(session, session.get(User, actor_id), session.get(Batch, i + 1),
                          direction)
                session.close()
        for i in chosen:
            for direction in ("forward", "backward"):
                actor = session.get(User, actor_id)
                batch = session.get(Batch, i + 1)
                t0 = time.perf_counter()
                result = trace_lot(session, actor, batch, direction)
                elapsed = (time.perf_counter() - t0) * 1000
                session.close()  # ends the transaction
                times[direction].append((elapsed, i, len(result.lots)))
        db.session.remove()
    out: dict[str, Any] = {"with_genealogy": with_genealogy, "times": times}
    for direction, rows in times.items():
        values = [r[0] for r in rows]
        out[direction] = {"p50": pct(values, 0.5), "p95": pct(values, 0.95),
                          "max": max(values), "mean": statistics.fmean(values)}
        slow = max(rows)
        say(f"{direction}: p50 {out[direction]['p50']:.1f} ms, p95 {out[direction]['p95']:.1f}"
            f" ms, max {slow[0]:.1f} ms ({world.lot[slow[1]]}, {slow[2]} lots reached), "
            f"mean {out[direction]['mean']:.1f} ms")
    every = [r[0] for rows in times.values() for r in rows]
    out["p95"], out["p50"] = pct(every, 0.95), pct(every, 0.5)
    say(f"trace over {len(chosen)} lots ({with_genealogy} with genealogy) x 2 directions: "
        f"p50 {out['p50']:.1f} ms, p95 {out['p95']:.1f} ms (goal < {TRACE_GOAL_MS:.0f} ms)")
    return out


def epcis_query_mix(app, args) -> dict[str, list[list[tuple[str, str]]]]:
    """The standard queries a partner's system sends, with values the loaded events have: a
    day's ObjectEvents, one lot's events by its class, one pallet's by its SSCC (`MATCH_epc`,
    as an EPC URN or a Digital Link), a business step, a business location, a read point,
    temperature excursions (`EQ_type=Temperature&GE_maxValue_CEL=`) and trips whose mean lay
    in a band (`GE_meanValue_CEL` and `LT_meanValue_CEL`), each the first page of 30; and a page
    deep in a long answer."""
    from freshcircle.platform.extensions import db

    rng = random.Random(args.seed + 2)
    with app.app_context():
        conn = db.session.connection()
        ids = [rng.randrange(1, args.events + 1) for _ in range(400)]
        rows = conn.exec_driver_sql(
            "SELECT event_time, read_point, biz_location FROM epcis_events WHERE id = ANY(%s)",
            (ids,)).all()
        classes = [v for (v,) in conn.exec_driver_sql(
            "SELECT value FROM epcis_event_terms WHERE kind = 'quantity' AND"
            " event_record_id = ANY(%s)", (ids,)).all()]
        pallets = [conn.exec_driver_sql(
            "SELECT value FROM epcis_event_terms WHERE event_record_id >= %s AND kind = 'epc'"
            " ORDER BY event_record_id LIMIT 1", (start,)).scalar() for start in ids[:50]]
        db.session.remove()
    pallets = [pallet for pallet in pallets if pallet]
    mix: dict[str, list[list[tuple[str, str]]]] = {
        "day_of_object_events": [], "lot_class": [], "pallet_epc": [], "biz_step": [],
        "biz_location": [], "read_point": [], "sensor_excursion": [], "sensor_band": [],
        "deep_page": []}
    steps = ("receiving", "shipping", "storing", "commissioning", "inspecting")
    for n, (moment, read_point, location) in enumerate(rows[:args.epcis_samples]):
        day = moment.astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        mix["day_of_object_events"].append([
            ("eventType", "ObjectEvent"), ("GE_eventTime", day.isoformat()),
            ("LT_eventTime", (day + dt.timedelta(days=1)).isoformat())])
        if classes:
            mix["lot_class"].append([("MATCH_epcClass", classes[n % len(classes)])])
        mix["biz_step"].append([("EQ_bizStep", steps[n % len(steps)]),
                                ("GE_eventTime", day.isoformat())])
        if location:
            mix["biz_location"].append([("EQ_bizLocation", location)])
        if read_point:
            mix["read_point"].append([("EQ_readPoint", read_point), ("orderBy", "eventTime"),
                                      ("orderDirection", "DESC")])
        if pallets:  # a canonical Digital Link; every other one asked for as an EPC URN
            digits = pallets[n % len(pallets)].rsplit("/", 1)[1]
            urn = (f"urn:epc:id:sscc:{COMPANY_PREFIX}."
                   f"{digits[0]}{digits[1 + len(COMPANY_PREFIX):-1]}")
            mix["pallet_epc"].append([("MATCH_epc", urn if n % 2 else pallets[n % len(pallets)])])
        mix["sensor_excursion"].append([("EQ_type", "Temperature"),
                                        ("GE_maxValue_CEL", str(EXCURSION_C + n % 4))])
        band = 1.5 + (n % 7) * 0.5
        mix["sensor_band"].append([("GE_meanValue_CEL", f"{band:.1f}"),
                                   ("LT_meanValue_CEL", f"{band + 0.5:.1f}")])
        mix["deep_page"].append([("EQ_bizStep", "storing"), ("perPage", "30")])
    return mix


def answer_problems(name: str, params, events: list[dict]) -> list[str]:
    """What an answer of the mix says that its query did not ask for (checked on the stored
    bodies, so the indexes agree with what was captured)."""
    asked = dict(params)
    if name == "pallet_epc" and not events:
        return [f"MATCH_epc={asked['MATCH_epc']} found no event"]
    problems = []
    for event in events:
        reports = [r for e in event.get("sensorElementList", []) for r in e["sensorReport"]]
        if name == "sensor_excursion" and not any(
                r["type"] == "gs1:Temperature" and r["uom"] == "CEL"
                and r["maxValue"] >= float(asked["GE_maxValue_CEL"]) for r in reports):
            problems.append(f"{event['eventID']}: no report at {asked['GE_maxValue_CEL']} °C")
        if name == "sensor_band" and not any(
                float(asked["GE_meanValue_CEL"]) <= r.get("meanValue", -999)
                < float(asked["LT_meanValue_CEL"]) for r in reports):
            problems.append(f"{event['eventID']}: no mean in the band {params}")
    return problems


def time_epcis_queries(app, fixed, args) -> dict[str, Any]:
    """Each query of the mix through the real query interface (parse_query, query_events:
    the SQL, the stored bodies, the EPCISDocument) as the inspector, one transaction each;
    a deep page is the 20th, reached by following nextPageToken (only its own request
    timed)."""
    from freshcircle.platform.extensions import db
    from freshcircle.platform.ledger.services import epcis_events, epcis_query
    from freshcircle.platform.models import User

    mix = epcis_query_mix(app, args)
    times: dict[str, list[float]] = {name: [] for name in mix}
    with app.app_context():
        config = epcis_events.epcis_config(app.extensions["trace_settings"])
        session = db.session
        actor_id = fixed["users"]["inspector"]

        def run(params, token=None):
            args_ = {}
            for name, value in params + ([("nextPageToken", token)] if token else []):
                args_.setdefault(name, []).append(value)
            actor = session.get(User, actor_id)
            t0 = time.perf_counter()
            page = epcis_query.query_events(session, actor, config,
                                            epcis_query.parse_query(args_, config))
            elapsed = (time.perf_counter() - t0) * 1000
            session.close()
            return elapsed, page

        for queries in mix.values():  # warm the pool and the code paths
            if queries:
                run(queries[0])
        problems: list[str] = []
        found = dict.fromkeys(mix, 0)
        for name, queries in mix.items():
            for params in queries:
                if name == "deep_page":
                    token = None
                    for _ in range(19):
                        token = run(params, token)[1].next_token
                    elapsed, page = run(params, token)
                else:
                    elapsed, page = run(params)
                times[name].append(elapsed)
                events = page.document["epcisBody"]["eventList"]
                found[name] += len(events)
                problems += answer_problems(name, params, events)
        db.session.remove()
    if not found["sensor_excursion"]:
        problems.append("no temperature excursion found")
    for problem in problems[:10]:
        say(f"  WRONG: {problem}")
    every = [t for values in times.values() for t in values]
    out = {"p95": pct(every, 0.95), "p50": pct(every, 0.5), "queries": len(every),
           "answers_right": not problems, "found": found,
           "per_query": {name: round(pct(values, 0.95), 2) for name, values in times.items()
                         if values}}
    for name, values in times.items():
        if values:
            say(f"  EPCIS {name}: p50 {pct(values, 0.5):.1f} ms, p95 {pct(values, 0.95):.1f} ms"
                f" ({len(values)} queries)")
    say(f"EPCIS queries: {len(every)}: p50 {out['p50']:.1f} ms, p95 {out['p95']:.1f} ms "
        f"(goal <= {EPCIS_GOAL_MS:.0f} ms)")
    return out


def explain_slowest(app, world: World, traced: dict[str, Any]) -> None:
    """The recursive query of reachable_edges under EXPLAIN ANALYZE, and the time split."""
    from freshcircle.platform.extensions import db
    from freshcircle.platform.models import Batch
    from freshcircle.platform.trace.services import lot_trace

    with app.app_context():
        session = db.session
        for direction in ("forward", "backward"):
            _, i, _ = max(traced["times"][direction])
            node = lot_trace.start_node(session, session.get(Batch, i + 1))
            t0 = time.perf_counter()
            links = lot_trace.reachable_edges(session, node, direction)
            edge_ms = (time.perf_counter() - t0) * 1000
            say(f"slowest {direction} ({world.lot[i]}): reachable_edges {edge_ms:.1f} ms for "
                f"{len(links)} links")
            nxt, here, condition = lot_trace._STEP[direction]
            sql = ("EXPLAIN (ANALYZE, BUFFERS) WITH RECURSIVE reach(node, depth) AS ("
                   " SELECT CAST(:start AS VARCHAR(200)), 0"
                   f" UNION SELECT {nxt}, r.depth + 1 FROM lot_links l JOIN reach r"
                   f" ON {here} = r.node WHERE {condition} AND r.depth < :max_depth)"
                   f" SELECT DISTINCT l.id FROM lot_links l JOIN reach r ON {here} = r.node"
                   f" WHERE {condition}")
            plan = session.execute(text(sql), {"start": node,
                                               "max_depth": lot_trace.MAX_DEPTH}).scalars()
            for row in plan:
                say("    " + row)
            session.close()
        db.session.remove()


def spreadsheet_lots(app, world: World, count: int) -> list[int]:
    """The lots with the most events, and the merged lot with the most."""
    from freshcircle.platform.extensions import db
    from freshcircle.platform.models import EpcisEventLot

    with app.app_context():
        rows = db.session.execute(
            select(EpcisEventLot.batch_id, func.count())
            .group_by(EpcisEventLot.batch_id).order_by(func.count().desc()).limit(count * 3)
        ).all()
        merged = {outs[0] for _, outs, how in world.transformations if how == "merge"}
        top = [b - 1 for b, _ in rows][:count]
        best_merged = db.session.execute(
            select(EpcisEventLot.batch_id, func.count())
            .where(EpcisEventLot.batch_id.in_([j + 1 for j in merged]))
            .group_by(EpcisEventLot.batch_id).order_by(func.count().desc()).limit(1)
        ).first()
        db.session.remove()
    if best_merged and best_merged[0] - 1 not in top:
        top = [*top[:count - 1], best_merged[0] - 1]
    return top


def records_module():
    try:
        from freshcircle.platform.trace.services import trace_records
    except ImportError:
        return None
    return trace_records if hasattr(trace_records, "lot_records") else None


def time_spreadsheets(app, world: World, fixed, lots: list[int]) -> dict[str, Any]:
    """The whole XLSX of a lot, timed: through trace_records.spreadsheet when it exists (the
    lot and its traced lots, product descriptions), else the lot's own bodies through
    epcis_event_lots -> kde_rows -> write_xlsx. A second, untimed-in-total pass splits the
    time into records, rows and XLSX."""
    from freshcircle.platform.extensions import db
    from freshcircle.platform.models import Batch, EpcisEventLot, EpcisEventRecord, User
    from freshcircle.platform.trace.services.trace_export import write_xlsx
    from freshcircle.traceability import fsma

    records = records_module()
    full = getattr(records, "spreadsheet", None)
    source = ("trace_records.spreadsheet" if full else "trace_records.lot_records" if records
              else "epcis_event_lots")
    say(f"spreadsheet built with {source}")

    def own_events(session, batch, i):
        bodies = session.scalars(
            select(EpcisEventRecord.body)
            .join(EpcisEventLot, EpcisEventLot.event_record_id == EpcisEventRecord.id)
            .where(EpcisEventLot.lot_code == batch.lot_code, EpcisEventLot.gtin == world.gtin[i]))
        return [json.loads(body) for body in bodies]

    results = []
    with app.app_context():
        session = db.session
        for i in lots:
            actor = session.get(User, fixed["users"]["inspector"])
            batch = session.get(Batch, i + 1)
            t0 = time.perf_counter()
            if full:
                sheet = full(session, actor, "xlsx", "zh", batch=batch)
                rows_count, size = sheet.rows, len(sheet.data)
            total = time.perf_counter() - t0
            session.close()
            actor = session.get(User, fixed["users"]["inspector"])
            batch = session.get(Batch, i + 1)
            t0 = time.perf_counter()
            events = (records.lot_records(session, actor, batch) if records
                      else own_events(session, batch, i))
            t1 = time.perf_counter()
            describe = records.describer(session) if full else None
            rows = fsma.kde_rows(events, describe=describe)
            t2 = time.perf_counter()
            out = io.BytesIO()
            write_xlsx(rows, out, "zh")
            t3 = time.perf_counter()
            session.close()
            if not full:
                total, rows_count, size = t3 - t0, len(rows), len(out.getvalue())
            results.append((total, i, len(events), rows_count, size, t1 - t0, t2 - t1, t3 - t2))
        db.session.remove()
    merged = {outs[0] for _, outs, how in world.transformations if how == "merge"}
    for total, i, events, rows, size, load, kde, xlsx in results:
        say(f"  {world.lot[i]}{' (merged)' if i in merged else ''}: {events} events, {rows} "
            f"rows, {size / 1024:.0f} KiB in {total:.3f} s (again in parts: records "
            f"{load:.3f}, kde_rows {kde:.3f}, xlsx {xlsx:.3f})")
    worst = max(results)
    say(f"spreadsheet: max {worst[0]:.3f} s ({worst[3]} rows), p95 "
        f"{pct([r[0] for r in results], 0.95):.3f} s over {len(results)} lots "
        f"(goal < {SPREADSHEET_GOAL_S:.0f} s)")
    return {"max": worst[0], "rows": worst[3], "source": source,
            "max_rows": max(r[3] for r in results)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--lots", type=int, default=200_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--producers", type=int, default=0,
                        help="default: lots / 100, at most 2,000")
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--spreadsheets", type=int, default=20)
    parser.add_argument("--epcis-samples", type=int, default=40,
                        help="queries of each kind in the EPCIS query mix")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    url = args.database_url
    if url.startswith(("postgres://", "postgresql://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    started = time.perf_counter()
    say(f"trace bench: {args.lots:,} lots, {args.events:,} events, seed {args.seed}, "
        f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}")
    recreate_database(url)
    app = make_app(url)
    fixed = seed_fixed(app)
    say(f"database {url.rsplit('/', 1)[1]} created, migrated to head, reference data and users "
        f"({time.perf_counter() - started:.1f} s)")
    world, info = generate_and_load(args, url, fixed)
    seed_s = time.perf_counter() - started
    say(f"seed: {seed_s:.1f} s (event ids are sha256 of a counter, not EPCIS event hashes; "
        f"chain links are real link_hash chains)")
    checked = verify_traces(app, world, fixed)
    traced = time_traces(app, world, fixed, args)
    if traced["p95"] >= TRACE_GOAL_MS or any(traced[d]["p95"] >= TRACE_GOAL_MS
                                              for d in ("forward", "backward")):
        explain_slowest(app, world, traced)
    sheets = time_spreadsheets(app, world, fixed,
                               spreadsheet_lots(app, world, args.spreadsheets))
    queried = time_epcis_queries(app, fixed, args)
    with app.app_context():
        from freshcircle.platform.extensions import db

        db.engine.dispose()
    say(f"load at end {os.getloadavg()[0]:.2f}; total {time.perf_counter() - started:.1f} s")
    finish("trace", {
        "events": args.events, "lots": world.n, "links": info["links"],
        "event_lots": info["event_lots"], "shipments": info["shipments"],
        "trace_p95_ms": round(traced["p95"], 2), "trace_p50_ms": round(traced["p50"], 2),
        "forward_p95_ms": round(traced["forward"]["p95"], 2),
        "backward_p95_ms": round(traced["backward"]["p95"], 2),
        "forward_p50_ms": round(traced["forward"]["p50"], 2),
        "backward_p50_ms": round(traced["backward"]["p50"], 2),
        "trace_samples": args.samples, "samples_with_genealogy": traced["with_genealogy"],
        "checked_forward_lots": checked["forward_lots"],
        "checked_forward_shipment_lines": checked["forward_shipment_lines"],
        "checked_backward_lots": checked["backward_lots"],
        "spreadsheet_s": round(sheets["max"], 3), "spreadsheet_rows": sheets["rows"],
        "epcis_p95_ms": round(queried["p95"], 2), "epcis_p50_ms": round(queried["p50"], 2),
        "epcis_queries": queried["queries"], "epcis_p95_by_query": queried["per_query"],
        "epcis_answers_right": queried["answers_right"], "epcis_found": queried["found"],
        "spreadsheet_records": sheets["source"], "seed_s": round(seed_s, 1),
        "event_ids": "sha256-of-counter",
    }, GOALS, WATCH)
    return 0


if __name__ == "__main__":
    sys.exit(main())

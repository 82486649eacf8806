"""Write the demo plan through the services, so sample data passes the rules user input does.

Idempotent: everything is looked up by a stable key first (phone, sample producers' and
places' demo key, a batch's idempotency key, a certification's number, the shipment that
carries a batch; never an editable name), so a second run adds nothing. Only into a demo
database (demo/database.py). Only flushes; the caller commits.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from freshcircle.platform.batches.services import batches as batch_service
from freshcircle.platform.batches.services import transformations
from freshcircle.platform.core.services import clock, places, reference_data
from freshcircle.platform.core.services.accounts import hash_password
from freshcircle.platform.core.services.identifiers import FUYANG_COUNTIES, normalise_mobile
from freshcircle.platform.demo import content as c
from freshcircle.platform.demo import database as demo_database
from freshcircle.platform.demo import walkthrough
from freshcircle.platform.demo.contracts import seed_contracts
from freshcircle.platform.demo.dispatch_day import dispatch_day
from freshcircle.platform.demo.identities import credit_code
from freshcircle.platform.demo.lookup import find_place, find_producer
from freshcircle.platform.demo.plan import (
    HELD_REASON,
    BatchPlan,
    DemoPlan,
    ShipmentPlan,
    build_plan,
)
from freshcircle.platform.demo.plantings import seed_plantings
from freshcircle.platform.demo.standing_demand import seed_standing_demand
from freshcircle.platform.dispatch.services import shipments, temperatures
from freshcircle.platform.farms.services import farm_records, producers
from freshcircle.platform.market.services import listings
from freshcircle.platform.models import (
    Batch,
    BatchStatus,
    BuyerProfile,
    Certification,
    Listing,
    LotLink,
    MemberRole,
    Membership,
    Place,
    Producer,
    ProducerKind,
    Product,
    ShipmentLine,
    ShipmentStatus,
    TemperatureClass,
    TransportMode,
    User,
    utcnow,
)
from freshcircle.platform.trace.services import recalls

SET_POINT_C = Decimal("2.0")


class DemoDataError(RuntimeError):
    """The demo content is inconsistent (a bug in the content, not in user data)."""


@dataclass
class DemoResult:
    created: Counter = field(default_factory=Counter)
    # The sign-ins with the seeded lots' codes (placeholders until seed_demo fills them).
    sign_ins: tuple[c.SignIn, ...] = field(default_factory=walkthrough.readme_rows)


class _Seeder:
    def __init__(self, session: Session, plan: DemoPlan, say: Callable[[str], None]):
        self.session = session
        self.plan = plan
        self.say = say
        self.result = DemoResult()
        self.users: dict[str, User] = {}
        self.producers: dict[str, Producer] = {}
        self.places: dict[str, Place] = {}
        self.batches: dict[str, Batch] = {}
        self._hash: str | None = None

    # --- people and producers ------------------------------------------------------------

    def _password_hash(self) -> str:
        # argon2 is slow on purpose: every demo account shares one password, hashed once.
        if self._hash is None:
            self._hash = hash_password(c.DEMO_PASSWORD)
        return self._hash

    def user(self, person: c.Person) -> User:
        if person.phone in self.users:
            return self.users[person.phone]
        user = self.session.scalar(select(User).where(User.phone == person.phone))
        if user is None:
            # The checks accounts.create_user makes, without hashing the same password again.
            if normalise_mobile(person.phone) != person.phone:
                raise DemoDataError(f"not a valid mainland mobile number: {person.phone}")
            user = User(phone=person.phone, name=person.display_name, role=person.role,
                        password_hash=self._password_hash())
            self.session.add(user)
            self.session.flush()
            self.result.created["users"] += 1
        self.users[person.phone] = user
        return user

    def people(self) -> None:
        for sign_in in c.SIGN_INS:
            self.user(sign_in.person)
        for spec in c.PRODUCERS:
            for person in (spec.manager, *spec.members):
                self.user(person)
        for buyer in c.BUYERS:
            self.user(buyer.person)

    def producer(self, spec: c.ProducerSpec, centres: dict[str, tuple[Decimal, Decimal]]):
        manager = self.users[spec.manager.phone]
        producer = find_producer(self.session, spec)
        if producer is not None:  # its members are its managers' business from now on
            self.producers[spec.key] = producer
            return
        lat, lon = centres[spec.county_code]
        dlat, dlon = self.plan.offsets[spec.key]
        county = FUYANG_COUNTIES[spec.county_code]
        producer = producers.create_producer(self.session, manager, {
            "kind": spec.kind,
            "name": spec.full_name,
            "credit_code": credit_code(spec),
            "county_code": spec.county_code,
            "township": spec.township,
            "address": f"安徽省阜阳市{county}{spec.township}{spec.village}村",
            "latitude": lat + dlat,
            "longitude": lon + dlon,
            "contact_phone": manager.phone,
            # A co-op publishes an office landline for shoppers (the consumer page shows
            # it); a family farm publishes none. Made up, in Fuyang's 0558 area code.
            "service_phone": (f"0558-{6100000 + int(spec.county_code[-3:])}"
                              if spec.kind == ProducerKind.COOPERATIVE else None),
        })
        producer.is_sample, producer.demo_key = True, spec.key
        self.result.created["producers"] += 1
        for person in spec.members:
            member = self.users[person.phone]
            if self.session.get(Membership, (member.id, producer.id)) is None:
                producers.add_member(self.session, manager, producer, member.phone,
                                     MemberRole.MEMBER)
                self.result.created["memberships"] += 1
        self.producers[spec.key] = producer

    def county_centres(self) -> dict[str, tuple[Decimal, Decimal]]:
        rows = self.session.scalars(select(Place).where(Place.admin_code.in_(FUYANG_COUNTIES)))
        centres = {p.admin_code: (p.latitude, p.longitude) for p in rows}
        missing = set(FUYANG_COUNTIES) - set(centres)
        if missing:
            raise DemoDataError(f"places.csv lacks county centres for {sorted(missing)}")
        return centres

    # --- places ------------------------------------------------------------------------

    def places_(self) -> None:
        admin = self.users[c.ADMIN.phone]
        for spec in c.DEMO_PLACES:
            if find_place(self.session, spec) is not None:
                continue
            # A co-op's manager adds its cold store; the admin adds the hub and buyer sites.
            owner = c.PRODUCERS_BY_KEY[spec.producer_key] if spec.producer_key else None
            place = places.create_place(
                self.session, self.users[owner.manager.phone] if owner else admin, {
                    "name_zh": spec.name_zh, "name_en": spec.name_en, "kind": spec.kind,
                    "latitude": Decimal(spec.latitude), "longitude": Decimal(spec.longitude),
                    "admin_code": spec.admin_code, "admin_name": spec.admin_name,
                    "producer_id": self.producers[owner.key].id if owner else None,
                })
            place.demo_key = spec.name_en
            self.result.created["places"] += 1
        # Sample places by their key, whatever they are called now; reference places by name.
        self.places = {p.demo_key or p.name_en: p for p in self.session.scalars(select(Place))}
        for buyer in c.BUYERS:  # a delivery to a buyer's site reaches that buyer (recalls)
            site = self.places[buyer.site.name_en]
            if site.buyer_id is None:
                site.buyer_id = self.users[buyer.person.phone].id

    # --- marketplace ---------------------------------------------------------------------------

    def buyer_accounts(self) -> None:
        """Each demo buyer's company, default site and receiving hours (06:00-18:00)."""
        for buyer in c.BUYERS:
            user = self.users[buyer.person.phone]
            site = self.places[buyer.site.name_en]
            if site.receiving_from is None:
                site.receiving_from, site.receiving_to = dt.time(6), dt.time(18)
            if self.session.get(BuyerProfile, user.id) is None:
                self.session.add(BuyerProfile(user_id=user.id, company=c.BUYER_COMPANIES[
                    buyer.person.phone], default_site_id=site.id))
                self.result.created["buyer accounts"] += 1

    def listings_(self, plans: list[BatchPlan], today: dt.date) -> None:
        """A listing for every listed demo batch: what it has left, at the demo price, with a
        minimum of 20 斤 (or the whole lot if smaller) and a tier from 200 斤."""
        for plan in plans:
            batch = self.batches.get(plan.key)
            if batch is None or batch.status != BatchStatus.LISTED or self.session.scalar(
                    select(Listing.id).where(Listing.batch_id == batch.id)):
                continue
            left_jin = batch_service.remaining_grams(self.session, batch) // 500
            if left_jin < 1:
                continue
            price = Decimal(c.PRICES.get(plan.product_en, c.DEFAULT_PRICE))
            tier_price = (price * Decimal("0.92")).quantize(Decimal("0.01"))
            tiers = [{"min_quantity": "200", "price": str(tier_price)}] if left_jin > 200 else []
            listings.create_listing(self.session, self.users[plan.registered_by.phone], batch, {
                "price": str(price), "unit": "jin", "quantity": str(left_jin),
                "min_order": str(min(20, left_jin)), "available_from": today,
                "available_to": today + dt.timedelta(days=10), "tiers": tiers,
                "specification": "散装，约 10 斤/箱"})
            self.result.created["listings"] += 1

    # --- lot genealogy -----------------------------------------------------------------------

    def genealogy(self, plans: list[BatchPlan]) -> None:
        """One split and one merge, so the inspector's trace has a family to show: the first
        two plain batches of one producer and product still on the farm are merged, and the
        next plain batch is split into two lots."""
        plain = [p for p in plans if not p.story and p.status in ("registered", "listed")]
        by_crop: dict[tuple[str, str], list[BatchPlan]] = {}
        for plan in plain:
            by_crop.setdefault((plan.producer_key, plan.product_en), []).append(plan)
        pair = next((group[:2] for group in by_crop.values() if len(group) >= 2), None)
        if pair is None:
            return
        split_plan = next(p for p in plain if p not in pair)
        family = [split_plan, *pair]
        first, second, third = (self.batches[plan.key] for plan in family)
        if self.session.scalar(select(LotLink.id).where(
                LotLink.source_batch_id.in_([first.id, second.id, third.id])).limit(1)):
            return  # made by an earlier run
        left_kg = Decimal(batch_service.remaining_grams(self.session, first)) / 1000
        parts = transformations.split_batch(
            self.session, self.users[split_plan.registered_by.phone], first, [
                {"quantity": (left_kg / 2).quantize(Decimal(1)), "unit": "kg"},
                {"quantity": (left_kg / 4).quantize(Decimal(1)), "unit": "kg"}])
        transformations.merge_batches(self.session, self.users[pair[0].registered_by.phone],
                                      [{"batch_id": second.id}, {"batch_id": third.id}])
        self.result.created["lots split or merged"] += len(parts) + 1

    # --- batches and farm records ----------------------------------------------------------

    def batch(self, plan: BatchPlan, products: dict[str, Product]) -> None:
        producer = self.producers[plan.producer_key]
        batch = self.session.scalar(
            select(Batch).where(Batch.producer_id == producer.id,
                                Batch.idempotency_key == plan.key)
        )
        if batch is not None:
            self.batches[plan.key] = batch
            return
        actor = self.users[plan.registered_by.phone]
        for record in plan.inputs:  # recorded when applied, before the harvest
            farm_records.create_input(self.session, actor, {
                "producer_id": producer.id, "kind": record.kind,
                "product_name": record.product_name,
                "active_ingredient": record.active_ingredient, "dose": record.dose,
                "new_plot_name": plan.plot, "new_plot_area_mu": plan.plot_area_mu,
                "applied_on": record.applied_on,
                "pre_harvest_interval_days": record.interval_days, "notes": c.SAMPLE_NOTE,
            })
            self.result.created["inputs"] += 1
        batch, _ = batch_service.create_batch(self.session, actor, {
            "producer_id": producer.id, "product_id": products[plan.product_en].id,
            "variety": plan.variety, "new_plot_name": plan.plot,
            "new_plot_area_mu": plan.plot_area_mu, "harvest_date": plan.harvest_date,
            "quantity": plan.quantity_kg, "unit": "kg", "grade": plan.grade,
            "notes": plan.notes, "idempotency_key": plan.key,
            "confirm_in_interval": True,  # one demo lot is inside its interval, by design
        })
        self.result.created["batches"] += 1
        inspector = self.users[c.INSPECTOR.phone]
        for test in plan.tests:
            farm_records.create_test(self.session, inspector if test.by_inspector else actor, {
                "batch_id": batch.id, "method": test.method, "result": test.result,
                "tester": test.tester, "tested_on": test.tested_on,
                "measured_values": test.measured_values,
            })
            self.result.created["tests"] += 1
        if plan.status in ("listed", "sold_out"):
            batch_service.change_status(self.session, actor, batch, BatchStatus.LISTED)
        if plan.status == "sold_out":
            batch_service.change_status(self.session, actor, batch, BatchStatus.SOLD_OUT)
        if plan.status == "held":  # as an inspector holds one: a record and its notices
            recalls.restrict(self.session, inspector, batch, BatchStatus.HELD, HELD_REASON)
        self.batches[plan.key] = batch

    def certifications(self) -> None:
        products = {p.name_en: p for p in self.session.scalars(select(Product))}
        for cert in self.plan.certifications:
            producer = self.producers[cert.producer_key]
            exists = self.session.scalar(select(Certification.id).where(
                Certification.producer_id == producer.id, Certification.number == cert.number))
            if exists:
                continue
            manager = self.users[c.PRODUCERS_BY_KEY[cert.producer_key].manager.phone]
            farm_records.create_certification(self.session, manager, {
                "producer_id": producer.id, "kind": cert.kind, "number": cert.number,
                "issuer": cert.issuer, "valid_from": cert.valid_from, "valid_to": cert.valid_to,
                "product_id": products[cert.product_en].id, "notes": cert.notes,
            })
            self.result.created["certifications"] += 1

    # --- shipments -------------------------------------------------------------------------

    def shipment(self, plan: ShipmentPlan) -> None:
        first = self.batches[plan.lines[0][0]]
        if self.session.scalar(select(ShipmentLine.id).where(ShipmentLine.batch_id == first.id)):
            return  # already shipped by an earlier run
        carrier = self.users[c.CARRIER.phone]
        shipper = self.users[plan.shipper.phone]
        shipment = shipments.create_shipment(self.session, shipper, {
            "from_place_id": self.places[plan.from_en].id,
            "to_place_id": self.places[plan.to_en].id,
            "carrier_id": carrier.id, "vehicle_plate": plan.plate,
            "mode": TransportMode.REEFER_TRUCK, "temp_class": TemperatureClass.CHILLED,
            "set_point_c": SET_POINT_C,
            "planned_departure": plan.planned_departure,
            "planned_arrival": plan.planned_arrival,
            "lines": [{"batch_id": self.batches[key].id, "quantity": grams, "unit": "g"}
                      for key, grams in plan.lines],
        })
        if plan.actual_departure:
            shipments.change_status(self.session, carrier, shipment, ShipmentStatus.IN_TRANSIT,
                                    at=plan.actual_departure)
        if plan.actual_arrival:
            shipments.change_status(self.session, carrier, shipment, ShipmentStatus.DELIVERED,
                                    at=plan.actual_arrival)
        if plan.readings:  # the truck's logger uploads as the carrier
            ingest = temperatures.record_readings(self.session, carrier, shipment, [
                {"sensor_id": plan.sensor_id, "recorded_at": at, "celsius": value}
                for at, value in plan.readings
            ])
            self.result.created["temperature readings"] += ingest.inserted
        self.result.created["shipments"] += 1


def seed_reference(session: Session) -> tuple[int, int]:
    """Load the product catalog and the YRD places; returns how many of each were new."""
    return reference_data.load_products(session), reference_data.load_places(session)


def seed_demo(
    session: Session,
    *,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
    progress: Callable[[str], None] | None = None,
) -> DemoResult:
    """Create (or complete) the demo data set: flushes, never commits.

    `today` (Asia/Shanghai) and `now` (UTC) date the records; the content itself is the same
    on every run. `progress` is called with one line per step.
    """
    today = today or clock.today_in_china()
    plan = build_plan(today, now or utcnow())
    say = progress or (lambda _line: None)
    demo_database.claim(session)  # refuses a database with real producers or accounts
    seeder = _Seeder(session, plan, say)
    steps = 13

    new_products, new_places = seed_reference(session)
    say(f"[1/{steps}] catalog and places: {new_products} products, {new_places} places new")
    seeder.people()
    say(f"[2/{steps}] people: {seeder.result.created['users']} new accounts")
    centres = seeder.county_centres()
    for spec in c.PRODUCERS:
        seeder.producer(spec, centres)
    say(f"[3/{steps}] producers in all 8 counties: {seeder.result.created['producers']} new")
    seeder.places_()
    say(f"[4/{steps}] cold stores, hub and buyer sites: {seeder.result.created['places']} new")
    products = {p.name_en: p for p in session.scalars(select(Product))}
    for batch_plan in plan.batches:
        seeder.batch(batch_plan, products)
    say(f"[5/{steps}] batches with inputs and tests: {seeder.result.created['batches']} new")
    seeder.certifications()
    say(f"[6/{steps}] certifications: {seeder.result.created['certifications']} new")
    for shipment_plan in plan.shipments:
        seeder.shipment(shipment_plan)
    say(f"[7/{steps}] reefer shipments: {seeder.result.created['shipments']} new, "
        f"{seeder.result.created['temperature readings']} temperature readings")
    seeder.genealogy(plan.batches)
    say(f"[8/{steps}] lot genealogy (a split and a merge): "
        f"{seeder.result.created['lots split or merged']} new lots")
    seeder.buyer_accounts()
    seeder.listings_(plan.batches, today)
    say(f"[9/{steps}] marketplace: {seeder.result.created['buyer accounts']} buyer accounts, "
        f"{seeder.result.created['listings']} listings new")
    dispatch_day(seeder, today, now)
    say(f"[10/{steps}] dispatch: {seeder.result.created['vehicles']} reefer trucks, "
        f"{seeder.result.created['confirmed orders']} confirmed orders for tomorrow new")
    seed_plantings(seeder, today)
    say(f"[11/{steps}] plantings: {seeder.result.created['plantings']} new (last "
        "season's, with their batches, and this season's)")
    seed_standing_demand(seeder, today, now or utcnow())
    say(f"[12/{steps}] standing demand (求购): {seeder.result.created['standing demands']} "
        "new, matched to the producers who can supply them")
    seed_contracts(seeder, today)
    say(f"[13/{steps}] forward contracts (订单农业): "
        f"{seeder.result.created['forward contracts']} new")
    seeder.result.sign_ins = walkthrough.seeded_sign_ins(session, plan.batches, seeder.batches)
    return seeder.result

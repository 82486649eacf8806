"""Two tenants with a record of every kind, and a signed-in identity per role, for the
authorisation matrix (tests/platform/test_access_matrix.py).

Side A is a cooperative (its manager and a member), side B a family farm (its farmer).
Each side has a buyer who ordered from it, a carrier who drives its shipment, and records of
every kind the API and pages address by id. The inspector and the admin belong to no side.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from freshcircle.platform.contracts.services import contracts, shortfalls
from freshcircle.platform.core.services import accounts
from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.ledger.services import capture_jobs, epcis_store
from freshcircle.platform.market.services import feedback, listings, orders, quotes
from freshcircle.platform.models import (
    BatchPhoto,
    BatchStatus,
    CartLine,
    DispatchPlan,
    EpcisNamedQuery,
    EpcisSubscription,
    LabelRun,
    LabelRunStatus,
    MemberRole,
    Membership,
    Notice,
    OrderStatus,
    PhotoUpload,
    ProducerKind,
    RecallRecord,
    Role,
    SearchSynonym,
    ShipmentAlert,
    StandingDemand,
    StandingDemandMatch,
    TemperatureClass,
    User,
    Vehicle,
    VehicleCompartment,
)
from tests.platform.epcis_helpers import lot_document
from tests.platform.market_helpers import buyer_with_site
from tests.platform.page_helpers import TINY_JPEG, TINY_PDF

# The EPCIS collections' path filters: values every side's stored event has.
FILTERS = {"event_type": "ObjectEvent", "biz_step": "packing", "disposition": "in_progress",
           "epc": "urn:epc:id:sgln:0000000.00000.0", "biz_location": "urn:epc:id:sgln:0.0.0",
           "read_point": "urn:epc:id:sgln:0.0.0"}
# The roles of the matrix; each but the staff and anonymous acts on one side's records.
# "deactivated" is a co-op member of side A who signed in (and took an API token) before an
# admin deactivated the account: every cookie and token of theirs must stop at once.
ROLES = ("farmer", "coop_manager", "coop_member", "buyer", "carrier", "inspector", "admin",
         "deactivated", "anonymous")
SIDE_OF = {"farmer": "B", "coop_manager": "A", "coop_member": "A", "buyer": "A",
           "carrier": "A", "inspector": "A", "admin": "A", "deactivated": "A", "anonymous": "A"}


@dataclass
class Side:
    """One tenant's people and the ids of its records, by the path parameter that names them."""

    users: dict[str, User] = field(default_factory=dict)
    ids: dict[str, int | str] = field(default_factory=dict)
    lot_path: str = ""  # a GS1 Digital Link path of its batch, for the resolver
    # Words only its own people and staff may ever see (in an input's notes, a dispute, a
    # truck's name, a shipment's plate): another tenant's answers must not hold them.
    secrets: tuple[str, ...] = ()
    documents: dict[str, dict] = field(default_factory=dict)  # whole bodies, e.g. EPCIS


@dataclass
class World:
    sides: dict[str, Side]
    staff: dict[str, User]
    tokens: dict[str, str] = field(default_factory=dict)  # role -> bearer token
    user_ids: dict[str, dict[str, int]] = field(default_factory=dict)  # role -> per-user ids


def _user_ids(session, user: User, batch_id: int) -> dict[str, int]:
    """Records that belong to one person rather than a tenant: a notice, an API token, a
    photo upload in parts (100 bytes announced, none sent), and an EPCIS named query (named
    for its owner, so another's is a name the caller has not) with a scheduled subscription
    (not a stream: the matrix's captures hand no delivery over)."""
    now = dt.datetime.now(dt.UTC)
    notice = Notice(user_id=user.id, kind="recalled", subject="T0000001", payload="{}")
    session.add(notice)
    token, _plain = accounts.issue_token(session, user, "matrix")
    upload = PhotoUpload(user_id=user.id, batch_id=batch_id, idempotency_key="matrix",
                         filename="matrix.jpg", content_type="image/jpeg", size=100,
                         sha256="0" * 64, received=0)
    session.add(upload)
    query = EpcisNamedQuery(owner_id=user.id, name=f"matrix-{user.id}",
                            params='{"EQ_bizStep": ["storing"]}')
    query.subscriptions.append(EpcisSubscription(
        subscription_id=f"matrix-{user.id}", dest="https://partner.example.com/epcis",
        schedule='{"hour": "1", "minute": "5"}', initial_record_time=now,
        position_time=now, next_run_at=now + dt.timedelta(days=1)))
    session.add(query)
    session.flush()
    return {"notice_id": notice.id, "token_id": token.id, "upload_id": upload.id,
            "query_name": query.name, "subscription_id": f"matrix-{user.id}"}


def _side(make, session, app, label: str) -> Side:
    side = Side()
    if label == "A":
        manager = make.user(Role.COOP_ADMIN, name="甲社长")
        member = make.user(Role.FARMER, name="甲社员")
        producer = make.producer(manager, name="甲合作社")
        session.add(Membership(user_id=member.id, producer_id=producer.id,
                               role=MemberRole.MEMBER))
        gone = make.user(Role.FARMER, name="甲前社员")
        session.add(Membership(user_id=gone.id, producer_id=producer.id,
                               role=MemberRole.MEMBER))
        side.users.update(coop_manager=manager, coop_member=member, deactivated=gone)
    else:
        manager = make.user(Role.FARMER, name="乙农户")
        producer = make.producer(manager, name="乙家庭农场", kind=ProducerKind.FAMILY_FARM)
        side.users.update(coop_manager=manager)  # the family farm's farmer manages it
    producer.latitude, producer.longitude = 33.16, 115.62
    buyer, site = buyer_with_site(make, session, name=f"{label}买家")
    carrier = make.user(Role.CARRIER, name=f"{label}司机")
    recruit = make.user(Role.FARMER, name=f"{label}新社员")  # no producer yet
    hand = make.user(Role.FARMER, name=f"{label}帮工")  # a member the manager may remove
    session.add(Membership(user_id=hand.id, producer_id=producer.id, role=MemberRole.MEMBER))
    side.users.update(buyer=buyer, carrier=carrier)
    plot = make.plot(producer)
    batch = make.batch(producer, plot=plot, quantity_g=2_000_000)
    spare = make.batch(producer, plot=plot, quantity_g=300_000)
    planting = make.planting(producer, plot=plot, harvest_from=today_in_china()
                             + dt.timedelta(days=20))
    secret = f"机密{label}"
    farm_input = make.farm_input(producer, plot=plot, notes=f"{secret}用药记录",
                                 applied_on=today_in_china() - dt.timedelta(days=30))
    report = make.stored_file(producer, data=TINY_PDF)
    # A listed batch's test results are shown to buyers on the market: not a secret.
    test = make.residue_test(batch, created_by=manager, file_id=report.id)
    cert = make.certification(producer)
    photo_file = make.stored_file(producer, data=TINY_JPEG, filename="菜.jpg",
                                  content_type="image/jpeg")
    photo = BatchPhoto(batch_id=batch.id, file_id=photo_file.id)
    session.add(photo)
    listing = listings.create_listing(session, manager, batch, {
        "price": "3.50", "unit": "jin", "min_order": "10", "quantity": "2000",
        "available_to": today_in_china() + dt.timedelta(days=7), "tiers": []})
    # Placed as if two hours from now, so the cut-off of the order's dispatch day (until which
    # the buyer may cancel or change it) is hours ahead whatever time of day the suite runs.
    placed_at = dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)
    line = [{"listing_id": listing.id, "quantity": "20", "unit": "jin"}]
    (delivered,) = orders.checkout(session, buyer, site.id, line, placed_at)
    for status in (OrderStatus.CONFIRMED, OrderStatus.PACKED, OrderStatus.SHIPPED,
                   OrderStatus.DELIVERED):
        orders.advance(session, manager, delivered, status)
    (placed,) = orders.checkout(session, buyer, site.id, line, placed_at)
    feedback.rate(session, buyer, delivered, 4, "好")
    dispute = feedback.open_dispute(session, buyer, delivered, f"{secret}少了两斤",
                                    photo=("d.jpg", TINY_JPEG), max_bytes=1_000_000)
    session.add(CartLine(buyer_id=buyer.id, listing_id=listing.id, quantity_g=10_000))
    request = quotes.create_request(session, buyer, {
        "product_id": batch.product_id, "quantity": "100", "unit": "jin",
        "delivery_date": today_in_china() + dt.timedelta(days=3), "site_id": site.id})
    quote = quotes.make_quote(session, manager, request, {
        "listing_id": listing.id, "price": "3.20", "unit": "jin", "freight": "0",
        "valid_until": dt.datetime.now(dt.UTC) + dt.timedelta(days=2)})
    # A standing demand of the side's buyer matched to the side's producer only (the matcher
    # would match both sides' spinach growers).
    monday = today_in_china() + dt.timedelta(days=7 - today_in_china().weekday())
    demand = StandingDemand(buyer_id=buyer.id, product_id=batch.product_id,
                            quantity_g_per_week=50_000, first_week=monday,
                            last_week=monday + dt.timedelta(weeks=1), site_id=site.id,
                            min_shelf_life_days=2)
    demand.matches.append(StandingDemandMatch(producer_id=producer.id, rank=1, score=0.9,
                                              reasons="[]"))
    session.add(demand)
    # A forward contract the side's buyer proposed on the side's planting, with a shortfall.
    contract = contracts.create_contract(session, buyer, {
        "producer_id": producer.id, "product_id": planting.product_id, "site_id": site.id,
        "first_week": today_in_china(), "weeks": 4, "quantity_per_week": "100",
        "price_kind": "fixed", "price": "3.20", "notes": f"{secret}合同条款"})
    contract.plantings = [planting]
    shortfall = shortfalls.declare_shortfall(session, manager, contract, {
        "quantity": "10", "week_from": today_in_china() + dt.timedelta(days=7),
        "reason": "干旱"})
    store = make.new_place(name_zh=f"{label}冷库", producer=producer)
    vehicle = Vehicle(producer_id=producer.id, depot_id=store.id, plate=f"皖K1234{label}",
                      name=f"{secret}冷藏车", driver_id=carrier.id, fixed_cost_fen=100_000,
                      fen_per_km=500)
    vehicle.compartments.append(VehicleCompartment(
        position=0, kind="chilled-veg", temp_class=TemperatureClass.CHILLED,
        min_c=Decimal(0), max_c=Decimal(4), capacity_kg=8000, capacity_pallets=12))
    session.add(vehicle)
    plan = DispatchPlan(producer_id=producer.id, depot_id=store.id,
                        dispatch_date=today_in_china() + dt.timedelta(days=1), status="queued",
                        progress=Decimal(0), time_limit_s=5, created_by_id=manager.id)
    session.add(plan)
    shipment = make.shipment(created_by=manager, carrier=carrier, lines=[(batch, 10_000)],
                             from_place=store, vehicle_plate=f"沪A0000{label}")
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    make.temperature_reading(shipment, "3.0", now - dt.timedelta(hours=2), f"T-{label}")
    alert = ShipmentAlert(shipment_id=shipment.id, side="above", extreme_c=Decimal("9.0"),
                          started_at=now - dt.timedelta(hours=2),
                          ended_at=now - dt.timedelta(hours=1))
    session.add(alert)
    run = _label_run(app, session, batch, manager)
    recall = RecallRecord(batch_id=spare.id, status=BatchStatus.HELD, reason="抽检",
                          actor_id=manager.id)
    session.add(recall)
    session.flush()
    side.ids.update(
        producer_id=producer.id, plot_id=plot.id, planting_id=planting.id, batch_id=batch.id,
        input_id=farm_input.id,
        test_id=test.id, cert_id=cert.id, file_id=report.id, photo_id=photo.id,
        listing_id=listing.id, order_id=placed.id, delivered_order_id=delivered.id,
        dispute_id=dispute.id, request_id=request.id, quote_id=quote.id, place_id=store.id,
        contract_id=contract.id, shortfall_id=shortfall.id, buyer_phone=buyer.phone,
        demand_id=demand.id,
        site_id=site.id, vehicle_id=vehicle.id, plan_id=plan.id, shipment_id=shipment.id,
        line_id=shipment.lines[0].id, alert_id=alert.id, run_id=run.id, record_id=recall.id,
        spare_batch_id=spare.id, carrier_id=carrier.id, product_id=batch.product_id,
        day=placed.dispatch_date.isoformat(), manager_phone=manager.phone,
        recruit_phone=recruit.phone, lot_code=batch.lot_code, member_user_id=hand.id,
        county_code=producer.county_code, brand="taihe-xiangchun",
    )
    side.lot_path = _lot_path(app, session, batch)
    side.documents["epcis"] = lot_document(app, session, batch, steps=("storing",),
                                           start=now - dt.timedelta(hours=3))
    packed = lot_document(app, session, batch, steps=("packing",),
                          start=now - dt.timedelta(hours=4))
    # Every side's event has the EPCIS collections' probe values (FILTERS above), so
    # `/epcs/{epc}` and the like find an event the caller may see.
    event = {**packed["epcisBody"]["eventList"][0], "eventID": f"urn:uuid:matrix-{label}",
             "epcList": [FILTERS["epc"]], "readPoint": {"id": FILTERS["read_point"]},
             "bizLocation": {"id": FILTERS["biz_location"]}}
    side.ids["event_id"] = epcis_store.store_event(session, event, packed["@context"],
                                                   manager)[0]
    cooled = lot_document(app, session, batch, steps=("holding",),
                          start=now - dt.timedelta(hours=5))
    side.ids["capture_id"] = capture_jobs.capture(session, manager, cooled,
                                                  capture_jobs.Headers()).capture_id
    synonym = SearchSynonym(name=f"同义词{label}", means="大蒜")
    session.add(synonym)
    session.flush()
    side.ids["synonym_id"] = synonym.id
    side.secrets = (f"{secret}用药记录", f"{secret}少了两斤", f"{secret}合同条款",
                    f"{secret}冷藏车", f"沪A0000{label}")
    return side


def _label_run(app, session, batch, actor) -> LabelRun:
    from freshcircle.platform.ledger.services import trace_codes

    settings = app.extensions["trace_settings"]
    item = trace_codes.trade_item_for(session, settings, batch.producer_id, batch.product_id)
    first = trace_codes.reserve_serials(session, batch, 2)
    run = LabelRun(batch=batch, trade_item=item, layout="a4-24", count=2, first_serial=first,
                   key_id=settings.keyring.current, net_weight_g=500,
                   status=LabelRunStatus.QUEUED, progress=0, created_by_id=actor.id)
    session.add(run)
    session.flush()
    return run


def _lot_path(app, session, batch) -> str:
    from urllib.parse import urlsplit

    from freshcircle.platform.ledger.services import trace_codes

    settings = app.extensions["trace_settings"]
    item = trace_codes.trade_item_for(session, settings, batch.producer_id, batch.product_id)
    uri = trace_codes.signed_lot_uri(settings, item, batch)
    parts = urlsplit(uri)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def build_world(make, session, app) -> World:
    sides = {label: _side(make, session, app, label) for label in ("A", "B")}
    staff = {"inspector": make.user(Role.INSPECTOR, name="检查员"),
             "admin": make.user(Role.ADMIN, name="管理员")}
    world = World(sides=sides, staff=staff)
    for role in ROLES:
        if role == "anonymous":
            continue
        user = identity(world, role)
        world.user_ids[role] = _user_ids(session, user, sides["A"].ids["batch_id"])
    session.commit()
    return world


def identity(world: World, role: str) -> User | None:
    """The user acting as `role` (None for anonymous)."""
    if role == "anonymous":
        return None
    if role in world.staff:
        return world.staff[role]
    if role == "farmer":
        return world.sides["B"].users["coop_manager"]
    return world.sides["A"].users[role]

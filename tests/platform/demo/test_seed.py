"""The demo data set: every county, one sign-in per role, the safety flag, no duplicates."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from freshcircle.platform.batches.services import batches as batch_service
from freshcircle.platform.core.services import clock
from freshcircle.platform.core.services.errors import Conflict
from freshcircle.platform.core.services.identifiers import (
    FUYANG_COUNTIES,
    is_valid_credit_code,
    is_valid_plate,
    normalise_mobile,
)
from freshcircle.platform.demo import DEMO_PASSWORD, SIGN_INS, seed_demo, walkthrough
from freshcircle.platform.demo.plan import build_plan
from freshcircle.platform.farms.services.producers import normalise_service_phone
from freshcircle.platform.farms.services.safety import safety_statuses
from freshcircle.platform.models import (
    Batch,
    BatchStatus,
    Certification,
    FarmInput,
    MemberRole,
    Membership,
    Place,
    PlaceKind,
    Plot,
    Producer,
    ProducerKind,
    ResidueTest,
    Role,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
    TemperatureReading,
    User,
)
from freshcircle.platform.models import TestResult as Outcome
from freshcircle.platform.trace.services import lot_trace

MODELS = (User, Producer, Membership, Place, Batch, FarmInput, ResidueTest, Certification,
          Shipment, ShipmentLine, TemperatureReading)


def _counts(session) -> dict[str, int]:
    return {m.__name__: session.scalar(select(func.count()).select_from(m)) for m in MODELS}


@pytest.fixture
def seeded(session):
    result = seed_demo(session)
    session.commit()
    return result


def _sample_batches(session) -> list[Batch]:
    return list(session.scalars(
        select(Batch).join(Producer, Producer.id == Batch.producer_id).where(Producer.is_sample)
    ))


def test_sample_producers_in_all_eight_counties_and_labelled(session, seeded):
    producers = list(session.scalars(select(Producer).where(Producer.is_sample)))

    assert {p.county_code for p in producers} == set(FUYANG_COUNTIES)
    for producer in producers:
        assert producer.name.endswith("（示例）")
        assert producer.county_name == FUYANG_COUNTIES[producer.county_code]
        assert normalise_mobile(producer.contact_phone) == producer.contact_phone
        # the consumer page shows the co-op's service phone, never a member's mobile
        if producer.kind == ProducerKind.COOPERATIVE:
            assert normalise_service_phone(producer.service_phone) == producer.service_phone
            assert producer.service_phone.startswith("0558-")
        else:
            assert producer.service_phone is None
        assert producer.township and producer.latitude is not None
        if producer.credit_code:
            assert is_valid_credit_code(producer.credit_code)
    counties_with_batches = {b.producer.county_code for b in _sample_batches(session)}
    assert counties_with_batches == set(FUYANG_COUNTIES)


def test_one_demo_sign_in_per_role_signs_in(session, seeded, app):
    assert {s.person.role for s in SIGN_INS} == set(Role)
    for sign_in in SIGN_INS:
        client = app.test_client()
        response = client.post("/login", data={"phone": sign_in.person.phone,
                                               "password": DEMO_PASSWORD})
        assert response.status_code == 302, sign_in.person.role


def test_demo_farmer_and_coop_admin_belong_to_a_producer_with_batches(session, seeded):
    by_role = {s.person.role: s.person.phone for s in SIGN_INS}
    farmer = session.scalar(select(User).where(User.phone == by_role[Role.FARMER]))
    admin = session.scalar(select(User).where(User.phone == by_role[Role.COOP_ADMIN]))

    (farm,) = farmer.memberships
    assert session.scalar(select(func.count()).where(Batch.producer_id == farm.producer_id)) > 0
    managed = [m for m in admin.memberships if m.role == MemberRole.MANAGER]
    assert any(m.producer.kind == ProducerKind.COOPERATIVE for m in managed)


def test_exactly_one_batch_harvested_inside_its_safety_interval(session, seeded, app):
    batches = _sample_batches(session)
    statuses = safety_statuses(session, batches)
    flagged = [b for b in batches if not statuses[b.id].ok]

    assert len(flagged) == 1
    (batch,) = flagged
    assert "安全间隔期" in batch.notes
    assert batch.status == BatchStatus.REGISTERED
    assert statuses[batch.id].safe_from > batch.harvest_date
    farmer = session.scalar(select(User).where(User.phone == "13900000001"))
    with app.test_request_context(), pytest.raises(Conflict):  # the message formats a date
        batch_service.change_status(session, farmer, batch, BatchStatus.LISTED)


def test_one_failed_rapid_test_puts_its_batch_on_hold(session, seeded):
    results = list(session.scalars(select(ResidueTest.result)))
    failed = list(session.scalars(select(ResidueTest).where(ResidueTest.result == Outcome.FAIL)))

    assert len(failed) == 1 and results.count(Outcome.PASS) > 20
    assert failed[0].batch.status == BatchStatus.HELD
    today = clock.today_in_china()
    certs = list(session.scalars(select(Certification)))
    assert sum(c.is_expired(today) for c in certs) == 1 and len(certs) >= 2


def test_second_run_adds_nothing(session, seeded):
    before = _counts(session)

    again = seed_demo(session)
    session.commit()

    assert _counts(session) == before
    assert not +again.created


def test_shipments_never_exceed_a_batch_and_log_a_chilled_trip(session, seeded):
    shipped: dict[int, int] = defaultdict(int)
    for line in session.scalars(select(ShipmentLine)):
        shipped[line.batch_id] += line.quantity_g
    for batch_id, grams in shipped.items():
        assert 0 < grams <= session.get(Batch, batch_id).quantity_g

    shipments = list(session.scalars(select(Shipment)))
    assert {s.status for s in shipments} == {
        ShipmentStatus.PLANNED, ShipmentStatus.IN_TRANSIT, ShipmentStatus.DELIVERED}
    assert {s.to_place.name_zh[:2] for s in shipments} == {"上海", "杭州", "南京"}
    assert all(s.from_place.kind in (PlaceKind.COLD_STORE, PlaceKind.HUB) for s in shipments)
    excursions = 0
    for shipment in shipments:
        assert is_valid_plate(shipment.vehicle_plate) and shipment.vehicle_plate.startswith("皖K")
        assert shipment.set_point_c == Decimal("2.0")
        readings = list(session.scalars(
            select(TemperatureReading).where(TemperatureReading.shipment_id == shipment.id)
            .order_by(TemperatureReading.recorded_at)
        ))
        assert bool(readings) == (shipment.status != ShipmentStatus.PLANNED)
        gaps = {b.recorded_at - a.recorded_at for a, b in itertools.pairwise(readings)}
        assert gaps <= {dt.timedelta(minutes=10)}
        excursions += any(r.celsius > 4 for r in readings)
    assert excursions == 1


def test_demo_has_a_split_a_merge_and_a_shipment_to_a_buyer_site(session, seeded, app):
    inspector = session.scalar(select(User).where(User.phone == "13900000005"))
    merged = session.scalar(select(Batch).where(Batch.notes.startswith("合并自")))
    split = session.scalars(select(Batch).where(Batch.notes.startswith("拆分自"))).all()
    assert merged is not None and len(split) == 2
    with app.test_request_context():
        backward = lot_trace.trace_lot(session, inspector, merged, "backward")
        assert len(backward.lots) == 2 and len(backward.farms) == 2
        shipped = session.scalar(select(ShipmentLine).join(Shipment).join(
            Place, Place.id == Shipment.to_place_id).where(Place.buyer_id.is_not(None)))
        forward = lot_trace.trace_lot(session, inspector, shipped.batch, "forward")
    assert [b.phone for b in forward.buyers] == ["13900000003"]


def test_plan_is_deterministic():
    today = dt.date(2026, 3, 15)
    now = dt.datetime(2026, 3, 15, 6, 0, tzinfo=dt.UTC)
    assert build_plan(today, now) == build_plan(today, now)


def test_seed_demo_command_prints_the_sign_ins(app, session):
    result = app.test_cli_runner().invoke(args=["seed-demo"])

    assert result.exit_code == 0, result.output
    assert "[13/13]" in result.output
    for sign_in in SIGN_INS:
        assert sign_in.person.phone in result.output
    assert session.scalar(select(func.count()).select_from(Producer).where(Producer.is_sample))


def test_readme_shows_the_sign_ins_the_command_prints():
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text("utf-8")
    for sign_in in walkthrough.readme_rows():
        row = (f"| {sign_in.person.role.value} | {sign_in.person.phone} | {DEMO_PASSWORD} "
               f"| {sign_in.what_to_try} |")
        assert row in readme
    # README names no lot code: codes carry the harvest date, which moves with the seeding day
    assert not re.search(r"FY\d{6}-\d{6}-\d{3}", readme)


@pytest.mark.parametrize("days_later", [0, -9])
def test_printed_sign_ins_name_lots_that_exist_and_are_what_they_say(session, days_later):
    """The table `flask seed-demo` prints names the seeded lots, on whatever day it is seeded
    (the README's FY341222-261120-001 existed only when seeded on 2026-11-26)."""
    now = dt.datetime.now(dt.UTC) + dt.timedelta(days=days_later)  # never in the future
    result = seed_demo(session, today=now.astimezone(clock.CHINA).date(), now=now)
    printed = "\n".join(s.what_to_try for s in result.sign_ins)
    assert "‹" not in printed
    codes = set(re.findall(r"FY\d{6}-\d{6}-\d{3}", printed))
    batches = {b.lot_code: b for b in session.scalars(select(Batch).where(
        Batch.lot_code.in_(codes)))}
    assert set(batches) == codes and len(codes) == 4
    by_field = {field: batches[code] for field, code in _printed_fields(result).items()}
    assert by_field["spinach_lot"].product.name_en == "Spinach"
    assert not safety_statuses(session, [by_field["spinach_lot"]])[by_field["spinach_lot"].id].ok
    assert by_field["celery_lot"].status == BatchStatus.HELD
    toon = by_field["toon_lot"]
    assert toon.product.name_en.startswith("Chinese toon")
    (line,) = session.scalars(select(ShipmentLine).where(ShipmentLine.batch_id == toon.id))
    assert line.shipment.status == ShipmentStatus.DELIVERED
    assert "Shanghai" in line.shipment.to_place.name_en
    assert session.scalar(select(func.max(TemperatureReading.celsius)).where(
        TemperatureReading.shipment_id == line.shipment_id)) > Decimal("4")  # the excursion
    inspector = session.scalar(select(User).where(User.role == Role.INSPECTOR))
    merged = lot_trace.trace_lot(session, inspector, by_field["merged_lot"], "backward")
    assert len(merged.lots) == 2


def _printed_fields(result) -> dict[str, str]:
    """Which lot code each field of the template became in the printed table."""
    found: dict[str, str] = {}
    for template, printed in zip(SIGN_INS, result.sign_ins, strict=True):
        pattern = re.escape(template.what_to_try)
        for field in walkthrough.PLACEHOLDERS:
            pattern = pattern.replace(re.escape("{" + field + "}"), f"(?P<{field}>[^ ,;]+)", 1)
            pattern = pattern.replace(re.escape("{" + field + "}"), f"(?P={field})")
        match = re.fullmatch(pattern, printed.what_to_try)
        assert match, printed.what_to_try
        found.update(match.groupdict())
    return found


def test_demo_marketplace_has_listings_and_buyer_accounts(session, seeded):
    from freshcircle.platform.models import BuyerProfile, Listing, ListingStatus

    listings = session.scalars(select(Listing)).all()
    assert len(listings) >= 20
    for listing in listings:
        assert listing.status == ListingStatus.ACTIVE and listing.batch.status.value == "listed"
        assert 0 < listing.min_order_g <= listing.offered_g
        # the offer is set aside from what the batch had left, never more
        assert batch_service.remaining_grams(session, listing.batch) >= 0
    garlic = [lst for lst in listings if lst.product.name_en.startswith("Garlic")]
    assert garlic and garlic[0].price_fen_per_jin == 460
    profile = session.get(BuyerProfile, session.scalar(
        select(User.id).where(User.phone == "13900000003")))
    assert profile.default_site.buyer_id == profile.user_id


def test_lots_merged_or_split_away_are_not_on_sale(session, seeded):
    """Issue 13: demo lots 15 and 16 went into a merged lot yet still showed 在售."""
    from freshcircle.platform.batches.services import lot_stock
    from freshcircle.platform.models import Listing, ListingStatus, LotLink

    sources = session.scalars(select(Batch).join(LotLink, LotLink.source_batch_id == Batch.id)
                              .where(LotLink.kind.in_(("merge", "split"))).distinct()).all()
    assert sources
    for batch in sources:
        stock = lot_stock.remaining(session, batch)
        on_sale = session.scalar(select(Listing.id).where(
            Listing.batch_id == batch.id, Listing.status == ListingStatus.ACTIVE))
        if stock.remaining_g == 0:
            assert batch.status == BatchStatus.USED_UP, batch.lot_code
            assert on_sale is None, batch.lot_code
        else:
            assert batch.status != BatchStatus.USED_UP


@pytest.mark.parametrize("hour", [1, 7, 12, 20])
def test_demo_order_times_follow_the_rules(app, session, hour):
    """Placed before confirmed, before shipped, before delivered, all before seeding, and
    placed before the cut-off of the order's dispatch day (issue 13: 确认 10:00 before 下单
    18:13)."""
    from freshcircle.platform.market.services import delivery
    from freshcircle.platform.models import Order

    now = dt.datetime(2026, 12, 4, hour, 30, tzinfo=clock.CHINA).astimezone(dt.UTC)
    seed_demo(session, today=now.astimezone(clock.CHINA).date(), now=now)
    session.flush()
    placed = session.scalars(select(Order)).all()
    assert placed
    for order in placed:
        stamps = [s for s in (order.placed_at, order.confirmed_at, order.packed_at,
                              order.shipped_at, order.delivered_at) if s is not None]
        assert stamps == sorted(stamps), order.id
        assert stamps[-1] <= now, order.id
        assert order.placed_at < delivery.cutoff_for(order.producer, order.dispatch_date)
    # the inbox dates each order notice at its step, not at seeding time
    from freshcircle.platform.models import Notice

    confirmed = {o.id: o.confirmed_at for o in placed}
    for notice in session.scalars(select(Notice).where(Notice.kind == "order_confirmed")):
        assert notice.created_at == confirmed[int(notice.subject.lstrip("#"))]


def test_demo_lots_and_inputs_are_on_plot_records_and_every_claim_has_records(session, seeded):
    plots = session.scalars(select(Plot)).all()
    # a merged lot of two plots gets a plot named after both, with no area of its own
    assert plots and all(p.area_mu and p.area_mu > 0 for p in plots if "、" not in p.name)
    assert all(p.crops for p in plots if session.scalar(
        select(func.count(Batch.id)).where(Batch.plot_id == p.id)))
    # every input and batch is on a plot of its own producer
    for model in (Batch, FarmInput):
        rows = session.execute(select(model.producer_id, Plot.producer_id)
                               .join(Plot, Plot.id == model.plot_id)).all()
        assert rows and all(a == b for a, b in rows)
    batches = session.scalars(select(Batch)).all()
    outcomes = {s.outcome for s in safety_statuses(session, batches).values()}
    assert {"passed", "not_passed"} <= outcomes


def test_the_held_demo_lot_is_a_recall_record_that_told_its_co_op(session):
    from freshcircle.platform.models import RecallRecord

    seed_demo(session)
    (record,) = session.scalars(select(RecallRecord)).all()
    assert record.status == BatchStatus.HELD and record.batch.status == BatchStatus.HELD
    assert record.actor.role == Role.INSPECTOR and record.reason.startswith("农残快检不合格")
    assert record.recipients, "the co-op's members were told"


def test_demo_plantings_give_buyers_a_forecast_learnt_from_last_season(session, seeded, app):
    """Each sample crop has last season's planting, its batches linked to it, and this
    season's; the buyers' forecast shows the coming weeks with a band from the differences."""
    from freshcircle.platform.core.services.clock import today_in_china
    from freshcircle.platform.models import Planting
    from freshcircle.platform.plantings.services import supply_forecast

    plantings = session.scalars(select(Planting)).all()
    today = today_in_china()
    harvested = [p for p in plantings if p.harvest_to < today]
    coming = [p for p in plantings if p.harvest_from > today]
    assert len(harvested) >= 20 and len(coming) >= 20
    linked = session.scalars(select(Batch).where(Batch.planting_id.is_not(None))).all()
    assert linked and all(b.planting.plot_id == b.plot_id and
                          b.planting.product_id == b.product_id for b in linked)
    with app.test_request_context():
        forecast = supply_forecast.supply_forecast(session)
    assert forecast.products and any(
        w.low_jin < w.expected_jin < w.high_jin for s in forecast.products for w in s.weeks)

"""Cut-off notices: sent only after the producer's cut-off, only to producers with orders for
the day, to every member, with the packing list per batch; once."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import func, select

from freshcircle.platform.core.services.clock import CHINA
from freshcircle.platform.market.services import cutoffs, orders
from freshcircle.platform.models import (
    CutoffNotice,
    MemberRole,
    Membership,
    Notice,
    OrderStatus,
    Role,
)
from tests.platform.market_helpers import market

MORNING = dt.datetime(2026, 11, 26, 10, 0, tzinfo=CHINA)
JUST_BEFORE = dt.datetime(2026, 11, 26, 15, 59, tzinfo=CHINA)
JUST_AFTER = dt.datetime(2026, 11, 26, 16, 1, tzinfo=CHINA)


def _order(session, m, jin):
    (order,) = orders.checkout(session, m.buyer, m.site.id,
                               [{"listing_id": m.listing.id, "quantity": jin, "unit": "jin"}],
                               MORNING)
    session.commit()
    return order


def _count(session, model, *where):
    return session.scalar(select(func.count()).select_from(model).where(*where))


def test_notice_after_the_cut_off_to_every_member_with_the_packing_list(make, session):
    m = market(make, session)
    member = make.user(Role.COOP_ADMIN, name="社员二")
    session.add(Membership(user_id=member.id, producer_id=m.listing.producer_id,
                           role=MemberRole.MEMBER))
    order = _order(session, m, "100")
    second = market(make, session)  # the same buyer helper makes another buyer and site
    other_order = orders.checkout(session, second.buyer, second.site.id, [
        {"listing_id": second.listing.id, "quantity": "40", "unit": "jin"}], MORNING)[0]
    session.commit()

    assert cutoffs.send_due(session, JUST_BEFORE) == []
    assert _count(session, Notice, Notice.kind == "cutoff") == 0

    sent = cutoffs.send_due(session, JUST_AFTER)
    session.commit()

    assert {(s.producer_id, s.dispatch_date, s.orders) for s in sent} == {
        (m.listing.producer_id, dt.date(2026, 11, 27), 1),
        (second.listing.producer_id, dt.date(2026, 11, 27), 1)}
    notices = session.scalars(select(Notice).where(
        Notice.kind == "cutoff", Notice.user_id.in_([m.farmer.id, member.id]))).all()
    assert sorted(n.user_id for n in notices) == sorted([m.farmer.id, member.id])
    facts = json.loads(notices[0].payload)
    assert facts["dispatch_date"] == "2026-11-27" and facts["orders"] == [order.id]
    (batch,) = facts["batches"]
    assert batch["lot"] == m.listing.batch.lot_code and batch["grams"] == 50_000
    assert batch["product_zh"] == m.listing.batch.product.name_zh
    assert [o["order"] for o in batch["orders"]] == [order.id]
    assert other_order.id not in facts["orders"]
    row = session.scalar(select(CutoffNotice).where(
        CutoffNotice.producer_id == m.listing.producer_id))
    assert row.orders == 1 and row.emailed is False and row.sent_at is not None
    assert _count(session, Notice, Notice.user_id == m.buyer.id) == 0  # buyers are not told


def test_sending_again_sends_nothing(make, session):
    m = market(make, session)
    _order(session, m, "100")
    assert len(cutoffs.send_due(session, JUST_AFTER)) == 1
    session.commit()

    assert cutoffs.send_due(session, JUST_AFTER + dt.timedelta(minutes=5)) == []
    assert cutoffs.send_due(session, JUST_AFTER + dt.timedelta(hours=3)) == []
    session.commit()
    assert _count(session, Notice, Notice.kind == "cutoff") == 1
    assert _count(session, CutoffNotice) == 1


def test_producers_without_orders_or_with_only_cancelled_ones_get_nothing(make, session):
    idle = market(make, session)  # listed, never ordered
    cancelled = market(make, session)
    order = _order(session, cancelled, "100")
    orders.advance(session, cancelled.buyer, order, OrderStatus.CANCELLED, now=MORNING)
    session.commit()

    assert cutoffs.send_due(session, JUST_AFTER) == []
    assert _count(session, Notice, Notice.kind == "cutoff",
                  Notice.user_id.in_([idle.farmer.id, cancelled.farmer.id])) == 0


def test_a_later_cut_off_time_is_respected(make, session):
    m = market(make, session)
    m.listing.producer.order_cutoff = dt.time(18, 0)
    session.commit()
    _order(session, m, "100")

    assert cutoffs.send_due(session, JUST_AFTER) == []
    assert len(cutoffs.send_due(session, JUST_AFTER.replace(hour=18, minute=0))) == 1


def test_cli_sends_the_due_notices(app, make, session):
    m = market(make, session)
    _order(session, m, "100")
    runner = app.test_cli_runner()

    first = runner.invoke(args=["send-cutoff-notices", "--now", JUST_AFTER.isoformat()])
    again = runner.invoke(args=["send-cutoff-notices", "--now", JUST_AFTER.isoformat()])
    naive = runner.invoke(args=["send-cutoff-notices", "--now", "2026-11-26T16:01"])

    assert first.exit_code == 0, first.output
    assert "1 cut-off notice(s) sent." in first.output
    assert "0 cut-off notice(s) sent." in again.output
    assert naive.exit_code != 0 and "time zone" in naive.output
    assert _count(session, Notice, Notice.kind == "cutoff", Notice.user_id == m.farmer.id) == 1

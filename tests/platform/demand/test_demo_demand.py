"""The demo's standing demands: two buyers' needs, matched, the demo farmer told; once only."""

from __future__ import annotations

from sqlalchemy import func, select

from freshcircle.platform.demo import seed_demo
from freshcircle.platform.models import Notice, StandingDemand, User


def test_two_demo_demands_matched_and_the_demo_farmer_told_once(session):
    seed_demo(session)
    session.commit()

    demands = list(session.scalars(select(StandingDemand).order_by(StandingDemand.id)))
    assert [d.product.name_zh for d in demands] == ["菠菜", "大蒜"]
    spinach, garlic = demands
    assert spinach.price_fen_per_jin is None and garlic.price_fen_per_jin == 480
    assert "太和县绿香香椿种植专业合作社（示例）" in [m.producer.name for m in spinach.matches]
    assert garlic.matches
    farmer = session.scalar(select(User).where(User.phone == "13900000001"))
    told = session.scalar(select(func.count()).select_from(Notice).where(
        Notice.user_id == farmer.id, Notice.kind == "demand_match"))
    assert told == 1

    again = seed_demo(session)
    session.commit()
    assert again.created["standing demands"] == 0
    assert session.scalar(select(func.count()).select_from(StandingDemand)) == 2

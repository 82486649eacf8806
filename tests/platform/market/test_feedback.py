"""Ratings and disputes after delivery: one rating per order, the producer's average, a
dispute with a real photo, the producer's answer, closing, and who may see what."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from freshcircle.platform.core.services.clock import CHINA
from freshcircle.platform.core.services.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from freshcircle.platform.market.services import feedback, orders
from freshcircle.platform.models import (
    Dispute,
    DisputeStatus,
    OrderStatus,
    Rating,
    StoredFile,
)
from tests.platform.market_helpers import buyer_with_site, market
from tests.platform.page_helpers import TINY_JPEG, TINY_PDF

NOW = dt.datetime(2026, 11, 26, 10, 0, tzinfo=CHINA)
MAX = 8 * 1024 * 1024


def delivered(make, session, m=None, buyer=None, site=None, status=OrderStatus.DELIVERED):
    """An order of 40 斤 from `m`'s listing, delivered (and completed if asked)."""
    m = m or market(make, session)
    buyer, site = buyer or m.buyer, site or m.site
    (order,) = orders.checkout(session, buyer, site.id,
                               [{"listing_id": m.listing.id, "quantity": "40"}], NOW)
    for step in (OrderStatus.CONFIRMED, OrderStatus.PACKED, OrderStatus.SHIPPED,
                 OrderStatus.DELIVERED):
        orders.advance(session, m.farmer, order, step, now=NOW)
    if status == OrderStatus.COMPLETED:
        orders.advance(session, buyer, order, status, now=NOW)
    session.commit()
    return m, order


def test_rating_after_delivery_one_per_order_and_the_average(make, session):
    m, first = delivered(make, session)
    other_buyer, other_site = buyer_with_site(make, session, name="钱买家")
    _, second = delivered(make, session, m, other_buyer, other_site, OrderStatus.COMPLETED)

    feedback.rate(session, m.buyer, first, 5, "很新鲜")
    feedback.rate(session, m.buyer, first, "4", "叶子有点黄")  # changes the same rating
    feedback.rate(session, other_buyer, second, 5)

    assert session.scalar(select(func.count()).select_from(Rating)) == 2
    assert session.get(Rating, first.id).comment == "叶子有点黄"
    summary = feedback.rating_summary(session, m.listing.producer_id)
    assert (summary.count, summary.average) == (2, Decimal("4.5"))
    assert feedback.rating_summary(session, 999_999).average is None


def test_rating_needs_delivery_and_valid_stars(make, session):
    m = market(make, session)
    (order,) = orders.checkout(session, m.buyer, m.site.id,
                               [{"listing_id": m.listing.id, "quantity": "40"}], NOW)
    with pytest.raises(Conflict):
        feedback.rate(session, m.buyer, order, 5)
    m, order = delivered(make, session, m)
    for stars in (0, 6, "4.5", None, "很好"):
        with pytest.raises(InvalidInput) as bad:
            feedback.rate(session, m.buyer, order, stars, "x" * 501)
        assert set(bad.value.errors) == {"stars", "comment"}
    with pytest.raises(PermissionDenied):
        feedback.rate(session, m.farmer, order, 5)
    assert session.scalar(select(func.count()).select_from(Rating)) == 0


def test_dispute_with_a_photo_answered_and_closed(make, session):
    m, order = delivered(make, session)

    dispute = feedback.open_dispute(session, m.buyer, order, "三箱烂了",
                                    photo=("烂菜.jpg", TINY_JPEG), max_bytes=MAX, now=NOW)

    assert dispute.status == DisputeStatus.OPEN
    photo = feedback.dispute_photo(session, m.buyer, dispute.id)
    assert photo.content_type == "image/jpeg" and photo.producer_id == order.producer_id
    assert feedback.dispute_photo(session, m.farmer, dispute.id).id == photo.id
    with pytest.raises(PermissionDenied):
        feedback.reply(session, m.buyer, dispute, "我自己回答")
    feedback.reply(session, m.farmer, dispute, "明天补发三箱", now=NOW)
    assert dispute.status == DisputeStatus.ANSWERED and dispute.replied_by_id == m.farmer.id
    with pytest.raises(PermissionDenied):
        feedback.close(session, m.farmer, dispute)
    feedback.close(session, m.buyer, dispute)
    assert dispute.status == DisputeStatus.CLOSED
    with pytest.raises(Conflict):
        feedback.reply(session, m.farmer, dispute, "还有吗")


def test_a_bad_dispute_writes_nothing_and_names_each_field(make, session):
    m, order = delivered(make, session)

    with pytest.raises(InvalidInput) as bad:
        feedback.open_dispute(session, m.buyer, order, "  ", photo=("r.pdf", TINY_PDF),
                              max_bytes=MAX)
    assert set(bad.value.errors) == {"text", "photo"}
    with pytest.raises(InvalidInput) as big:
        feedback.open_dispute(session, m.buyer, order, "坏了", photo=("a.jpg", TINY_JPEG),
                              max_bytes=100)
    assert list(big.value.errors) == ["photo"]
    assert session.scalar(select(func.count()).select_from(Dispute)) == 0
    assert session.scalar(select(func.count()).select_from(StoredFile)) == 0


def test_others_do_not_see_the_dispute(make, session):
    m, order = delivered(make, session)
    dispute = feedback.open_dispute(session, m.buyer, order, "少了五斤", max_bytes=MAX)
    stranger, _ = buyer_with_site(make, session, name="路人")
    other_farmer = make.user(name="别人")
    make.producer(other_farmer, name="别的农场")

    for who in (stranger, other_farmer):
        with pytest.raises(NotFound):
            feedback.get_dispute(session, who, dispute.id)
    with pytest.raises(NotFound):
        feedback.dispute_photo(session, m.buyer, dispute.id)  # no photo
    with pytest.raises(Conflict):
        placed = orders.checkout(session, m.buyer, m.site.id,
                                 [{"listing_id": m.listing.id, "quantity": "40"}],
                                 NOW + dt.timedelta(days=3))[0]
        feedback.open_dispute(session, m.buyer, placed, "还没到", max_bytes=MAX)

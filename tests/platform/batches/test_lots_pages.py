"""拆分 / 合并 on a phone: the farmer's split and merge pages, and the links to them and to
the inspector's trace from the batch page."""

from __future__ import annotations

from sqlalchemy import select

from freshcircle.platform.models import Batch, BatchStatus, Role
from tests.platform.page_helpers import count, element_html, field_errors, text, text_of


def test_farmer_splits_a_lot_in_jin_from_the_page(make, login, session):
    farmer = make.user()
    batch = make.batch(make.producer(farmer), quantity_g=100_000)
    client = login(farmer)
    detail = client.get(f"/batches/{batch.id}")
    assert f"/batches/{batch.id}/lots" in element_html(detail, "split-merge")
    page = client.get(f"/batches/{batch.id}/lots")
    assert page.status_code == 200 and "拆分" in text(page)

    response = client.post(f"/batches/{batch.id}/split",
                           data={"part1": "６０", "part2": "40", "unit": "jin"},
                           follow_redirects=True)

    assert response.status_code == 200
    made = session.scalars(select(Batch).where(Batch.id != batch.id)
                           .order_by(Batch.id)).all()
    assert [b.quantity_g for b in made] == [30_000, 20_000]
    assert all(b.lot_code in text(response) for b in made)


def test_splitting_more_than_is_left_shows_why_and_makes_nothing(make, login, session):
    farmer = make.user()
    batch = make.batch(make.producer(farmer), quantity_g=10_000)
    client = login(farmer)
    before = count(session, Batch)

    response = client.post(f"/batches/{batch.id}/split", data={"part1": "30", "unit": "jin"})

    assert response.status_code == 409
    assert f"批次 {batch.lot_code} 只剩 10 kg。" in text(response)
    empty = client.post(f"/batches/{batch.id}/split", data={"unit": "kg"})
    assert empty.status_code == 422 and field_errors(empty, "part1")
    assert count(session, Batch) == before


def test_farmer_merges_lots_of_one_product(make, login, session):
    farmer = make.user()
    producer = make.producer(farmer)
    one = make.batch(producer, quantity_g=20_000)
    two = make.batch(producer, quantity_g=30_000)
    held = make.batch(producer, status=BatchStatus.HELD)
    other_product = make.batch(producer, product=make.product("Watermelon"))
    client = login(farmer)
    page = client.get(f"/batches/{one.id}/lots")
    choices = text_of(element_html(page, "merge-form"))
    assert two.lot_code in choices
    assert held.lot_code not in choices and other_product.lot_code not in choices

    response = client.post(f"/batches/{one.id}/merge", data={"others": [str(two.id)]},
                           follow_redirects=True)

    assert response.status_code == 200
    merged = session.scalar(select(Batch).order_by(Batch.id.desc()))
    assert merged.quantity_g == 50_000 and merged.lot_code in text(response)
    refused = client.post(f"/batches/{one.id}/merge", data={})
    assert refused.status_code == 422


def test_inspector_sees_the_trace_link_and_a_buyer_cannot_split(make, login, session):
    farmer = make.user()
    batch = make.batch(make.producer(farmer))
    inspector = login(make.user(Role.INSPECTOR))
    detail = inspector.get(f"/batches/{batch.id}")
    assert f"/inspector/batches/{batch.id}/trace" in element_html(detail, "trace-link")
    buyer = login(make.user(Role.BUYER))
    assert buyer.post(f"/batches/{batch.id}/split",
                      data={"part1": "1", "unit": "kg"}).status_code == 403
    stranger = login(make.user())
    assert stranger.get(f"/batches/{batch.id}/lots").status_code in (403, 404)

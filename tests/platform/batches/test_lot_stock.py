"""One stock figure per lot (issue 13): the batch page, the listing form, the lots page and
the API all state what `lot_stock.remaining` computes, and a lot merged or split away in full
leaves the market at that moment."""

from __future__ import annotations

from freshcircle.platform.batches.services import lot_stock
from freshcircle.platform.models import BatchStatus, ListingStatus
from tests.platform.genealogy_helpers import merge, split
from tests.platform.market_helpers import market
from tests.platform.page_helpers import element, text


def _lot_22(make, session):
    """800 斤 registered, 535 斤 on a planned shipment, the other 265 斤 listed."""
    m = market(make, session, quantity_g=400_000, offered="265", min_order="20")
    batch = m.listing.batch
    make.shipment(lines=[(batch, 267_500)])
    session.commit()
    return m, batch


def test_lot_22_shows_one_remaining_figure_everywhere(make, login, session):
    m, batch = _lot_22(make, session)
    stock = lot_stock.remaining(session, batch)
    assert (stock.remaining_g, stock.shipped_g, stock.on_sale_g) == (132_500, 267_500, 132_500)
    client = login(m.farmer)

    detail = client.get(f"/batches/{batch.id}")
    assert "265 斤" in element(detail, "remaining")
    assert "未发运" not in text(detail)
    form = client.get(f"/batches/{batch.id}/listing")
    assert "265 斤" in element(form, "left")
    lots = client.get(f"/batches/{batch.id}/lots")
    assert "剩余：265 斤" in text(lots)
    assert client.get(f"/api/v1/batches/{batch.id}").json["remaining_g"] == 132_500
    assert client.get(f"/api/v1/listings/{m.listing.id}").json["left_g"] == 132_500


def test_ordered_grams_leave_the_lot_and_the_form_counts_them_back(make, login, session):
    m, batch = _lot_22(make, session)
    from freshcircle.platform.market.services import listings

    listings.reserve(session, m.listing.id, 50_000)  # 100 斤 ordered
    session.commit()
    stock = lot_stock.remaining(session, batch)
    assert (stock.remaining_g, stock.reserved_g, stock.on_sale_g) == (82_500, 50_000, 82_500)
    client = login(m.farmer)
    assert "165 斤" in element(client.get(f"/batches/{batch.id}"), "remaining")
    hint = element(client.get(f"/batches/{batch.id}/listing"), "left")
    assert "165 斤" in hint and "100 斤" in hint


def test_a_listed_lot_split_away_in_full_leaves_the_market(make, login, session):
    m = market(make, session, quantity_g=100_000, offered="200")  # all 200 斤 on sale
    batch = m.listing.batch
    client = login(m.farmer)

    response = split(client, batch.id, 120, 80, unit="jin")

    assert response.status_code == 201, response.json
    session.expire_all()
    assert m.listing.status == ListingStatus.CLOSED
    assert batch.status == BatchStatus.USED_UP
    assert client.get(f"/api/v1/batches/{batch.id}").json["remaining_g"] == 0
    buyer = login(m.buyer)
    assert buyer.get(f"/market/listings/{m.listing.id}").status_code == 404
    assert "已全部制成新批次" in text(client.get(f"/batches/{batch.id}"))


def test_a_partial_split_shrinks_the_offer_to_what_is_left(make, login, session):
    m = market(make, session, quantity_g=100_000, offered="200")
    client = login(m.farmer)

    assert split(client, m.listing.batch_id, 50, unit="jin").status_code == 201

    session.expire_all()
    assert (m.listing.status, m.listing.left_g) == (ListingStatus.ACTIVE, 75_000)


def test_lots_merged_away_in_full_are_no_longer_listed(make, login, session):
    farmer = make.user()
    producer = make.producer(farmer)
    one = make.batch(producer, quantity_g=20_000, status=BatchStatus.LISTED)
    two = make.batch(producer, quantity_g=30_000, status=BatchStatus.LISTED)
    session.commit()
    client = login(farmer)

    assert merge(client, {"batch_id": one.id}, {"batch_id": two.id}).status_code == 201

    session.expire_all()
    assert one.status == two.status == BatchStatus.USED_UP

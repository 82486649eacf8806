"""A hold or recall reaches every lot made from the lot, its event is recorded for each, and
every buyer, carrier and producer member concerned gets a notice in their inbox."""

from __future__ import annotations

from sqlalchemy import func, select

from freshcircle.platform.models import Batch, BatchStatus, Notice, Role
from tests.platform.epcis_helpers import events_of
from tests.platform.genealogy_helpers import family
from tests.platform.page_helpers import element_html, text, text_of


def _restrict(client, batch, status, reason="农残超标（毒死蜱）"):
    return client.post(f"/api/v1/batches/{batch.id}/status",
                       json={"status": status, "reason": reason})


def test_recall_cascades_to_split_and_merged_lots_and_records_each_event(make, login, session):
    fam = family(make, login, session)
    inspector = login(fam.inspector)

    response = _restrict(inspector, fam.root, "recalled")

    assert response.status_code == 200, response.json
    for lot in (fam.root, fam.a, fam.b, fam.merged):
        session.refresh(lot)
        assert lot.status == BatchStatus.RECALLED, lot.lot_code
        steps = [(e.get("bizStep", ""), e.get("disposition", ""))
                 for e in events_of(inspector, lot=lot.lot_code)]
        assert any(d.endswith("recalled") for _, d in steps), (lot.lot_code, steps)
    assert fam.merged.status_reason.endswith(f"（源自批次 {fam.root.lot_code}）")
    session.refresh(fam.other)
    # an input of the merge, not made from root: not recalled (all of it went into the merge)
    assert fam.other.status == BatchStatus.USED_UP
    # the listing is gone: a recalled lot cannot be listed again
    farmer = login(fam.farmer)
    assert farmer.post(f"/api/v1/batches/{fam.a.id}/status",
                       json={"status": "listed"}).status_code == 409


def test_recall_notifies_the_buyer_carrier_and_producer_with_what_concerns_them(make, login,
                                                                                 session):
    fam = family(make, login, session)
    bystander = make.user(Role.BUYER, name="无关买家")
    _restrict(login(fam.inspector), fam.root, "recalled")

    (notice,) = login(fam.buyer).get("/api/v1/notices").json
    assert notice["kind"] == "recalled" and notice["lot"] == fam.root.lot_code
    assert notice["facts"]["reason"] == "农残超标（毒死蜱）"
    (shipped,) = notice["facts"]["shipments"]
    assert shipped["lot"] == fam.a.lot_code and shipped["grams"] == 10_000
    assert shipped["place_zh"] == "上海鲜达配送中心"
    assert set(notice["facts"]["lots"]) == {fam.root.lot_code, fam.a.lot_code, fam.b.lot_code,
                                            fam.merged.lot_code}
    (carried,) = login(fam.carrier).get("/api/v1/notices").json
    assert carried["facts"]["shipments"][0]["shipment"] == fam.shipment.id
    (own,) = login(fam.farmer).get("/api/v1/notices").json
    assert own["facts"]["shipments"] == []
    assert login(bystander).get("/api/v1/notices").json == []


def test_notices_are_marked_read_by_their_owner_only(make, login, session):
    fam = family(make, login, session)
    _restrict(login(fam.inspector), fam.root, "held", reason="等待复检")
    notice_id = session.scalar(select(Notice.id).where(Notice.user_id == fam.buyer.id))

    carrier = login(fam.carrier)
    # another user's notice answers as one that does not exist: 404, nothing changes
    assert carrier.post(f"/api/v1/notices/{notice_id}/read").status_code == 404
    assert carrier.post(f"/api/v1/notices/{notice_id + 10_000}/read").status_code == 404
    assert session.scalar(select(Notice.read_at).where(Notice.id == notice_id)) is None
    buyer = login(fam.buyer)
    assert buyer.post(f"/api/v1/notices/{notice_id}/read").json == {"marked": 1}
    assert buyer.get("/api/v1/notices").json[0]["read"] is True
    # one's own notice read again: found, nothing left to mark
    assert buyer.post(f"/api/v1/notices/{notice_id}/read").json == {"marked": 0}


def test_hold_reaches_derived_lots_and_a_later_recall_reaches_held_ones(make, login, session):
    fam = family(make, login, session)
    inspector = login(fam.inspector)
    assert _restrict(inspector, fam.a, "held", reason="等待复检").status_code == 200

    assert _restrict(inspector, fam.root, "recalled").status_code == 200

    session.refresh(fam.a)
    assert fam.a.status == BatchStatus.RECALLED


def test_a_refused_recall_changes_nothing_and_notifies_nobody(make, login, session):
    fam = family(make, login, session)

    assert _restrict(login(fam.farmer), fam.root, "recalled").status_code == 403
    assert _restrict(login(fam.inspector), fam.root, "recalled", reason=" ").status_code == 422

    assert session.scalar(select(func.count()).select_from(Notice)) == 0
    assert {session.get(Batch, b.id).status for b in (fam.root, fam.a, fam.merged)} == {
        BatchStatus.REGISTERED}


def test_recall_from_the_batch_page_shows_the_effects(make, login, session):
    fam = family(make, login, session)
    inspector = login(fam.inspector)

    response = inspector.post(f"/batches/{fam.root.id}/status", data={
        "status": "recalled", "reason": "农残超标", "confirmed": "1"}, follow_redirects=True)

    assert response.status_code == 200
    assert response.request.path.startswith("/inspector/recalls/")
    page = text(response)
    assert "另有 3 个由它制成的批次状态相同。" in page and "已通知 3 人。" in page
    response = inspector.get(f"/inspector/batches/{fam.root.id}/trace")
    shipments = text_of(element_html(response, "shipments"))
    assert fam.a.lot_code in shipments and "王买家" in shipments
    assert fam.merged.lot_code in text_of(element_html(response, "forward"))
    inbox = text(login(fam.buyer).get("/notices"))
    assert f"召回：批次 {fam.root.lot_code}" in inbox and "上海鲜达配送中心" in inbox


def test_recall_reaches_buyers_who_ordered_the_lot_and_closes_its_listing(make, login,
                                                                          session):
    import datetime as dt

    from freshcircle.platform.core.services.clock import CHINA
    from freshcircle.platform.market.services import orders
    from freshcircle.platform.models import ListingStatus
    from tests.platform.market_helpers import market

    m = market(make, session)
    orders.checkout(session, m.buyer, m.site.id, [
        {"listing_id": m.listing.id, "quantity": "100", "unit": "jin"}],
        dt.datetime(2026, 11, 26, 10, 0, tzinfo=CHINA))
    session.commit()
    inspector = login(make.user(Role.INSPECTOR))

    assert _restrict(inspector, m.listing.batch, "recalled").status_code == 200

    session.refresh(m.listing)
    assert m.listing.status == ListingStatus.CLOSED
    trace = inspector.get(f"/api/v1/batches/{m.listing.batch_id}/trace").json
    assert [(o["lot"], o["quantity_kg"]) for o in trace["orders"]] == [
        (m.listing.batch.lot_code, "50")]
    assert trace["buyers"] == [{"id": m.buyer.id, "name": m.buyer.name}]
    (notice,) = login(m.buyer).get("/api/v1/notices").json
    assert notice["facts"]["orders"][0]["grams"] == 50_000
    inbox = text(login(m.buyer).get("/notices"))
    assert "与您有关的订单" in inbox or "Your orders with these lots" in inbox
    page = text(inspector.get(f"/inspector/batches/{m.listing.batch_id}/trace"))
    assert m.buyer.name in page

"""Sales reports: by batch, member, buyer and period from non-cancelled orders, delivered
weight where known, sums that add up, CSV, money in both languages, and who may see them."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from freshcircle.platform.core.services.clock import CHINA, today_in_china
from freshcircle.platform.core.services.errors import PermissionDenied
from freshcircle.platform.market.services import listings, orders, sales_reports
from freshcircle.platform.models import BuyerProfile, MemberRole, Membership, OrderStatus, Role
from tests.platform.market_helpers import buyer_with_site, market
from tests.platform.page_helpers import element, text

MORNING = dt.datetime(2026, 11, 26, 10, 0, tzinfo=CHINA)  # dispatch 2026-11-27
DECEMBER = dt.datetime(2026, 12, 2, 10, 0, tzinfo=CHINA)  # dispatch 2026-12-03


def _buy(session, buyer, site, listing, jin, now=MORNING):
    (order,) = orders.checkout(session, buyer, site.id, [
        {"listing_id": listing.id, "quantity": jin, "unit": "jin"}], now)
    return order


@pytest.fixture
def sales(make, session):
    """Two members' batches of one co-op, two buyers, one catch-weight delivery, one
    cancelled order. Amounts: lot 1 ¥1,948.00 + ¥120.00, lot 2 ¥140.00; ¥2,208.00 in all."""
    m = market(make, session, price="4.00")
    producer = m.listing.producer
    m.listing.batch.created_by_id = m.farmer.id
    member = make.user(name="社员乙")
    session.add(Membership(user_id=member.id, producer_id=producer.id,
                           role=MemberRole.MEMBER))
    batch2 = make.batch(producer, created_by_id=member.id)
    listing2 = listings.create_listing(session, member, batch2, {
        "price": "3.50", "unit": "jin", "min_order": "20", "quantity": "500",
        "available_to": today_in_china() + dt.timedelta(days=30)})
    buyer2, site2 = buyer_with_site(make, session, name="李买家")
    buyer3, site3 = buyer_with_site(make, session, name="赵买家")
    first = _buy(session, m.buyer, m.site, m.listing, "500")
    for step in (OrderStatus.CONFIRMED, OrderStatus.PACKED, OrderStatus.SHIPPED):
        orders.advance(session, m.farmer, first, step)
    orders.advance(session, m.farmer, first, OrderStatus.DELIVERED,
                   {first.lines[0].id: 243_500})  # 487 斤 of 500
    _buy(session, buyer2, site2, listing2, "40")
    _buy(session, buyer2, site2, m.listing, "30", DECEMBER)
    gone = _buy(session, buyer3, site3, m.listing, "25")
    orders.advance(session, buyer3, gone, OrderStatus.CANCELLED, now=gone.placed_at)
    session.commit()
    return m, member, buyer2, listing2


def _rows(report):
    return {row.label: (row.orders, row.grams, row.amount_fen) for row in report.rows}


def test_by_batch_member_buyer_and_period_add_up_with_catch_weight(session, sales):
    m, member, _buyer2, listing2 = sales
    lot1, lot2 = m.listing.batch.lot_code, listing2.batch.lot_code

    by_batch = sales_reports.sales_report(session, m.farmer, "batch")
    assert _rows(by_batch) == {f"{lot1} · 菠菜": (2, 258_500, 206_800),
                               f"{lot2} · 菠菜": (1, 20_000, 14_000)}
    assert (by_batch.total.orders, by_batch.total.grams, by_batch.total.amount_fen) == (
        3, 278_500, 220_800)
    by_member = sales_reports.sales_report(session, member, "member")
    assert _rows(by_member) == {m.farmer.name: (2, 258_500, 206_800),
                                "社员乙": (1, 20_000, 14_000)}
    by_buyer = sales_reports.sales_report(session, m.farmer, "buyer")
    assert _rows(by_buyer) == {"王买家生鲜": (1, 243_500, 194_800),
                               "李买家生鲜": (2, 35_000, 26_000)}
    by_month = sales_reports.sales_report(session, m.farmer, "month")
    assert [(r.key, r.amount_fen) for r in by_month.rows] == [("2026-11", 208_800),
                                                            ("2026-12", 12_000)]
    by_week = sales_reports.sales_report(session, m.farmer, "week")
    assert [r.key for r in by_week.rows] == ["2026-W48", "2026-W49"]
    december = sales_reports.sales_report(session, m.farmer, "day", dt.date(2026, 12, 1))
    assert [(r.key, r.grams) for r in december.rows] == [("2026-12-03", 15_000)]
    for report in (by_batch, by_member, by_buyer, by_month, by_week):
        assert sum(r.amount_fen for r in report.rows) == report.total.amount_fen == 220_800


def test_page_shows_money_in_both_languages(login, sales):
    m = sales[0]
    farmer = login(m.farmer)

    page = farmer.get("/sales/reports?by=batch")
    assert page.status_code == 200
    assert "¥2,208.00" in element(page, "report-total")
    assert "¥1,948.00" not in text(page)  # lot 1 is ¥2,068.00 with its December order
    assert "¥2,068.00" in element(page, "report")
    english = farmer.get("/sales/reports?by=batch&lang=en")
    assert "CN¥2,208.00" in element(english, "report-total")
    bad = farmer.get("/sales/reports?by=batch&date_from=2026-12-05&date_to=2026-12-01")
    assert bad.status_code == 422


def test_csv_has_a_bom_the_columns_and_the_same_rows(login, sales):
    m, _member, _buyer2, listing2 = sales

    response = login(m.farmer).get("/sales/reports?by=batch&format=csv")

    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["编号", "名称", "订单数", "重量（斤）", "重量（kg）", "金额（元）"]
    assert rows[1] == [m.listing.batch.lot_code, f"{m.listing.batch.lot_code} · 菠菜", "2",
                       "517", "258.5", "2068.00"]
    assert rows[2][0] == listing2.batch.lot_code and rows[2][-1] == "140.00"
    assert rows[-1][2:] == ["3", "557", "278.5", "2208.00"]


def test_api_report_json_and_csv(login, sales):
    m = sales[0]
    farmer = login(m.farmer)

    data = farmer.get("/api/v1/reports/sales?by=month",
                      headers={"Accept-Language": "zh"}).json
    assert [(r["key"], r["amount_fen"], r["amount"]) for r in data["rows"]] == [
        ("2026-11", 208_800, "¥2,088.00"), ("2026-12", 12_000, "¥120.00")]
    assert data["total"]["amount"] == "¥2,208.00" and data["total"]["weight_g"] == 278_500
    english = farmer.get("/api/v1/reports/sales?by=month", headers={"Accept-Language": "en"})
    assert english.json["total"]["amount"] == "CN¥2,208.00"
    assert farmer.get("/api/v1/reports/sales?by=nonsense").status_code == 422
    as_csv = farmer.get("/api/v1/reports/sales?by=buyer&format=csv")
    assert as_csv.mimetype == "text/csv" and as_csv.data.startswith(b"\xef\xbb\xbf")


def test_buyers_and_other_producers_cannot_see_them(make, session, login, sales):
    m, _member, buyer2, _listing2 = sales
    producer_id = m.listing.producer_id
    other = make.user()
    make.producer(other, name="别的家庭农场")
    admin = make.user(Role.ADMIN)

    with pytest.raises(PermissionDenied):
        sales_reports.sales_report(session, buyer2, "batch")
    with pytest.raises(PermissionDenied):
        sales_reports.sales_report(session, other, "batch", producer_id=producer_id)
    assert sales_reports.sales_report(session, other, "batch").rows == []
    assert login(buyer2).get("/sales/reports").status_code == 403
    assert login(buyer2).get("/api/v1/reports/sales").status_code == 403
    assert login(other).get(
        f"/api/v1/reports/sales?producer_id={producer_id}").status_code == 403
    everyone = sales_reports.sales_report(session, admin, "batch")
    assert everyone.total.amount_fen == 220_800
    mine = sales_reports.sales_report(session, admin, "batch", producer_id=producer_id)
    assert mine.total.amount_fen == 220_800


def test_csv_neutralises_a_buyer_company_name_that_is_a_formula(session, login, sales):
    m = sales[0]
    evil = '=HYPERLINK("http://evil.example/","x")'
    session.get(BuyerProfile, m.buyer.id).company = evil
    session.commit()

    for url in ("/sales/reports?by=buyer&format=csv", "/api/v1/reports/sales?by=buyer&format=csv"):
        response = login(m.farmer).get(url)
        rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
        labels = [row[1] for row in rows[1:]]
        assert "'" + evil in labels, labels
        assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)

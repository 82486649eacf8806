"""Invoice and packing list PDFs: Chinese in the embedded font, catch-weight sums, money by
Babel, and who may download them (pages and API)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from freshcircle.platform.core.services.clock import CHINA
from freshcircle.platform.market.services import orders
from freshcircle.platform.models import OrderStatus, Role
from freshcircle.traceability.pdffont import load_font
from tests.platform.market_helpers import buyer_with_site, market
from tests.traceability import pdf_helpers

MORNING = dt.datetime(2026, 11, 26, 10, 0, tzinfo=CHINA)
# Set FRESHCIRCLE_DUMP_PDFS to a folder to keep the PDFs of a run for a look.
DUMP = Path(os.environ["FRESHCIRCLE_DUMP_PDFS"]) if os.environ.get("FRESHCIRCLE_DUMP_PDFS") \
    else None


def delivered_order(make, session):
    """100 斤 at ¥4.00/斤 ordered, 48.7 kg delivered."""
    m = market(make, session, price="4.00")
    (order,) = orders.checkout(session, m.buyer, m.site.id,
                               [{"listing_id": m.listing.id, "quantity": "100", "unit": "jin"}],
                               MORNING)
    for step in (OrderStatus.CONFIRMED, OrderStatus.PACKED, OrderStatus.SHIPPED):
        orders.advance(session, m.farmer, order, step)
    orders.advance(session, m.farmer, order, OrderStatus.DELIVERED,
                   {order.lines[0].id: 48_700})
    session.commit()
    return m, order


def _flat(pdf: bytes) -> str:
    return " ".join(pdf_helpers.text(pdf).split())


def test_invoice_pdf_in_chinese_with_catch_weight_and_embedded_font(make, session, login):
    pdf_helpers.require_poppler()
    m, order = delivered_order(make, session)

    response = login(m.farmer).get(f"/sales/{order.id}/invoice.pdf")

    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pdf = response.data
    fonts = pdf_helpers.fonts(pdf)
    assert fonts and all(f.embedded and f.unicode for f in fonts)
    assert any("FreshCircleHei" in f.name or "WenQuanYi" in f.name for f in fonts)
    words = _flat(pdf)
    assert f"订单 #{order.id} 结算单" in words
    assert m.listing.batch.lot_code in words
    assert "100 斤 （50 kg）" in words and "97.4 斤 （48.7 kg）" in words  # two lines a cell
    assert "¥4.00" in words and "¥8.00" in words
    assert "¥389.60" in words  # the amount of the weight delivered
    freight = order.freight_fen
    assert f"¥{(38_960 + freight) / 100:,.2f}" in words  # total with freight
    assert f"¥{(40_000 + freight) / 100:,.2f}" in words  # what was ordered, before weighing
    assert "王买家生鲜" in words and "王买家配送中心" in words
    assert "金额按实际交货重量" in words
    assert not load_font().missing_glyphs(pdf_helpers.text(pdf))
    page = pdf_helpers.rasterise(pdf, dpi=50)[0]
    assert page.convert("L").getextrema()[0] < 100  # something is drawn in black


def test_invoice_in_english_shows_cn_yuan(make, session, login):
    pdf_helpers.require_poppler()
    m, order = delivered_order(make, session)

    words = _flat(login(m.farmer).get(f"/sales/{order.id}/invoice.pdf?lang=en").data)

    assert f"Invoice for order #{order.id}" in words
    assert "CN¥389.60" in words and "97.4 jin (48.7 kg)" in words
    assert "Delivered on" in words and "This statement is not a VAT invoice" in words


def test_packing_list_groups_lines_by_lot(make, session, login):
    pdf_helpers.require_poppler()
    m, order = delivered_order(make, session)

    response = login(m.farmer).get(f"/sales/{order.id}/packing-list.pdf")

    assert response.status_code == 200
    words = _flat(response.data)
    assert f"订单 #{order.id} 装箱单" in words
    assert m.listing.batch.lot_code in words and "100 斤（50 kg）" in words
    assert f"#{order.id}" in words and "王买家生鲜" in words
    assert all(f.embedded for f in pdf_helpers.fonts(response.data))


def test_buyer_gets_the_invoice_others_do_not(make, session, login):
    m, order = delivered_order(make, session)
    other_buyer, _site = buyer_with_site(make, session, name="李买家")
    session.commit()

    mine = login(m.buyer).get(f"/documents/orders/{order.id}/invoice.pdf")
    assert mine.status_code == 200 and mine.data.startswith(b"%PDF")
    assert login(other_buyer).get(
        f"/documents/orders/{order.id}/invoice.pdf").status_code == 404
    assert login(m.buyer).get(f"/sales/{order.id}/invoice.pdf").status_code == 403


@pytest.mark.parametrize("document", ["invoice", "packing-list"])
def test_api_documents(make, session, login, document):
    m, order = delivered_order(make, session)
    stranger = make.user(Role.BUYER)

    response = login(m.buyer).get(f"/api/v1/orders/{order.id}/{document}")

    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert login(m.farmer).get(f"/api/v1/orders/{order.id}/{document}").status_code == 200
    refused = login(stranger).get(f"/api/v1/orders/{order.id}/{document}")
    assert refused.status_code == 404 and refused.json["code"] == 404
    assert login(m.buyer).get(f"/api/v1/orders/999999/{document}").status_code == 404


def test_day_packing_list_adds_up_each_lot_over_the_days_orders(make, session, login):
    pdf_helpers.require_poppler()
    m, first = delivered_order(make, session)  # 100 斤, dispatch 2026-11-27
    buyer2, site2 = buyer_with_site(make, session, name="李买家")
    (second,) = orders.checkout(session, buyer2, site2.id, [
        {"listing_id": m.listing.id, "quantity": "40", "unit": "jin"}], MORNING)
    session.commit()
    farmer = login(m.farmer)

    response = farmer.get("/sales/day/2026-11-27/packing-list.pdf")
    if DUMP:
        (DUMP / "day-packing-list.pdf").write_bytes(response.data)

    assert response.status_code == 200
    words = _flat(response.data)
    assert "2026年11月27日 发货装箱单" in words
    assert f"#{first.id}" in words and f"#{second.id}" in words
    assert "李买家生鲜" in words and "王买家生鲜" in words
    assert f"批次 {m.listing.batch.lot_code} 合计" in words and "140 斤（70 kg）" in words
    assert farmer.get("/sales/day/2026-11-28/packing-list.pdf").status_code == 404
    assert farmer.get("/sales/day/not-a-day/packing-list.pdf").status_code == 404
    assert login(make.user()).get("/sales/day/2026-11-27/packing-list.pdf").status_code == 404

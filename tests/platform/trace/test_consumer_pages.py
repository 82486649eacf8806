"""The consumer page at the Digital Link path: verdicts, the story, and what it never shows."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import func, select

from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.models import BatchStatus, ScanEvent
from freshcircle.platform.trace.services import scans
from tests.platform.trace_helpers import (
    forge,
    lot_code_uri,
    path_of,
    printed_codes,
    unsigned_lot_uri,
)

PRODUCER = "李庄蔬菜合作社"
PHONE = "13812345678"


def _batch(make, **extra):
    producer = make.producer(make.user(), name=PRODUCER, contact_phone=PHONE)
    return make.batch(producer, **extra)


def _scan_count(session) -> int:
    return session.scalar(select(func.count(ScanEvent.id)))


def test_genuine_pack_shows_the_whole_story_in_chinese(app, make, session, client):
    harvest = today_in_china() - dt.timedelta(days=3)
    batch = _batch(make, harvest_date=harvest)
    make.farm_input(batch.producer, applied_on=harvest - dt.timedelta(days=20),
                    interval_days=7, notes="内部备注：仓库钥匙在老王那里")
    make.residue_test(batch)
    make.certification(batch.producer, number="LB-18-0000000001")
    make.certification(batch.producer, number="LB-18-OLD", valid_from=dt.date(2020, 1, 1),
                       valid_to=dt.date(2021, 1, 1))
    shipment = make.shipment(lines=[(batch, 100_000)])
    start = dt.datetime.now(dt.UTC) - dt.timedelta(hours=4)
    for minute in range(0, 120, 10):  # 40 minutes at 9 °C: one excursion of a chilled load
        make.temperature_reading(shipment, "9" if 30 <= minute < 70 else "0.5",
                                 start + dt.timedelta(minutes=minute))
    uri = printed_codes(app, session, batch)[0]

    response = client.get(path_of(uri))

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "正品验证通过" in page
    assert PRODUCER in page and "138****5678" not in page and PHONE not in page  # no mobile
    assert "内部备注" not in page  # inputs' notes stay private
    assert "阿维菌素" in page and "菠菜" in page and "太和县" in page
    assert "LB-18-0000000001" in page and "已过期" in page
    assert "太和县 → 上海市" in page
    # The chart is server-drawn SVG; the only scripts are the journey map's (Leaflet, ours).
    assert "<svg" in page and "<script>" not in page
    assert re.findall(r'<script src="([^"?]+)', page) == [
        "/static/leaflet/leaflet.js", "/static/route-map.js"]
    assert "温度过高" in page and "超出允许范围" in page  # the excursion, listed and charted
    assert "3 天" in page


def test_english_via_lang_parameter(app, make, session, client):
    batch = _batch(make)
    uri = printed_codes(app, session, batch)[0]

    page = client.get(path_of(uri) + "&lang=en").get_data(as_text=True)

    assert "Genuine: issued by FreshCircle" in page
    assert "Spinach" in page


def test_serial_beyond_the_printed_ones_is_not_issued_and_shows_no_batch(
    app, make, session, client
):
    batch = _batch(make)
    uri = printed_codes(app, session, batch, count=2)[0]
    settings = app.extensions["trace_settings"]
    from freshcircle.traceability.digital_link import parse_digital_link
    from freshcircle.traceability.signing import sign

    link = parse_digital_link(uri)
    unprinted = sign(link.__class__(link.domain, link.gtin, None, link.lot, "7",
                                   dict(link.attributes)), settings.keyring).to_uri()

    response = client.get(path_of(unprinted))

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "此码非鲜链圈签发" in page
    assert PRODUCER not in page and 'id="journey"' not in page
    assert "菠菜" in page  # falls back to the GTIN's product


def test_forged_signature_is_called_out_without_batch_data(app, make, session, client):
    batch = _batch(make)
    uri = printed_codes(app, session, batch)[0]

    page = client.get(path_of(forge(uri))).get_data(as_text=True)

    assert "此码非鲜链圈签发" in page
    assert PRODUCER not in page and "138****5678" not in page
    assert 'id="product"' not in page and 'id="journey"' not in page


def test_unsigned_lot_code_is_not_issued(app, make, session, client):
    batch = _batch(make)

    page = client.get(path_of(unsigned_lot_uri(app, session, batch))).get_data(as_text=True)

    assert "此码非鲜链圈签发" in page and PRODUCER not in page


def test_signed_lot_code_tells_the_story_without_pack_authenticity(app, make, session, client):
    batch = _batch(make)

    page = client.get(path_of(lot_code_uri(app, session, batch))).get_data(as_text=True)

    assert PRODUCER in page and "正品验证通过" not in page
    assert "批次追溯码" in page


def test_recalled_batch_shows_the_recall_banner(app, make, session, client):
    batch = _batch(make, status=BatchStatus.RECALLED, status_reason="农残超标")
    uri = printed_codes(app, session, batch)[0]

    page = client.get(path_of(uri)).get_data(as_text=True)

    assert 'id="recall"' in page and "已召回" in page and "农残超标" in page


def test_held_batch_shows_the_hold_banner(app, make, session, client):
    batch = _batch(make, status=BatchStatus.HELD, status_reason="待复检")
    uri = printed_codes(app, session, batch)[0]

    page = client.get(path_of(uri)).get_data(as_text=True)

    assert 'id="recall"' in page and "暂停销售" in page and "原因：待复检" in page


def test_many_scans_from_several_networks_warn_of_a_copy(app, make, session, client):
    batch = _batch(make)
    uri = printed_codes(app, session, batch)[0]
    gtin, serial = uri.split("/01/")[1][:14], "0"
    now = dt.datetime.now(dt.UTC)
    for n in range(5):
        session.add(ScanEvent(gtin=gtin, lot=batch.lot_code, serial=serial, batch_id=batch.id,
                              verdict="genuine", network=f"net{n % 4}",
                              scanned_at=now - dt.timedelta(hours=n)))
    session.commit()

    page = client.get(path_of(uri)).get_data(as_text=True)

    assert 'id="copied"' in page and "可能被复制" in page and "最近 24 小时" in page
    other = client.get(path_of(printed_codes(app, session, batch)[0])).get_data(as_text=True)
    assert 'id="copied"' not in other


def test_copy_rule_needs_several_networks(session):
    now = dt.datetime.now(dt.UTC)
    for n in range(6):
        session.add(ScanEvent(gtin="09520000001049", serial="X", verdict="genuine",
                              network="home", scanned_at=now - dt.timedelta(minutes=n)))
    session.flush()
    rule = scans.CopyRule()

    assert scans.copy_suspicion(session, "09520000001049", "X", now, rule) is None
    assert scans.copy_suspicion(session, "09520000001049", "X", now,
                                scans.CopyRule(min_networks=1)).scans == 6


def test_network_hash_keeps_the_network_not_the_address():
    first = scans.network_hash("203.0.113.7", "salt")
    assert first == scans.network_hash("203.0.113.200", "salt")
    assert first != scans.network_hash("203.0.114.7", "salt")
    assert "203" not in first and len(first) == 16
    assert scans.network_hash("2001:db8:1:2::1", "s") == scans.network_hash("2001:db8:1:ff::9", "s")
    assert scans.network_hash("not an ip", "s") is None


def test_gtin_only_code_shows_product_information(app, make, session, client):
    batch = _batch(make)
    gtin = lot_code_uri(app, session, batch).split("/01/")[1][:14]

    response = client.get(f"/01/{gtin}")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "菠菜" in page and PRODUCER not in page and "此码非鲜链圈签发" not in page


def test_every_page_view_logs_one_scan(app, make, session, client):
    batch = _batch(make)
    uri = printed_codes(app, session, batch)[0]
    before = _scan_count(session)

    client.get(path_of(uri))
    client.get(path_of(forge(uri)))
    client.head(path_of(uri))

    assert _scan_count(session) == before + 2
    verdicts = session.scalars(select(ScanEvent.verdict).order_by(ScanEvent.id)).all()
    assert verdicts[-2:] == ["genuine", "forged"]
    assert all(network is None or len(network) == 16
               for network in session.scalars(select(ScanEvent.network)))


def test_signed_code_for_an_unknown_lot_is_not_issued(app, make, session, client):
    from freshcircle.traceability.digital_link import make_link
    from freshcircle.traceability.signing import sign

    batch = _batch(make)
    gtin = lot_code_uri(app, session, batch).split("/01/")[1][:14]
    settings = app.extensions["trace_settings"]
    other = sign(make_link(settings.domain, gtin, lot="NOSUCHLOT", serial="0"), settings.keyring)

    page = client.get(path_of(other.to_uri())).get_data(as_text=True)

    assert "此码非鲜链圈签发" in page and PRODUCER not in page


def test_genuine_page_takes_a_fixed_handful_of_queries(app, make, session, client):
    from sqlalchemy import event

    from freshcircle.platform.extensions import db

    batch = _batch(make)
    for _ in range(3):
        shipment = make.shipment(lines=[(batch, 1000)])
        make.temperature_reading(shipment, "3", dt.datetime.now(dt.UTC) - dt.timedelta(hours=1))
        make.residue_test(batch)
    uri = printed_codes(app, session, batch)[0]
    statements = []

    def count(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    engine = db.session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(path_of(uri)).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)

    # 14 at most: a lot without spray records also looks up whether it was merged from others,
    # and a shipped one the served cities for its journey map (once per kept story)
    assert 5 <= len(statements) <= 14, statements


def test_copy_rule_comes_from_the_config(app):
    rule = scans.CopyRule.from_config({**app.config, "SCAN_COPY_MIN_SCANS": 9})

    assert rule.min_scans == 9 and rule.min_networks == 3
    assert rule.window == dt.timedelta(hours=24)


def test_chart_draws_each_logger_the_band_and_points_outside(app):
    from decimal import Decimal

    from freshcircle.platform.trace.pages.chart import cold_chain_svg
    from freshcircle.platform.trace.services.consumer_story import ColdChain

    start = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)
    readings = [(start + dt.timedelta(minutes=5 * i), Decimal("9" if i == 3 else "2"),
                 "T-1" if i % 2 else "T-2") for i in range(8)]
    chain = ColdChain(readings, 8, Decimal("2"), Decimal("9"), (Decimal("0"), Decimal("5")), [])

    with app.test_request_context():
        svg = str(cold_chain_svg(chain, readings_label="温度", band_label="允许范围",
                                 excursion_label="超出允许范围"))

    assert svg.startswith("<svg") and 'viewBox="0 0 360 240"' in svg
    assert "温度 T-1" in svg and "温度 T-2" in svg and "允许范围" in svg
    assert "超出允许范围" in svg and "<script src" not in svg

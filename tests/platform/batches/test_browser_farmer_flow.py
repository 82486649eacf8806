"""A farmer registers a batch with a phone-sized headless Chromium against the real app.

The app runs in a thread (werkzeug) on a free port, on its own SQLite file built by the real
migrations: the browser's requests come from another thread and must see committed data, so
this test cannot use the rolled-back connection of the other tests (hence no_db_isolation).
It uses a temporary SQLite file even when FRESHCIRCLE_TEST_DATABASE_URL points at PostgreSQL:
the page flow does not depend on the database, and the shared test database must stay clean.
"""

from __future__ import annotations

import io

import pytest
from flask_migrate import upgrade
from sqlalchemy import select

from freshcircle.platform import create_app
from freshcircle.platform.core.services import accounts, reference_data
from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.core.services.files import content_bytes
from freshcircle.platform.extensions import db
from freshcircle.platform.models import Batch, MemberRole, Membership, Producer, ProducerKind, Role
from tests.platform.browser import ARTIFACTS, BROWSER_MARKS, chromium, phone_page
from tests.platform.live_server import site

PHONE, PASSWORD = "13812345678", "farm-pass-2026"
WIDTH = 360

pytestmark = BROWSER_MARKS


@pytest.fixture
def live_app(tmp_path):
    """The real app on a fresh SQLite file, served on 127.0.0.1:<free port>."""
    app = create_app({
        "SECRET_KEY": "browser-test",
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "browser.db"),
    })
    with app.app_context():
        upgrade()
        reference_data.load_products(db.session)
        farmer = accounts.create_user(db.session, phone=PHONE, name="王建国", password=PASSWORD,
                                      role=Role.FARMER)
        producer = Producer(kind=ProducerKind.COOPERATIVE, name="太和县香椿种植专业合作社",
                            county_code="341222", county_name="太和县")
        producer.memberships.append(Membership(user=farmer, role=MemberRole.MANAGER))
        db.session.add(producer)
        db.session.commit()
        db.session.remove()
    with site(app) as base:
        yield app, base


def _phone_photo() -> bytes:
    """A 2400x1800 JPEG, the size a cheap phone camera takes."""
    image_module = pytest.importorskip("PIL.Image")
    image = image_module.new("RGB", (2400, 1800), (46, 125, 50))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    return out.getvalue()


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{page.url} scrolls sideways: {width}px wide"


def test_farmer_registers_a_batch_with_a_photo_on_a_phone(live_app):
    app, base = live_app
    photo = _phone_photo()
    harvest = today_in_china()

    with chromium() as browser:
        page = phone_page(browser)

        page.goto(base + "/login")
        assert page.locator("h1").inner_text() == "登录"
        page.fill("#phone", "138 1234 5678")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(base + "/")
        assert "我的批次" in page.locator("h1").inner_text()
        _no_sideways_scroll(page)
        page.screenshot(path=str(ARTIFACTS / "farmer-1-dashboard.png"), full_page=True)

        page.click("text=登记新批次")
        page.wait_for_url(base + "/batches/new")
        page.select_option("#product_id", label="菠菜")
        page.fill("#quantity", "120")
        assert page.is_checked("input[name=unit][value=jin]")  # 斤 is the default
        page.fill("#new_plot_name", "东地块")
        page.fill("#harvest_date", harvest.isoformat())
        page.set_input_files("#photo", files=[{
            "name": "IMG_20261126.jpg", "mimeType": "image/jpeg", "buffer": photo}])
        # photo.js shrinks the photo before upload; it marks the input when done.
        page.wait_for_selector("#photo[data-state=ready]")
        _no_sideways_scroll(page)
        page.screenshot(path=str(ARTIFACTS / "farmer-2-new-batch.png"), full_page=True)
        page.click("#save-batch")
        page.wait_for_url(f"{base}/batches/*")

        lot = page.locator("#lot-code").inner_text().strip()
        assert lot == f"FY341222-{harvest:%y%m%d}-001"
        assert "登记成功" in page.locator(".flash").inner_text()
        assert "120\u00a0斤（60\u00a0kg）" in page.inner_text("main")
        _no_sideways_scroll(page)
        page.screenshot(path=str(ARTIFACTS / "farmer-3-batch.png"), full_page=True)

        page.click("#nav-batches")
        page.wait_for_url(base + "/")
        card = page.locator("li.batch", has_text=lot)
        assert card.count() == 1
        thumb = card.locator("img.thumb")
        thumb.wait_for()
        assert page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=thumb.element_handle())
        assert thumb.evaluate("img => img.naturalWidth") <= 144  # a thumbnail, not the photo
        _no_sideways_scroll(page)
        page.screenshot(path=str(ARTIFACTS / "farmer-4-dashboard-with-batch.png"),
                        full_page=True)

    with app.app_context():
        batch = db.session.scalar(select(Batch))
        assert batch.lot_code == lot and batch.quantity_g == 60_000 and batch.plot.name == "东地块"
        [stored] = [p.file for p in batch.photos]
        assert stored.content_type == "image/jpeg"
        image_module = pytest.importorskip("PIL.Image")
        width, height = image_module.open(io.BytesIO(content_bytes(stored))).size
        assert max(width, height) == 1600, "the page should send a downsized photo"
        assert stored.size < len(photo)
        db.session.remove()

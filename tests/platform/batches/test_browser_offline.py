"""A farmer in a dead zone, on a phone-sized Chromium (issue 15's proof).

Signed in once with a network, the farmer goes offline, reloads (the app still opens),
registers a batch with a photo, records a spray and a rapid test: 3 条待同步. Back online,
each syncs with its lot code and the server holds exactly one of each. A sync whose response
is lost (the request reached the server, the answer never came back), and a photo whose part
is cut off mid-upload, are sent again: still one of each. A harvest the server refuses (a spray
recorded meanwhile from another phone puts it inside the interval) stays on the phone marked
需处理 with the server's reason, and is fixed on its form.

The real app in a thread on its own SQLite file built by the migrations (no_db_isolation),
Debian's Chromium at 360×740, screenshots in test-artifacts/offline-*.png.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from contextlib import contextmanager

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from freshcircle.platform import create_app
from freshcircle.platform.core.services import accounts, reference_data
from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.core.services.files import content_bytes
from freshcircle.platform.extensions import db
from freshcircle.platform.models import (
    Batch,
    BatchPhoto,
    FarmInput,
    MemberRole,
    Membership,
    Producer,
    ProducerKind,
    ResidueTest,
    Role,
)
from tests.factories import Factory
from tests.platform.browser import ARTIFACTS, BROWSER_MARKS, chromium, phone_page
from tests.platform.live_server import site

PHONE, PASSWORD = "13812345679", "field-pass-2026"
TODAY = today_in_china()

pytestmark = BROWSER_MARKS


@pytest.fixture
def field_app(tmp_path):
    app = create_app({
        "SECRET_KEY": "offline-test",
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "offline.db"),
    })
    with app.app_context():
        upgrade()
        reference_data.load_products(db.session)
        farmer = accounts.create_user(db.session, phone=PHONE, name="李秀兰", password=PASSWORD,
                                      role=Role.FARMER)
        producer = Producer(kind=ProducerKind.FAMILY_FARM, name="临泉县李家家庭农场",
                            county_code="341221", county_name="临泉县")
        producer.memberships.append(Membership(user=farmer, role=MemberRole.MANAGER))
        db.session.add(producer)
        db.session.flush()
        make = Factory(db.session)
        for name in ("东地块", "西地块", "南地块"):
            make.plot(producer, name)
        make.batch(producer, plot="东地块", lot_code="FY341221-261101-001",
                   harvest_date=TODAY - dt.timedelta(days=3))
        db.session.commit()
        ids = {"producer": producer.id}
        db.session.remove()
    with site(app) as base:
        yield app, base, ids


def _photo() -> bytes:
    image_module = pytest.importorskip("PIL.Image")
    image = image_module.effect_noise((1200, 900), 60).convert("RGB")  # ~300 KB as a JPEG
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def _count(app, model, *where) -> int:
    with app.app_context():
        try:
            return db.session.scalar(select(func.count()).select_from(model).where(*where))
        finally:
            db.session.remove()


@contextmanager
def gateway(app, decide):
    """The network between the phone and the server, as a proxy in front of the live app.

    `decide(environ)` names what happens to each request: None passes it on; "busy" answers
    503 without reaching the server (the record stays 待同步); "lose" lets the server store it
    and answers 502 (the server's answer is lost on the way back). Done at the server, not by
    the browser's request routing, which misses some requests of a page a service worker
    controls (a CI run stored a batch that page.route should have refused)."""
    serve = app.wsgi_app

    def proxy(environ, start_response):
        verdict = decide(environ)
        if verdict == "lose":
            answer = serve(environ, lambda *args, **kwargs: None)  # stored...
            try:
                for _ in answer:
                    pass
            finally:
                getattr(answer, "close", lambda: None)()  # ...and the answer is dropped
        if verdict in ("busy", "lose"):
            start_response("503 Service Unavailable" if verdict == "busy" else "502 Bad Gateway",
                           [("Content-Type", "text/plain")])
            return [b"gateway"]
        return serve(environ, start_response)

    app.wsgi_app = proxy
    try:
        yield
    finally:
        app.wsgi_app = serve


def posts_to(path):
    return lambda environ, verdict="busy": (
        verdict if environ["REQUEST_METHOD"] == "POST" and environ["PATH_INFO"] == path else None)


class Phone:
    def __init__(self, page, context, base):
        self.page, self.context, self.base = page, context, base

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)

    def outbox_text(self) -> str:
        return self.page.locator("#outbox").inner_text()

    def wait_outbox(self, expression: str, timeout: int = 30_000) -> None:
        self.page.wait_for_function(f"() => {expression}", timeout=timeout, polling=250)

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(ARTIFACTS / f"offline-{name}.png"), full_page=True)

    def register_batch(self, *, quantity: str, plot: str, photo: bytes | None = None) -> None:
        self.go("/batches/new")
        self.page.select_option("#product_id", label="菠菜")
        self.page.fill("#quantity", quantity)
        self.page.select_option("#plot_id", label=plot)
        self.page.fill("#harvest_date", TODAY.isoformat())
        if photo:
            self.page.set_input_files("#photo", files=[{
                "name": "IMG_field.jpg", "mimeType": "image/jpeg", "buffer": photo}])
            self.page.wait_for_selector("#photo[data-state=ready]")
        self.page.click("#save-batch")

    def record_spray(self, *, product: str, plot: str, interval: str) -> None:
        self.go("/inputs/new")
        self.page.check("input[name=kind][value=pesticide]")
        self.page.fill("#product_name", product)
        self.page.fill("#dose", "30 mL/亩")
        self.page.select_option("#plot_id", label=plot)
        self.page.fill("#applied_on", (TODAY - dt.timedelta(days=1)).isoformat())
        self.page.fill("#pre_harvest_interval_days", interval)
        self.page.click("#input-form [type=submit]")


BATCH_PAGE = re.compile(r".*/batches/\d+$")
LISTED = "document.querySelectorAll('#outbox .outbox-item').length"
PENDING = "document.querySelectorAll('#outbox .outbox-pending').length"
SYNCED_LOTS = "document.querySelectorAll('#outbox .outbox-synced .outbox-lot').length"
# Predicates as functions: an expression would be eval'd in the page, which its CSP forbids.
COUNT_HIDDEN = "() => document.getElementById('outbox-count').hidden"


def test_a_day_in_a_dead_zone_loses_and_doubles_nothing(field_app):
    app, base, ids = field_app
    photo = _photo()
    with chromium() as browser:
        page = phone_page(browser, timeout_ms=40_000)  # CI's 2 cores are busy
        context = page.context
        page.on("dialog", lambda dialog: dialog.accept())
        phone = Phone(page, context, base)

        # Signed in once with a network: the app installs and keeps the farmer's pages.
        phone.go("/login")
        page.fill("#phone", PHONE)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(base + "/")
        page.evaluate("navigator.serviceWorker.ready")
        page.reload()  # now the service worker controls the page
        assert page.evaluate("!!navigator.serviceWorker.controller")
        with app.app_context():
            test_batch = db.session.scalar(select(Batch.id))
            db.session.remove()
        for path in ("/batches/new", "/inputs/new", f"/batches/{test_batch}",
                     f"/batches/{test_batch}/tests/new", "/"):
            phone.go(path)
        page.wait_for_function("() => document.getElementById('outbox') !== null")

        # No signal: the app still opens, and the three records wait on the phone.
        context.set_offline(True)
        page.reload()
        assert page.locator("h1").inner_text() == "我的批次"
        page.wait_for_selector("#offline-state", state="visible")

        phone.register_batch(quantity="66", plot="东地块", photo=photo)
        page.wait_for_url(base + "/#outbox")
        assert "已保存在手机上" in page.locator(".flash").inner_text()
        phone.record_spray(product="吡虫啉", plot="西地块", interval="7")
        page.wait_for_url(base + "/#outbox")
        phone.go(f"/batches/{test_batch}/tests/new")
        page.check("input[name=method][value=rapid]")
        page.check("input[name=result][value=pass]")
        page.fill("#tester", "李秀兰")
        page.click("#test-form [type=submit]")
        page.wait_for_url(base + "/#outbox")
        phone.wait_outbox(f"{PENDING} === 3")
        assert page.locator("#outbox-count").inner_text() == "3 条待同步"
        assert phone.outbox_text().count("待同步") >= 3
        phone.shot("1-three-waiting")

        # Printing labels says plainly that it needs a network.
        phone.go(f"/batches/{test_batch}")
        assert "需要联网" in page.locator("#print .offline-note").inner_text()
        assert page.locator("#print button[type=submit]").first.is_disabled()
        phone.shot("2-labels-need-network")
        # A page the phone never kept says what works without a network.
        phone.go("/market")
        assert "打印标签和市场需要联网" in page.inner_text("main")
        phone.go("/")

        # Back online: each syncs, with its lot code; the server holds one of each.
        context.set_offline(False)
        phone.wait_outbox(f"{PENDING} === 0 && {SYNCED_LOTS} === 3", timeout=60_000)
        page.wait_for_function(COUNT_HIDDEN, polling=250)
        phone.shot("3-synced")
        assert _count(app, Batch, Batch.quantity_g == 33_000) == 1
        assert _count(app, FarmInput, FarmInput.product_name == "吡虫啉") == 1
        assert _count(app, ResidueTest) == 1
        assert _count(app, BatchPhoto) == 1
        with app.app_context():
            batch = db.session.scalar(select(Batch).where(Batch.quantity_g == 33_000))
            assert batch.lot_code in phone.outbox_text()
            stored = batch.photos[0].file  # under 1600 px, so the phone sent it as taken
            assert stored.size == len(photo) and content_bytes(stored) == photo
            db.session.remove()

        # The answer to a sync is lost on the way back: sent again, stored once.
        with gateway(app, lambda environ: posts_to("/api/v1/inputs")(environ, "lose")):
            phone.record_spray(product="多菌灵", plot="西地块", interval="14")
            page.wait_for_url(base + "/#outbox")
            phone.wait_outbox(f"{PENDING} === 1")
        assert _count(app, FarmInput, FarmInput.product_name == "多菌灵") == 1
        page.click("#sync-now")
        phone.wait_outbox(f"{PENDING} === 0")
        assert _count(app, FarmInput, FarmInput.product_name == "多菌灵") == 1

        # A photo cut off after its first part resumes where it stopped: one photo.
        cut = {"done": False}

        def cut_second_part(environ):
            if (environ["REQUEST_METHOD"] == "PATCH"
                    and environ.get("HTTP_UPLOAD_OFFSET") not in (None, "0")
                    and not cut["done"]):
                cut["done"] = True
                return "busy"  # the part never reaches the server
            return None

        with gateway(app, cut_second_part):
            phone.register_batch(quantity="44", plot="东地块", photo=photo)
            page.wait_for_url(BATCH_PAGE)  # the batch is stored; its photo is not
        assert cut["done"]
        phone.go("/")  # opening the app again resumes the photo where it stopped
        phone.wait_outbox(f"{LISTED} > 0 && {PENDING} === 0")
        with app.app_context():
            batch = db.session.scalar(select(Batch).where(Batch.quantity_g == 22_000))
            assert [content_bytes(p.file) for p in batch.photos] == [photo]
            db.session.remove()

        # Offline, a harvest on 南地块; meanwhile another phone records a spray there whose
        # interval runs past today. The server refuses the harvest: 需处理, with its reason.
        context.set_offline(True)
        phone.register_batch(quantity="30", plot="南地块")
        page.wait_for_url(base + "/#outbox")
        with app.app_context():
            Factory(db.session).farm_input(
                db.session.get(Producer, ids["producer"]), plot="南地块",
                applied_on=TODAY - dt.timedelta(days=2), interval_days=10,
                product_name="毒死蜱")
            db.session.commit()
            db.session.remove()
        context.set_offline(False)
        page.wait_for_selector("#outbox .outbox-needs_action")
        item = page.locator("#outbox .outbox-needs_action").inner_text()
        assert "需处理" in item and "安全间隔期未满" in item and "毒死蜱" in item
        assert page.locator("#outbox-count").inner_text() == "1 条需处理"
        assert _count(app, Batch, Batch.quantity_g == 15_000) == 0
        phone.shot("4-needs-action")

        # Fixed on its own form: the farmer confirms the harvest inside the interval.
        page.click("#outbox .outbox-needs_action a.button")
        page.wait_for_selector("#batch-form .alert")
        assert page.input_value("#quantity") == "30"
        page.check("#confirm_in_interval")
        page.click("#save-batch")
        page.wait_for_url(BATCH_PAGE)
        assert _count(app, Batch, Batch.quantity_g == 15_000) == 1
        phone.go("/")
        assert page.locator("#outbox .outbox-needs_action").count() == 0
        phone.shot("5-fixed")

        # Offline, the phone itself refuses a harvest inside an interval it knows of (the
        # 多菌灵 sprayed on 西地块 yesterday, 14 days, ends last), as the server would.
        context.set_offline(True)
        phone.register_batch(quantity="20", plot="西地块")
        page.wait_for_selector("#batch-form .alert")
        form = page.locator("#batch-form").inner_text()
        assert "安全间隔期未满" in form and "多菌灵" in form and "西地块" in form
        assert page.locator("#confirm_in_interval").is_visible()
        assert page.url == base + "/batches/new"
        phone.shot("6-phone-refuses")
        context.set_offline(False)


def test_a_new_release_takes_over_and_the_outbox_survives(field_app, monkeypatch):
    from freshcircle.platform.web import offline

    app, base, _ids = field_app
    with chromium() as browser:
        page = phone_page(browser, timeout_ms=40_000)  # CI's 2 cores are busy
        context = page.context
        page.goto(base + "/login")
        page.fill("#phone", PHONE)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(base + "/")
        page.evaluate("navigator.serviceWorker.ready")
        page.reload()
        with app.app_context():
            release = offline.release()
        old = page.evaluate("caches.keys()")
        assert [name for name in old if name.startswith("fc-shell-")] == [
            f"fc-shell-{release}"]
        page.goto(base + "/batches/new")  # kept for the offline form

        context.set_offline(True)
        phone = Phone(page, context, base)
        phone.register_batch(quantity="12", plot="东地块")
        page.wait_for_url(base + "/#outbox")
        # Back online, a new release is out before the record could sync.
        with gateway(app, posts_to("/api/v1/batches")):  # the record stays 待同步
            monkeypatch.setattr(offline, "release", lambda: "0123456789ab")
            context.set_offline(False)
            page.evaluate(
                "navigator.serviceWorker.getRegistration().then(r => r.update())")
            page.wait_for_function(
                "() => caches.keys().then(k => k.includes('fc-shell-0123456789ab') && "
                "!k.some(n => n.startsWith('fc-shell-') && n !== 'fc-shell-0123456789ab'))")
            page.reload(wait_until="domcontentloaded")
            assert page.evaluate(
                "navigator.serviceWorker.controller.scriptURL").endswith("/sw.js")
            page.wait_for_function(f"() => {PENDING} === 1", polling=250)  # still here
        page.click("#sync-now")
        page.wait_for_function(COUNT_HIDDEN, polling=250)
        assert _count(app, Batch, Batch.quantity_g == 6_000) == 1


def _sign_in(page, base, phone, password):
    page.goto(base + "/login")
    page.fill("#phone", phone)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")


SNAPSHOT_KEPT = """user => new Promise(resolve => {
  const open = indexedDB.open("freshcircle-data");
  open.onsuccess = () => {
    const db = open.result;
    if (!db.objectStoreNames.contains("snapshots")) return resolve(false);
    const get = db.transaction("snapshots").objectStore("snapshots").get(`snapshot:${user}`);
    get.onsuccess = () => resolve(get.result !== undefined);
  };
})"""


def test_sign_out_forgets_the_farmers_pages_but_not_their_unsent_records(field_app):
    app, base, _ids = field_app
    with app.app_context():
        other = accounts.create_user(db.session, phone="13812345670", name="周大伟",
                                     password=PASSWORD, role=Role.FARMER)
        neighbour = Producer(kind=ProducerKind.FAMILY_FARM, name="临泉县周家家庭农场",
                             county_code="341221", county_name="临泉县")
        neighbour.memberships.append(Membership(user=other, role=MemberRole.MANAGER))
        db.session.add(neighbour)
        db.session.commit()
        farmer_id = db.session.scalar(select(Membership.user_id).where(
            Membership.user_id != other.id))
        db.session.remove()
    with chromium() as browser:
        page = phone_page(browser, timeout_ms=40_000)  # CI's 2 cores are busy
        context = page.context
        dialogs = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.accept()))
        _sign_in(page, base, PHONE, PASSWORD)
        page.evaluate("navigator.serviceWorker.ready")
        page.reload()
        page.wait_for_function(f"() => ({SNAPSHOT_KEPT})('{farmer_id}')")
        page.goto(base + "/batches/new")  # kept for the offline form
        context.set_offline(True)
        Phone(page, context, base).register_batch(quantity="18", plot="东地块")
        page.wait_for_url(base + "/#outbox")
        with gateway(app, posts_to("/api/v1/batches")):  # the record stays 待同步
            context.set_offline(False)

            page.click("#sign-out-form button")
            page.wait_for_url(base + "/login")
            assert dialogs and "1 条记录没有同步" in dialogs[0]
            assert page.evaluate("() => caches.open('fc-pages').then(c => c.keys())"
                                 ".then(k => k.length)") == 0
            assert not page.evaluate(f"({SNAPSHOT_KEPT})('{farmer_id}')")

            # Another farmer on the same phone sees none of it, online or off.
            _sign_in(page, base, "13812345670", PASSWORD)
            assert page.locator("#outbox").is_hidden()
            assert page.locator("#syncbar").is_hidden()
            assert "东地块" not in page.inner_text("main")
            page.click("#sign-out-form button")
            page.wait_for_url(base + "/login")

        # Back as the first farmer: the record is still waiting, and syncs once.
        _sign_in(page, base, PHONE, PASSWORD)
        page.wait_for_function(f"() => {SYNCED_LOTS} === 1 && {PENDING} === 0", polling=250)
        assert _count(app, Batch, Batch.quantity_g == 9_000) == 1

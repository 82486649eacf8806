"""Security headers on every response of a crawl of the demo (every sign-in, static files,
the API, errors), pages that satisfy the Content-Security-Policy, and in Chromium no policy
violation on the key pages (sign-in, the input form with its inline plot, the consumer's scan
page with its cold-chain chart, the dispatch plan with its map and timeline)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from freshcircle.platform.demo import DEMO_PASSWORD, SIGN_INS
from freshcircle.platform.extensions import db
from freshcircle.platform.models import Batch
from tests.platform.live_server import site
from tests.platform.security.demo_server import seeded_demo_app

CHROMIUM = Path("/usr/bin/chromium")
PAGES_PER_SIGN_IN = 30
pytestmark = [pytest.mark.no_db_isolation, pytest.mark.database_independent]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    app, result = seeded_demo_app(tmp_path_factory.mktemp("security-demo"))
    yield app, result
    with app.app_context():
        db.engine.dispose()


def _assert_headers(response, where: str, https: bool = False) -> None:
    headers = response.headers
    policy = headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in policy, where
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, where
    if response.mimetype == "text/html":
        assert "default-src 'self'" in policy and "script-src 'self'" in policy, where
        assert "object-src 'none'" in policy and "base-uri 'none'" in policy, where
    elif response.mimetype == "application/pdf":
        # Chrome's PDF viewer is an <embed> in a page with inline styles: leave those be.
        assert policy == "frame-ancestors 'none'", where
    else:
        assert "default-src 'none'" in policy, where
    assert headers.get("X-Frame-Options") == "DENY", where
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("Referrer-Policy") in ("same-origin", "strict-origin-when-cross-origin")
    assert ("Strict-Transport-Security" in headers) == https, where
    assert not re.search(r"\d", headers.get("Server", "")), where  # no version banner


def _assert_page_satisfies_policy(response, where: str) -> None:
    body = response.get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body), f"{where}: inline script"
    assert not re.search(r"<[^>]+\sstyle=", body), f"{where}: style attribute"
    assert not re.search(r"\son[a-z]+=[\"']", body), f"{where}: event handler attribute"
    nonces = re.findall(r"<style\b[^>]*>", body)
    policy = response.headers["Content-Security-Policy"]
    for tag in nonces:
        nonce = re.search(r'nonce="([^"]+)"', tag)
        assert nonce and f"'nonce-{nonce.group(1)}'" in policy, f"{where}: {tag}"


def _links(body: str) -> list[str]:
    found = re.findall(r'(?:href|src)="(/[^"]*)"', body)
    return [link.replace("&amp;", "&") for link in found if not link.startswith("//")]


def test_every_page_of_a_crawl_has_the_headers(demo):
    app, _result = demo
    checked, statics, pdfs = 0, set(), []
    for sign_in in [None, *SIGN_INS]:
        client = app.test_client()
        if sign_in is not None:
            response = client.post("/login", data={"phone": sign_in.person.phone,
                                                   "password": DEMO_PASSWORD})
            _assert_headers(response, f"{sign_in.person.phone} sign-in")
        queue, seen = ["/", "/login"], set()
        while queue and len(seen) < PAGES_PER_SIGN_IN:
            path = queue.pop(0)
            if path in seen:
                continue
            seen.add(path)
            response = client.get(path)
            where = f"{sign_in.person.phone if sign_in else 'anonymous'} {path}"
            _assert_headers(response, where)
            checked += 1
            if response.mimetype == "application/pdf":
                pdfs.append(path)
            if "text/html" not in response.headers.get("Content-Type", ""):
                response.close()  # a PDF or spreadsheet: send_file keeps the file open
                continue
            _assert_page_satisfies_policy(response, where)
            for link in _links(response.get_data(as_text=True)):
                if link.startswith("/static/"):
                    statics.add(link)
                elif "logout" not in link and "/lang/" not in link and link not in seen:
                    queue.append(link)
    client = app.test_client()
    for path in sorted(statics):
        with client.get(path) as response:
            assert response.status_code == 200, path
            _assert_headers(response, path)
    for path in ("/api/v1/products", "/api/openapi.json", "/no-such-page", "/api/v1/nothing"):
        _assert_headers(client.get(path), path)
    assert checked > 100 and any(urlsplit(p).path.endswith(".js") for p in statics)
    assert pdfs, "the crawl met no PDF"


def test_hsts_over_https_only(demo):
    app, _result = demo
    client = app.test_client()
    _assert_headers(client.get("/login", base_url="https://localhost"), "https", https=True)
    with client.get("/static/app.css") as response:
        _assert_headers(response, "http")


def _toon_lot(result) -> str:
    farmer = next(s for s in result.sign_ins if s.person.role.value == "farmer")
    return re.search(r"toon lot (FY\d{6}-\d{6}-\d{3})", farmer.what_to_try).group(1)


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium")
def test_key_pages_raise_no_policy_violation_in_chromium(demo):
    sync_api = pytest.importorskip("playwright.sync_api")
    app, result = demo
    with app.app_context():
        toon = db.session.scalar(select(Batch.id).where(Batch.lot_code == _toon_lot(result)))
        batch_ids = db.session.scalars(select(Batch.id).order_by(Batch.id)).all()
    farmer = app.test_client()
    farmer.post("/login", data={"phone": "13900000001", "password": DEMO_PASSWORD})
    listing = next(i for i in batch_ids if 'id="price_jin"' in
                   farmer.get(f"/batches/{i}/listing").get_data(as_text=True))
    violations: list[str] = []
    listen = """document.addEventListener("securitypolicyviolation", e =>
        console.error("CSP violation: " + e.violatedDirective + " " + e.blockedURI));"""
    with site(app) as base, sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"])

        def open_as(phone: str | None):
            context = browser.new_context(viewport={"width": 360, "height": 740},
                                          locale="zh-CN", timezone_id="Asia/Shanghai")
            context.add_init_script(listen)
            page = context.new_page()
            page.set_default_timeout(30_000)
            page.on("console", lambda m: violations.append(f"{page.url}: {m.text}")
                    if "Content Security Policy" in m.text or "CSP violation" in m.text
                    else None)
            page.goto(base + "/login")
            if phone:
                page.fill("#phone", phone)
                page.fill("#password", DEMO_PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_load_state()
            return context, page

        try:
            context, page = open_as(None)  # the sign-in page itself
            context.close()
            context, page = open_as("13900000001")  # farmer
            page.goto(base + "/inputs/new")
            assert page.locator("#new-plot").count() == 1
            page.goto(f"{base}/batches/{toon}")
            page.fill("#labels-count", "6")
            page.fill("#labels-net_weight", "5")
            page.click("#print-labels")
            page.wait_for_load_state()
            page.click("#scan-preview")
            page.wait_for_load_state()
            assert page.locator("#cold-chain svg").count() >= 1, page.url
            assert urlsplit(page.url).path.startswith("/01/")
            page.goto(f"{base}/batches/{listing}/listing")  # price-units.js converts 斤 to kg
            page.fill("#price_jin", "")
            page.type("#price_jin", "3.5")
            assert page.input_value("#price_kg") == "7"
            context.close()
            context, page = open_as("13900001121")  # the Jieshou co-op's dispatcher
            page.goto(base + "/dispatch")
            page.click("#plan-button")
            page.wait_for_selector("#summary", timeout=120_000)
            # route-map.js drew the routes with Leaflet under the policy (no inline style)
            page.wait_for_selector("#map path.route-line")
            assert page.locator("#map path.route-line").count() >= 1
            run = page.locator(".tl-run").first
            assert run.evaluate("e => e.style.width").endswith("%")  # timeline.js placed it
            context.close()
        finally:
            browser.close()
    assert not violations, violations

"""Offline farmer app on a 2G phone: bytes of a first and a repeat visit, and an outbox's sync.

The demo (seed_demo) on a SQLite file, served by werkzeug in a thread behind a counter of the
bytes the server sends (status line, headers and body, after compression); Debian's Chromium
at 360×740 through Playwright, as the demo farmer (13900000001):

- first visit: open the sign-in page, sign in, land on 我的批次, until the service worker has
  stored the app shell and the phone its snapshot (the network is idle);
- repeat visit: the app opened again from the home screen (a new tab, the service worker in
  place);
- sync: N records (batches and input records, alternately) put in the outbox, then 立即同步
  over Chromium's network emulation at 2G (WebPageTest's 2G profile: 280 kbit/s down,
  256 kbit/s up, 800 ms round trip); seconds until none waits, and how many the server holds
  (each exactly once).

Goals (issue 15): first visit ≤ 150 KB, repeat visit ≤ 10 KB, every record stored once.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchkit import Goal, finish, load, say

CHROMIUM = "/usr/bin/chromium"
TWO_G = {"offline": False, "latency": 800, "downloadThroughput": 280_000 / 8,
         "uploadThroughput": 256_000 / 8}
FARMER, PASSWORD = "13900000001", "freshcircle-demo"
GOALS = (
    Goal("first_visit_kb", "<=", 150),
    Goal("repeat_visit_kb", "<=", 10),
    Goal("sync_stored_once", "==", True, check=True),
)


class ByteCounter:
    """WSGI middleware: the bytes the server sends, by request."""

    def __init__(self, app):
        self.app, self.total, self.requests, self.lock = app, 0, [], threading.Lock()

    def reset(self) -> None:
        with self.lock:
            self.total, self.requests = 0, []

    def __call__(self, environ, start_response):
        sent = {"n": 0}

        def counting_start(status, headers, exc_info=None):
            sent["n"] += len(status) + 11 + sum(len(k) + len(v) + 4 for k, v in headers) + 2
            return start_response(status, headers, exc_info)

        body = self.app(environ, counting_start)
        try:
            for chunk in body:
                sent["n"] += len(chunk)
                yield chunk
        finally:
            if hasattr(body, "close"):
                body.close()
            with self.lock:
                self.total += sent["n"]
                self.requests.append((environ["REQUEST_METHOD"], environ["PATH_INFO"], sent["n"]))


def serve(app):
    from werkzeug.serving import make_server

    counter = ByteCounter(app.wsgi_app)
    app.wsgi_app = counter
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, counter, f"http://127.0.0.1:{server.server_port}"


def demo_app(folder: str):
    from flask_migrate import upgrade

    from freshcircle.platform import create_app
    from freshcircle.platform.demo import seed_demo
    from freshcircle.platform.extensions import db

    app = create_app({"SECRET_KEY": "bench-offline",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/offline.db",
                      "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
        seed_demo(db.session)
        db.session.commit()
        db.session.remove()
    return app


def settle(counter: ByteCounter, quiet: float = 1.5, limit: float = 60) -> None:
    """Wait until the server has sent nothing for `quiet` seconds."""
    deadline = time.monotonic() + limit
    last, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        if counter.total != last:
            last, since = counter.total, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return
        time.sleep(0.1)


FILL_OUTBOX = """async ([n, prefix]) => {
  const config = document.getElementById("offline-strings");
  const script = document.querySelector('script[src*="offline/app.js"]').src;
  const outbox = await import(script.replace("app.js", "outbox.js"));
  const data = await import(script.replace("app.js", "data.js"));
  const snapshot = await data.stored(config.dataset.user);
  const plot = snapshot.plots[0], producer = plot.producer_id;
  const product = snapshot.products[0].id;
  for (let i = 0; i < n; i++) {
    const body = i % 2
      ? {producer_id: producer, kind: "fertiliser", product_name: `${prefix}${i}`,
         dose: "10 kg/亩", plot_id: plot.id, applied_on: snapshot.today}
      : {producer_id: producer, product_id: product, plot_id: plot.id,
         harvest_date: snapshot.today, quantity: String(10 + i), unit: "jin",
         notes: `${prefix}${i}`};
    await outbox.add({key: outbox.newKey(), user: config.dataset.user,
                      kind: i % 2 ? "input" : "batch", form_url: "/",
                      path: i % 2 ? "/api/v1/inputs" : "/api/v1/batches", body,
                      title: `${prefix}${i}`});
  }
  return n;
}"""


def stored(app, prefix: str) -> int:
    from sqlalchemy import func, or_, select

    from freshcircle.platform.extensions import db
    from freshcircle.platform.models import Batch, FarmInput

    with app.app_context():
        try:
            batches = db.session.scalar(select(func.count()).select_from(Batch).where(
                or_(Batch.notes.like(f"{prefix}%"))))
            inputs = db.session.scalar(select(func.count()).select_from(FarmInput).where(
                FarmInput.product_name.like(f"{prefix}%")))
            return batches + inputs
        finally:
            db.session.remove()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200, help="records in the outbox to sync")
    args = parser.parse_args()
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import sync_playwright

    say(f"python {sys.version.split()[0]}; at start: {load()}")
    figures: dict = {}
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        app = demo_app(folder)
        server, counter, base = serve(app)
        say(f"demo seeded in {time.perf_counter() - started:.1f} s; serving {base}")
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM,
                    args=["--headless", "--no-sandbox", "--disable-gpu",
                          "--disable-background-networking", "--disable-component-update"])
                context = browser.new_context(viewport={"width": 360, "height": 740},
                                              locale="zh-CN", timezone_id="Asia/Shanghai")
                page = context.new_page()
                page.set_default_timeout(60_000)

                counter.reset()
                page.goto(base + "/login")
                page.fill("#phone", FARMER)
                page.fill("#password", PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_url(base + "/")
                page.evaluate("navigator.serviceWorker.ready")
                settle(counter)
                figures["first_visit_kb"] = round(counter.total / 1024, 1)
                figures["first_visit_requests"] = len(counter.requests)
                for method, path, size in counter.requests:
                    say(f"  first visit: {method} {path} {size} B")

                again = context.new_page()
                counter.reset()
                again.goto(base + "/")
                again.wait_for_selector("#outbox", state="attached")
                settle(counter)
                figures["repeat_visit_kb"] = round(counter.total / 1024, 1)
                figures["repeat_visit_requests"] = len(counter.requests)
                for method, path, size in counter.requests:
                    say(f"  repeat visit: {method} {path} {size} B")
                again.close()

                prefix = f"bench-{int(time.time())}-"
                cdp = context.new_cdp_session(page)
                cdp.send("Network.enable")
                cdp.send("Network.emulateNetworkConditions", TWO_G)
                # Straight into the outbox (no sync starts: nothing is submitted), then the
                # network "comes back": app.js syncs on the online event, at 2G.
                page.evaluate(FILL_OUTBOX, [args.records, prefix])
                counter.reset()
                began = time.perf_counter()
                page.evaluate("window.dispatchEvent(new Event('online'))")
                deadline = began + max(120, args.records * 5)
                while stored(app, prefix) < args.records and time.perf_counter() < deadline:
                    time.sleep(0.25)
                figures["sync_2g_s"] = round(time.perf_counter() - began, 1)
                page.wait_for_function(
                    "() => document.getElementById('outbox-count').hidden", polling=250)
                figures["sync_records"] = args.records
                figures["sync_per_record_s"] = round(figures["sync_2g_s"] / args.records, 2)
                figures["sync_kb"] = round(counter.total / 1024, 1)
                figures["sync_stored"] = stored(app, prefix)
                figures["sync_stored_once"] = figures["sync_stored"] == args.records
                browser.close()
        finally:
            server.shutdown()
            from freshcircle.platform.extensions import db

            with app.app_context():
                db.engine.dispose()
    finish("offline", figures, GOALS, watch={"sync_2g_s": "lower"})


if __name__ == "__main__":
    main()

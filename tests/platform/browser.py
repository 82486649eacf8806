"""What the browser tests share: Debian's Chromium driven by Playwright (which never downloads
a browser of its own), a phone-sized page in Chinese and China's time zone, and the folder
their screenshots go to (test-artifacts/, to be looked at).

    pytestmark = BROWSER_MARKS

    def test_...(live_app):
        with chromium() as browser:
            page = phone_page(browser)
            ...
            page.screenshot(path=str(ARTIFACTS / "name.png"), full_page=True)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# axe-core from the npm registry (package.json; `make install` runs npm ci).
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
NEEDS_CHROMIUM = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="needs Debian's Chromium at /usr/bin/chromium (make system-deps)")
# A browser test serves the real app from a thread on a database of its own (its own SQLite
# file), so it runs the same on either database and outside the per-test transaction.
BROWSER_MARKS = [pytest.mark.database_independent, pytest.mark.browser,
                 pytest.mark.no_db_isolation, NEEDS_CHROMIUM]
# No background connections: this machine's network is closed, and Chromium would try many.
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]
PHONE = {"width": 360, "height": 740}


@contextmanager
def chromium() -> Iterator:
    """A headless Chromium, closed afterwards; skips the test where Playwright is missing."""
    sync_api = pytest.importorskip("playwright.sync_api")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def phone_page(browser, *, width: int = PHONE["width"], height: int = PHONE["height"],
               timeout_ms: int = 15_000, **context_options):
    """A new page in a context of its own (its own cookies: `page.context`), in Chinese, on
    China's time; each wait gives up after `timeout_ms`."""
    context = browser.new_context(viewport={"width": width, "height": height},
                                  locale="zh-CN", timezone_id="Asia/Shanghai",
                                  **context_options)
    page = context.new_page()
    page.set_default_timeout(timeout_ms)
    return page


def axe_violations(page, impacts: tuple[str, ...] = ("serious", "critical")) -> list[str]:
    """axe-core's violations of `impacts` on the page as it is now, one line each (rule,
    impact, the first offending elements). The page's context needs `bypass_csp=True`: the
    script goes in as a script tag, which the site's CSP would refuse."""
    if not AXE.exists():
        pytest.skip(f"needs axe-core at {AXE} (make install runs npm ci)")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    found = page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ['violations']});
        return result.violations.map(v => ({id: v.id, impact: v.impact,
            targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    return [f"{v['id']} ({v['impact']}): {', '.join(v['targets'])}"
            for v in found if v["impact"] in impacts]

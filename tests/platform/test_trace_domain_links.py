"""Issue 13: with the example trace domain, pages link codes to this server's own resolver;
printed labels keep the configured domain, and the label run page says which domain it is."""

from __future__ import annotations

import dataclasses
import re

import pytest

from tests.platform.batches.test_labels_pages import FORM
from tests.platform.market.test_listing_search import listed
from tests.platform.market.test_market_pages import buyer_client
from tests.platform.page_helpers import element, element_html
from tests.traceability.pdf_helpers import decode_qr, rasterise, require_poppler

REAL_DOMAIN = "id.fuyang-fresh.cn"


@pytest.fixture
def real_domain(app):
    settings = app.extensions["trace_settings"]
    app.extensions["trace_settings"] = dataclasses.replace(settings, domain=REAL_DOMAIN)
    yield REAL_DOMAIN
    app.extensions["trace_settings"] = settings


def _trace_link(make, login, session):
    garlic = listed(make, session)
    client = buyer_client(make, login, session)
    page = client.get(f"/market/listings/{garlic.id}")
    href = re.search(r'id="trace-link" href="([^"]+)"', page.get_data(as_text=True))
    return client, href.group(1).replace("&amp;", "&")


def test_listing_trace_button_opens_this_servers_resolver(make, login, session):
    client, href = _trace_link(make, login, session)

    assert href.startswith("/01/") and "/10/" in href, href
    scan = client.get(href)
    assert scan.status_code == 200 and "批次追溯码" in scan.get_data(as_text=True)


def test_listing_trace_button_keeps_a_real_domain(make, login, session, real_domain):
    _client, href = _trace_link(make, login, session)

    assert href.startswith(f"https://{REAL_DOMAIN}/01/"), href


def _run_page(make, login):
    farmer = make.user()
    batch = make.batch(make.producer(farmer))
    client = login(farmer)
    response = client.post(f"/batches/{batch.id}/labels", data=FORM)
    assert response.status_code == 302
    return client, client.get(response.headers["Location"])


def test_label_run_page_says_its_codes_carry_the_example_domain(make, login, session):
    require_poppler()
    client, page = _run_page(make, login)

    assert "https://id.freshcircle.example/01/" in element(page, "trace-domain")
    warning = element(page, "example-domain")
    assert "id.freshcircle.example" in warning and "互联网" in warning
    pdf = client.get(element_html(page, "download-labels").split('href="')[1].split('"')[0])
    first = decode_qr(rasterise(pdf.get_data(), dpi=300)[0])
    assert first and all(uri.startswith("https://id.freshcircle.example/01/") for uri in first)


def test_label_run_page_with_a_real_domain_has_no_warning(make, login, session, real_domain):
    _client, page = _run_page(make, login)

    assert f"https://{REAL_DOMAIN}/01/" in element(page, "trace-domain")
    assert 'id="example-domain"' not in page.get_data(as_text=True)

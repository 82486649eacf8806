"""The showcase's HTTP caching: validators, 304s, shared caching, compression, invalidation."""

from __future__ import annotations

import datetime as dt
import gzip

import pytest
from sqlalchemy import update

from freshcircle.platform.models import Batch, Listing, Producer
from freshcircle.platform.showcase.services import data_version
from tests.platform.market_helpers import market

PAGES = ("/", "/haowu/counties/341222", "/haowu/brands/taihe-xiangchun")


def test_pages_carry_validators_and_a_short_shared_lifetime(client, make, session):
    m = market(make, session)
    for url in (*PAGES, f"/haowu/producers/{m.listing.producer_id}"):
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["ETag"]
        assert response.headers["Last-Modified"]
        cache_control = response.headers["Cache-Control"]
        assert "public" in cache_control and "max-age=60" in cache_control
        assert "stale-while-revalidate=300" in cache_control
        assert {"Cookie", "Accept-Encoding"} <= {
            v.strip() for v in response.headers["Vary"].split(",")}
        assert "Set-Cookie" not in response.headers


def test_a_repeat_with_the_etag_is_answered_304_without_a_body(client, make, session):
    market(make, session)
    first = client.get("/")
    again = client.get("/", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    assert "public" in again.headers["Cache-Control"]


def test_compressed_with_gzip_when_the_browser_accepts_it(client, make, session):
    market(make, session)
    plain = client.get("/")
    zipped = client.get("/", headers={"Accept-Encoding": "gzip, br"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == plain.data
    assert zipped.headers["ETag"] != plain.headers["ETag"]
    # a proxy that compressed it hands back the compressed validator: still a 304
    again = client.get("/", headers={"If-None-Match": zipped.headers["ETag"]})
    assert again.status_code == 304


def test_english_and_chinese_have_their_own_etags(client, make, session):
    market(make, session)
    chinese = client.get("/")
    english = client.get("/?lang=en")
    assert chinese.headers["ETag"] != english.headers["ETag"]
    assert client.get("/?lang=en", headers={"If-None-Match": chinese.headers["ETag"]}
                      ).status_code == 200


def test_a_change_to_a_listing_gives_a_new_etag(client, make, session):
    m = market(make, session)
    before = client.get("/")
    m.listing.grade = "特级"
    session.commit()
    after = client.get("/", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    assert "特级" in after.get_data(as_text=True)


def test_a_change_to_a_producer_gives_a_new_etag(client, make, session):
    m = market(make, session)
    url = f"/haowu/producers/{m.listing.producer_id}"
    before = client.get(url)
    m.listing.producer.name = "改名后的合作社"
    session.commit()
    after = client.get(url, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    assert "改名后的合作社" in after.get_data(as_text=True)
    assert client.get(url, headers={"If-None-Match": after.headers["ETag"]}).status_code == 304


def test_signed_in_pages_are_never_shared(make, session, login):
    m = market(make, session)
    response = login(m.buyer).get("/haowu/")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert "ETag" not in response.headers


@pytest.fixture
def version_reused(app):
    """The production setting: the data version is read at most once a second... here a minute,
    so the test cannot race the clock."""
    data_version.forget()  # a version another test read (its data rolled back) is not ours
    app.extensions.pop("showcase_version", None)
    app.config["SHOWCASE_VERSION_SECONDS"] = 60
    try:
        yield
    finally:
        app.config["SHOWCASE_VERSION_SECONDS"] = 0


def test_cookieless_repeats_get_the_same_response_from_the_front_cache(
        app, client, make, session, version_reused):
    m = market(make, session)
    url = f"/haowu/producers/{m.listing.producer_id}"
    first = client.get(url, headers={"Accept-Encoding": "gzip"})
    again = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert again.status_code == 200 and again.data == first.data
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]
    # while the version is reused, a change waits; once it is read again, it shows
    m.listing.producer.name = "新名字合作社"
    session.commit()
    assert "新名字合作社" not in client.get(url).get_data(as_text=True)
    app.config["SHOWCASE_VERSION_SECONDS"] = 0
    assert "新名字合作社" in client.get(url).get_data(as_text=True)


def test_the_front_cache_never_serves_a_signed_in_visitor(client, make, session, login,
                                                          version_reused):
    m = market(make, session)
    assert "登录后查看批发价并下单" in client.get("/").get_data(as_text=True)  # stored
    buyer = login(m.buyer)
    page = buyer.get("/")
    assert "登录后查看批发价并下单" not in page.get_data(as_text=True)
    assert buyer.get("/haowu/").headers["Cache-Control"] == "private, no-cache"


def test_a_removed_certification_is_news_to_if_modified_since(client, make, session):
    m = market(make, session)
    cert = make.certification(m.listing.producer, product_id=m.listing.product_id)
    session.commit()
    url = f"/haowu/producers/{m.listing.producer_id}"
    first = client.get(url)
    assert "LB-18-1234567890" in first.get_data(as_text=True)
    session.delete(cert)
    session.commit()
    after = client.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert after.status_code == 200
    assert "LB-18-1234567890" not in after.get_data(as_text=True)


def test_if_modified_since_answers_304_once_the_data_has_settled(client, make, session):
    market(make, session)
    an_hour_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    for model in (Listing, Producer, Batch):
        session.execute(update(model).values(updated_at=an_hour_ago))
    session.commit()
    data_version.forget()  # versions other tests read (their data rolled back) are not ours
    first = client.get("/")
    assert client.get("/", headers={"If-Modified-Since": first.headers["Last-Modified"]}
                      ).status_code == 304

"""阜阳好物, the public showcase: what a visitor who is not signed in sees."""

from __future__ import annotations

import re

from freshcircle.platform.models import BatchPhoto, BatchStatus, CertificationKind, Role, TradeItem
from tests.platform.market_helpers import market


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    html = response.get_data(as_text=True)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def toon_market(make, session, **extra):
    m = market(make, session, product=make.product("Chinese toon shoots (Taihe xiangchun)"),
               grade="一级", **extra)
    producer = m.listing.producer
    producer.name, producer.service_phone, producer.contact_phone = (
        "太和县香椿合作社", "0558-6100222", "13912345678")
    session.commit()
    return m


def test_a_visitor_lands_on_the_showcase_in_chinese_without_prices(client, make, session):
    m = toon_market(make, session, price="3.50")
    page = text(client.get("/"))
    assert "阜阳好物" in page
    assert "太和香椿" in page and "临泉白蒜" in page and "颍上莲藕" in page
    assert "太和县" in page and "界首市" in page
    assert "香椿(太和香椿)" in page and "太和县香椿合作社" in page and "一级" in page
    assert "登录后查看批发价并下单" in page
    assert "3.50" not in page and "元/斤" not in page and "元/kg" not in page
    assert m.listing.producer.name in text(client.get("/haowu/"))


def test_english_after_the_language_switch(client, make, session):
    toon_market(make, session)
    client.get("/lang/en")
    page = text(client.get("/"))
    assert "Fuyang's Finest" in page and "Taihe Chinese toon" in page
    assert "Sign in to see wholesale prices and order" in page
    assert "Taihe County" in page


def test_signed_in_people_still_land_on_their_role_home(make, session, login):
    m = toon_market(make, session)
    farmer_home = text(login(m.farmer).get("/"))
    assert "阜阳好物" not in farmer_home and "我的批次" in farmer_home
    buyer_home = login(m.buyer).get("/")
    assert "登录后查看批发价并下单" not in text(buyer_home)
    carrier = login(make.user(Role.CARRIER)).get("/")
    assert carrier.status_code == 302 and carrier.location.endswith("/carrier/shipments")


def test_county_page_lists_its_producers_brands_and_listings(client, make, session):
    toon_market(make, session)
    page = text(client.get("/haowu/counties/341222"))
    assert "太和县" in page and "太和香椿" in page and "太和县香椿合作社" in page
    assert "登录后查看批发价并下单" in page
    assert "临泉白蒜" not in page
    assert client.get("/haowu/counties/110101").status_code == 404


def test_brand_page_shows_only_the_certification_a_producer_recorded(client, make, session):
    m = toon_market(make, session)
    page = text(client.get("/haowu/brands/taihe-xiangchun"))
    assert "还没有生产者为它登记地理标志或绿色食品证书" in page
    assert "地理标志 ·" not in page
    make.certification(m.listing.producer, kind=CertificationKind.GEO_INDICATION,
                       number="AGI-2006-0001", product_id=m.listing.product_id)
    session.commit()
    page = text(client.get("/haowu/brands/taihe-xiangchun"))
    assert "地理标志" in page and "AGI-2006-0001" in page
    assert "还没有生产者" not in page
    assert "3月" in page and "太和县香椿合作社" in page  # season calendar, who sells it
    assert client.get("/haowu/brands/no-such-brand").status_code == 404


def test_producer_profile_shows_public_facts_only(client, make, session):
    m = toon_market(make, session)
    page = text(client.get(f"/haowu/producers/{m.listing.producer_id}"))
    assert "太和县香椿合作社" in page and "0558-6100222" in page
    assert "13912345678" not in page  # a member's mobile is not public
    assert "当季在售" in page and "香椿(太和香椿)" in page
    assert "3.50" not in page


def test_a_held_lot_is_not_presented_as_for_sale(client, make, session):
    m = toon_market(make, session)
    assert "香椿(太和香椿)" in text(client.get("/haowu/counties/341222"))
    m.listing.batch.status = BatchStatus.HELD
    session.commit()
    for url in ("/", "/haowu/counties/341222", "/haowu/brands/taihe-xiangchun",
                f"/haowu/producers/{m.listing.producer_id}"):
        assert "香椿(太和香椿) ·" not in text(client.get(url)), url


def test_a_batch_photo_shows_once_its_lot_has_a_public_page(client, make, session):
    m = toon_market(make, session)
    stored = make.stored_file(m.listing.producer, data=b"\xff\xd8\xff photo", filename="椿芽.jpg",
                              content_type="image/jpeg")
    photo = BatchPhoto(batch_id=m.listing.batch_id, file_id=stored.id)
    session.add(photo)
    session.commit()
    url = f"/haowu/producers/{m.listing.producer_id}"
    assert f"/trace/photos/{photo.id}" not in client.get(url).get_data(as_text=True)
    session.add(TradeItem(producer_id=m.listing.producer_id, product_id=m.listing.product_id,
                          gtin="09520000000017"))
    session.commit()
    assert f"/trace/photos/{photo.id}" in client.get(url).get_data(as_text=True)
    assert client.get(f"/trace/photos/{photo.id}").status_code == 200

"""Market search as buyers type on a phone (issue 18): full pinyin, initials and mixed input
find the listing, from terms indexed when the listing is written."""

from __future__ import annotations

import pytest

from freshcircle.platform.market.services import pinyin_terms, search_suggestions
from freshcircle.platform.models import Role
from tests.platform.market.test_listing_search import browse, ids, listed


@pytest.fixture
def produce(make, session):
    garlic = listed(make, session, "Garlic (cured bulb)", name="测试合作社")
    toon = listed(make, session, "Chinese toon shoots (Taihe xiangchun)", variety="红油香椿",
                  name="李庄农场")
    spinach = listed(make, session, "Spinach", county="341282", county_name="界首市",
                     name="王集农场")
    return garlic, toon, spinach


@pytest.mark.parametrize(("typed", "finds"), [
    ("suan", "garlic"), ("dasuan", "garlic"), ("ds", "garlic"), ("DaSuan", "garlic"),
    ("da suan", "garlic"), ("da蒜", "garlic"),
    ("xiangchun", "toon"), ("xc", "toon"), ("xiang椿", "toon"), ("hongyou", "toon"),
    ("bocai", "spinach"), ("jieshou", "spinach"), ("js", "spinach"),
])
def test_pinyin_initials_and_mixed_input_find_the_listing(produce, session, typed, finds):
    garlic, toon, spinach = produce
    wanted = {"garlic": garlic, "toon": toon, "spinach": spinach}[finds]

    assert ids(browse(session, q=typed)) == [wanted.id]


def test_english_and_chinese_queries_work_as_before(produce, session):
    garlic, toon, _spinach = produce
    assert ids(browse(session, q="garlic")) == [garlic.id]
    assert ids(browse(session, q="大蒜")) == [garlic.id]
    assert ids(browse(session, q="香椿")) == [toon.id]


def test_a_word_that_is_no_pinyin_finds_nothing_rather_than_anything(produce, session):
    assert ids(browse(session, q="qqq")) == []
    assert ids(browse(session, q="suanx")) == []


def test_a_query_is_cut_into_syllables_as_typed():
    assert pinyin_terms.syllables("xianggang") == ["xiang", "gang"]
    assert pinyin_terms.syllables("dasuan") == ["da", "suan"]
    assert pinyin_terms.syllables("xyz") is None


@pytest.mark.parametrize("typed", ["dasun", "garlik", "大算"])
def test_a_search_that_finds_nothing_suggests_what_the_buyer_meant(make, session, typed):
    listed(make, session, "Garlic (cured bulb)")

    assert ids(browse(session, q=typed)) == []
    assert search_suggestions.suggestion(session, typed) == "大蒜"


def test_only_a_product_on_sale_is_suggested(make, session):
    listed(make, session, "Garlic (cured bulb)")
    make.product("Spinach")  # in the catalogue, not on sale

    assert search_suggestions.suggestion(session, "bocia") is None
    assert search_suggestions.suggestion(session, "xyzxyz") is None


def test_the_market_page_offers_the_suggestion_as_a_link(make, session, login):
    listed(make, session, "Garlic (cured bulb)")
    buyer = login(make.user(Role.BUYER))

    page = buyer.get("/market?q=dasun").get_data(as_text=True)

    assert "您是不是要找：" in page and "q=%E5%A4%A7%E8%92%9C" in page
    assert "大蒜" in buyer.get("/market?q=%E5%A4%A7%E8%92%9C").get_data(as_text=True)

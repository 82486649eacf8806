"""Market search as buyers type on a phone (issue 18): full pinyin, initials and mixed input
find the listing, from terms indexed when the listing is written."""

from __future__ import annotations

import pytest

from freshcircle.platform.market.services import pinyin_terms
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

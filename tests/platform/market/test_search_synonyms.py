"""Synonyms in the market search (issue 18): local names find what is on sale, both ways,
and admins keep the list (a change shows on the next search)."""

from __future__ import annotations

from sqlalchemy import select

from freshcircle.platform.market.services import search_synonyms
from freshcircle.platform.models import Role, SearchSynonym
from tests.platform.market.test_listing_search import browse, ids, listed


def _synonym(session, name, means):
    session.add(SearchSynonym(name=name, means=means))
    session.commit()


def test_a_local_name_finds_the_listing_and_the_other_way_round(make, session):
    """蒜头 = 大蒜 and 洋芋 = 马铃薯 come with the platform (the migration seeds them)."""
    garlic = listed(make, session, "Garlic (cured bulb)")
    potato = listed(make, session, "Potato (late crop / table)", variety="本地土豆")
    _synonym(session, "山药蛋", "土豆")

    assert ids(browse(session, q="蒜头")) == [garlic.id]
    assert ids(browse(session, q="洋芋")) == [potato.id]  # its product is 马铃薯
    assert ids(browse(session, q="山药蛋")) == [potato.id]  # its variety says 土豆
    assert ids(browse(session, q="土豆")) == [potato.id]
    assert ids(browse(session, q="蒜头 太和")) == [garlic.id]


def test_without_the_synonym_the_local_name_finds_nothing(make, session):
    listed(make, session, "Garlic (cured bulb)")
    assert ids(browse(session, q="白蒜头")) == []


def test_an_admin_adds_and_removes_a_synonym_and_the_market_follows(make, session, login):
    garlic = listed(make, session, "Garlic (cured bulb)")
    admin = login(make.user(Role.ADMIN))
    buyer = login(make.user(Role.BUYER))
    assert "no-listings" in buyer.get("/market?q=白蒜头").get_data(as_text=True)

    page = admin.get("/market/synonyms")
    assert page.status_code == 200 and "搜索同义词" in page.get_data(as_text=True)
    added = admin.post("/market/synonyms", data={"name": "白蒜头", "means": "大蒜"},
                       follow_redirects=True)
    assert "现在搜索 白蒜头 也会找到 大蒜" in added.get_data(as_text=True)
    found = buyer.get("/market?q=白蒜头").get_data(as_text=True)
    assert f"/market/listings/{garlic.id}" in found

    synonym = session.scalar(select(SearchSynonym).where(SearchSynonym.name == "白蒜头"))
    admin.post(f"/market/synonyms/{synonym.id}/delete")
    assert "no-listings" in buyer.get("/market?q=白蒜头").get_data(as_text=True)


def test_bad_synonyms_are_refused_per_field_and_nothing_is_written(make, session, login):
    admin = login(make.user(Role.ADMIN))
    before = session.query(SearchSynonym).count()

    for data, field in (({"name": "", "means": "大蒜"}, "name"),
                        ({"name": "大蒜", "means": "大蒜"}, "means"),
                        ({"name": "蒜头", "means": "洋葱"}, "name"),
                        ({"name": "长" * 41, "means": "大蒜"}, "name")):
        response = admin.post("/market/synonyms", data=data)
        assert response.status_code == 422, data
        assert f'id="{field}-error1"' in response.get_data(as_text=True), data
    assert session.query(SearchSynonym).count() == before


def test_only_admins_keep_synonyms(make, login):
    buyer = login(make.user(Role.BUYER))
    assert buyer.get("/market/synonyms").status_code == 403
    assert buyer.post("/market/synonyms", data={"name": "a", "means": "b"}).status_code == 403


def test_rewritten_reads_both_ways(session):
    assert "马铃薯 太和" in search_synonyms.rewritten(session, "土豆 太和")
    assert {"土豆", "洋芋"} <= set(search_synonyms.rewritten(session, "马铃薯"))

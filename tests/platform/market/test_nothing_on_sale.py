"""A market search that finds nothing never leaves a buyer at an empty page: a product with
nothing on sale is named as such, with a standing demand (求购) for it one tap away."""

from __future__ import annotations

import re

from freshcircle.platform.models import Role
from tests.platform.market.test_listing_search import listed
from tests.platform.page_helpers import text

ZH = {"Accept-Language": "zh-CN"}


def test_a_local_name_of_a_product_not_on_sale_offers_a_standing_demand(make, session, login):
    listed(make, session, "Garlic (cured bulb)")
    potato = make.product("Potato (late crop / table)")  # in the catalogue, nothing on sale
    buyer = login(make.user(Role.BUYER))

    answer = buyer.get("/market?q=土豆", headers=ZH)  # 土豆 = 马铃薯, the platform's synonym

    page = text(answer)
    assert "目前没有在售的马铃薯。" in page and "请减少筛选条件" not in page
    html = answer.get_data(as_text=True)
    link = re.search(r'id="post-demand".*?href="([^"]+)"', html, re.S).group(1)
    assert link == f"/demands/new?product_id={potato.id}"
    form = buyer.get(link).get_data(as_text=True)
    assert re.search(rf'<option[^>]*value="{potato.id}"[^>]*selected', form) or \
        re.search(rf'<option[^>]*selected[^>]*value="{potato.id}"', form)
    buyer.get("/lang/en")
    assert "Nothing of Potato" in text(buyer.get("/market?q=土豆"))


def test_filters_that_leave_nothing_say_so_and_only_buyers_are_offered_a_demand(
        make, session, login):
    garlic = listed(make, session, "Garlic (cured bulb)")
    buyer = login(make.user(Role.BUYER))

    page = text(buyer.get("/market?q=大蒜&price_max=0.01", headers=ZH))

    assert "没有符合条件的在售商品，请减少筛选条件。" in page  # 大蒜 is on sale, just not so cheap
    assert "目前没有在售" not in page and "发布求购" in page
    farmer = login(garlic.batch.producer.memberships[0].user)
    assert "发布求购" not in text(farmer.get("/market?q=土豆", headers=ZH))
